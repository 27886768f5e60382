/** Rego term and operator parsing (the expression grammar below a statement), shared by the parser. */
import { Expr, Loc, Term } from './ast';
import { Token } from './lexer';

export class ParseError extends Error {
  constructor(message: string, readonly file: string, readonly line: number, readonly col: number) {
    super(`${file}:${line}:${col}: ${message}`);
    this.name = 'ParseError';
  }
  get detail(): string {
    return this.message.slice(this.message.indexOf(': ') + 2);
  }
}

export interface ParseOptions {
  /** module syntax when the module does not import rego.v1 */
  regoVersion: 'v1' | 'v0';
}

export const MAX_DEPTH = 400;
export const ALWAYS_KEYWORDS = new Set(['some', 'not', 'with', 'as', 'default', 'else', 'import', 'package', 'true', 'false', 'null']);
export const FUTURE_KEYWORDS = ['in', 'every', 'contains', 'if'];

const INFIX_RELATION: Record<string, string> = { '==': 'equal', '!=': 'neq', '<': 'lt', '>': 'gt', '<=': 'lte', '>=': 'gte' };
const INFIX_ARITH: Record<string, string> = { '+': 'plus', '-': 'minus' };
const INFIX_FACTOR: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };

export abstract class TermParser {
  protected pos = 0;
  protected depth = 0;
  /** >0 while inside (), [] or {} of a term: newlines do not end expressions there */
  protected nesting = 0;
  /** while parsing the first element of [ ] / { }: '|' starts a comprehension instead of a union */
  protected noOr = false;
  protected keywords = new Set<string>();
  /** parsing a rule head: `f (x)` with a space is still a function head */
  protected headMode = false;
  v1 = false;

  constructor(protected readonly toks: Token[], protected readonly file: string) {}

  // ----- token helpers
  protected get tok(): Token {
    return this.toks[this.pos];
  }
  protected peek(k = 1): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }
  protected next(): Token {
    const t = this.toks[this.pos];
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  protected loc(t: Token = this.tok): Loc {
    return { file: this.file, line: t.line, col: t.col };
  }
  error(message: string, t: Token = this.tok): ParseError {
    return new ParseError(message, this.file, t.line, t.col);
  }
  protected isPunct(text: string, t: Token = this.tok): boolean {
    return t.kind === 'punct' && t.text === text;
  }
  protected isKw(word: string, t: Token = this.tok): boolean {
    return t.kind === 'ident' && t.text === word && (ALWAYS_KEYWORDS.has(word) || this.keywords.has(word));
  }
  protected expectPunct(text: string): Token {
    if (!this.isPunct(text)) throw this.error(`expected "${text}" but found ${describe(this.tok)}`);
    return this.next();
  }
  protected isKeywordName(name: string): boolean {
    return ALWAYS_KEYWORDS.has(name) || this.keywords.has(name);
  }
  enableKeywords(words: Iterable<string>): void {
    for (const w of words) this.keywords.add(w);
  }
  enableV1(): void {
    this.v1 = true;
    this.enableKeywords(FUTURE_KEYWORDS);
  }
  protected enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.error(`expression nested deeper than ${MAX_DEPTH} levels`);
  }
  protected leave(): void {
    this.depth--;
  }

  /** Expressions until `close`; implemented by the statement parser (comprehension bodies). */
  abstract parseExprList(close: string | null): Expr[];

  protected parseMembership(allowPair: boolean): Term {
    const start = this.tok;
    let left = this.parseRelation();
    if (allowPair && this.nesting === 0 && this.isPunct(',') && this.keywords.has('in')) {
      this.next();
      const value = this.parseRelation();
      if (!this.isKw('in')) throw this.error('expected "in" after "key, value"');
      this.next();
      const coll = this.parseRelation();
      return this.call('internal.member_3', [left, value, coll], start);
    }
    while (this.isKw('in') && this.continues()) {
      this.next();
      const coll = this.parseRelation();
      left = this.call('internal.member_2', [left, coll], start);
    }
    return left;
  }

  /** An infix operator may continue the expression (not across a newline outside brackets). */
  protected continues(): boolean {
    return !(this.tok.nl && this.nesting === 0);
  }

  protected parseRelation(): Term {
    const start = this.tok;
    let left = this.parseOr();
    while (this.tok.kind === 'punct' && INFIX_RELATION[this.tok.text] && this.continues()) {
      const op = INFIX_RELATION[this.next().text];
      left = this.call(op, [left, this.parseOr()], start);
    }
    return left;
  }
  protected parseOr(): Term {
    const start = this.tok;
    let left = this.parseAnd();
    while (!this.noOr && this.isPunct('|') && this.continues()) {
      this.next();
      left = this.call('or', [left, this.parseAnd()], start);
    }
    return left;
  }
  protected parseAnd(): Term {
    const start = this.tok;
    let left = this.parseArith();
    while (this.isPunct('&') && this.continues()) {
      this.next();
      left = this.call('and', [left, this.parseArith()], start);
    }
    return left;
  }
  protected parseArith(): Term {
    const start = this.tok;
    let left = this.parseFactor();
    while (this.tok.kind === 'punct' && INFIX_ARITH[this.tok.text] && this.continues()) {
      const op = INFIX_ARITH[this.next().text];
      left = this.call(op, [left, this.parseFactor()], start);
    }
    return left;
  }
  protected parseFactor(): Term {
    const start = this.tok;
    let left = this.parseTerm();
    while (this.tok.kind === 'punct' && INFIX_FACTOR[this.tok.text] && this.continues()) {
      const op = INFIX_FACTOR[this.next().text];
      left = this.call(op, [left, this.parseTerm()], start);
    }
    return left;
  }

  protected call(op: string, args: Term[], start: Token): Term {
    const l = this.loc(start);
    return { type: 'call', fn: { type: 'var', name: op, loc: l }, args, loc: l, infix: true };
  }

  /** Full term expression (as in a rule value or a with value). */
  parseTermExpr(): Term {
    return this.parseMembership(false);
  }

  /** A ref like a.b[c] (used for package, import, with targets, rule heads); allows a call when allowCall. */
  protected parseRefTerm(allowCall = false): Term {
    const t = this.tok;
    if (t.kind !== 'ident') throw this.error(`expected a name but found ${describe(t)}`);
    const term = this.parseTerm();
    if (term.type === 'call' && !allowCall) throw this.error('unexpected call', t);
    return term;
  }

  // ----- terms
  protected parseTerm(): Term {
    this.enter();
    const t = this.tok;
    let term = this.parsePrimary();
    // ref segments and calls must follow without whitespace
    for (;;) {
      const n = this.tok;
      if (n.space && !(this.headMode && this.isPunct('(') && !n.nl)) break;
      if (this.isPunct('.')) {
        this.next();
        const id = this.tok;
        if (id.kind !== 'ident' || id.space) throw this.error(`expected a name after "." but found ${describe(id)}`);
        this.next();
        term = this.appendRef(term, { type: 'string', value: id.text, loc: this.loc(id) }, t);
      } else if (this.isPunct('[')) {
        this.next();
        this.nesting++;
        const savedOr = this.noOr;
        this.noOr = false;
        const key = this.parseMembership(false);
        this.noOr = savedOr;
        this.nesting--;
        this.expectPunct(']');
        term = this.appendRef(term, key, t);
      } else if (this.isPunct('(')) {
        if (term.type !== 'var' && !(term.type === 'ref' && term.head.type === 'var' && term.path.every((p) => p.type === 'string'))) break;
        this.next();
        this.nesting++;
        const args: Term[] = [];
        const savedOr = this.noOr;
        this.noOr = false;
        while (!this.isPunct(')')) {
          args.push(this.parseMembership(false));
          if (this.isPunct(',')) this.next();
          else if (!this.isPunct(')')) throw this.error(`expected "," or ")" but found ${describe(this.tok)}`);
        }
        this.noOr = savedOr;
        this.nesting--;
        this.next();
        term = { type: 'call', fn: term, args, loc: this.loc(t) };
      } else break;
    }
    this.leave();
    return term;
  }

  protected appendRef(term: Term, seg: Term, start: Token): Term {
    if (term.type === 'ref') return { type: 'ref', head: term.head, path: [...term.path, seg], loc: term.loc };
    return { type: 'ref', head: term, path: [seg], loc: this.loc(start) };
  }

  protected parsePrimary(): Term {
    const t = this.tok;
    const l = this.loc(t);
    switch (t.kind) {
      case 'number': {
        this.next();
        return { type: 'number', value: parseNumber(t.text, this, t), loc: l };
      }
      case 'string':
      case 'rawstring':
        this.next();
        return { type: 'string', value: t.text, loc: l };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') { this.next(); return { type: 'boolean', value: t.text === 'true', loc: l }; }
        if (t.text === 'null') { this.next(); return { type: 'null', loc: l }; }
        // `contains(s, x)` stays the builtin call where `contains` is also a keyword (v1, future.keywords).
        const builtinCall = t.text === 'contains' && this.peek().text === '(';
        if (this.isKeywordName(t.text) && !builtinCall) throw this.error(`unexpected keyword "${t.text}"`);
        this.next();
        return { type: 'var', name: t.text, loc: l };
      }
      case 'punct':
        break;
      default:
        throw this.error(`unexpected ${describe(t)}`);
    }
    switch (t.text) {
      case '-': {
        this.next();
        const n = this.tok;
        if (n.kind !== 'number') throw this.error('unary - can only be used with numeric literals', t);
        this.next();
        return { type: 'number', value: -parseNumber(n.text, this, n), loc: l };
      }
      case '(': {
        this.next();
        this.nesting++;
        const savedOr = this.noOr;
        this.noOr = false;
        const inner = this.parseMembership(false);
        this.noOr = savedOr;
        this.nesting--;
        this.expectPunct(')');
        return inner;
      }
      case '[':
        return this.parseArrayLike();
      case '{':
        return this.parseBraceLike();
    }
    throw this.error(`unexpected ${describe(t)}`);
  }

  protected parseArrayLike(): Term {
    const t = this.next();
    const l = this.loc(t);
    this.nesting++;
    if (this.isPunct(']')) { this.nesting--; this.next(); return { type: 'array', items: [], loc: l }; }
    const savedOr = this.noOr;
    this.noOr = true;
    const first = this.parseMembership(false);
    this.noOr = false;
    let items = [first];
    if (this.isPunct('|')) {
      const saved = this.pos;
      const savedNesting = this.nesting;
      const savedDepth = this.depth;
      try {
        this.next();
        const body = this.parseComprBody(']');
        this.expectPunct(']');
        this.noOr = savedOr;
        this.nesting--;
        return { type: 'arraycompr', head: first, body, loc: l };
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        // Not a comprehension: `[a | b, c]` is an array whose first element is a set union.
        this.pos = saved;
        this.nesting = savedNesting;
        this.depth = savedDepth;
        this.next();
        items = [this.call('or', [first, this.parseAnd()], t)];
      }
    }
    while (this.isPunct(',')) {
      this.next();
      if (this.isPunct(']')) break;
      items.push(this.parseMembership(false));
    }
    this.noOr = savedOr;
    this.nesting--;
    this.expectPunct(']');
    return { type: 'array', items, loc: l };
  }

  protected parseBraceLike(): Term {
    const t = this.next();
    const l = this.loc(t);
    this.nesting++;
    if (this.isPunct('}')) { this.nesting--; this.next(); return { type: 'object', entries: [], loc: l }; }
    const savedOr = this.noOr;
    this.noOr = true;
    const first = this.parseMembership(false);
    if (this.isPunct(':')) {
      this.next();
      const v = this.parseMembership(false);
      this.noOr = false;
      if (this.isPunct('|')) {
        this.next();
        const body = this.parseComprBody('}');
        this.noOr = savedOr;
        this.nesting--;
        this.expectPunct('}');
        return { type: 'objectcompr', key: first, value: v, body, loc: l };
      }
      const entries: [Term, Term][] = [[first, v]];
      while (this.isPunct(',')) {
        this.next();
        if (this.isPunct('}')) break;
        const k = this.parseMembership(false);
        this.expectPunct(':');
        entries.push([k, this.parseMembership(false)]);
      }
      this.noOr = savedOr;
      this.nesting--;
      this.expectPunct('}');
      return { type: 'object', entries, loc: l };
    }
    this.noOr = false;
    if (this.isPunct('|')) {
      this.next();
      const body = this.parseComprBody('}');
      this.noOr = savedOr;
      this.nesting--;
      this.expectPunct('}');
      return { type: 'setcompr', head: first, body, loc: l };
    }
    const items = [first];
    while (this.isPunct(',')) {
      this.next();
      if (this.isPunct('}')) break;
      items.push(this.parseMembership(false));
    }
    this.noOr = savedOr;
    this.nesting--;
    this.expectPunct('}');
    return { type: 'set', items, loc: l };
  }

  protected parseComprBody(close: string): Expr[] {
    const saved = this.nesting;
    this.nesting = 0;
    const body = this.parseExprList(close);
    this.nesting = saved;
    if (body.length === 0) throw this.error('found empty comprehension body');
    return body;
  }
}

function parseNumber(text: string, p: TermParser, t: Token): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw p.error(`number out of range: ${text}`, t);
  return n;
}

export function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of file';
  if (t.kind === 'string' || t.kind === 'rawstring') return 'string';
  return `"${t.text}"`;
}

