/** Rego parser (v1 and v0-compatible syntax) producing the AST in ./ast: modules, rules, bodies. */
import { ElseClause, Expr, ExprBody, Import, Module, Rule, Term, With } from './ast';
import { SyntaxError_, tokenize } from './lexer';
import { FUTURE_KEYWORDS, ParseError, TermParser, describe } from './term-parser';
import type { Token } from './lexer';

export { ParseError } from './term-parser';
import type { ParseOptions } from './term-parser';
export type { ParseOptions };

class Parser extends TermParser {
  // ----- module level
  parseModule(defaultV1: boolean): Module {
    if (defaultV1) this.enableV1();
    if (!this.isKw('package')) throw this.error(`expected "package" but found ${describe(this.tok)}`);
    this.next();
    const pkgRef = this.parseRefTerm();
    const pkg = this.refToPath(pkgRef, 'package');
    const imports: Import[] = [];
    let sawRegoV1 = false;
    let sawFuture = false;
    while (this.isKw('import')) {
      const t = this.next();
      const path = this.parseRefTerm();
      let alias: string | null = null;
      if (this.isKw('as')) {
        this.next();
        const a = this.next();
        if (a.kind !== 'ident') throw this.error('expected an alias name after "as"', a);
        alias = a.text;
      }
      const p = this.refToPath(path, 'import');
      if ((p[0] === 'future' && p[1] === 'keywords' && sawRegoV1) || (p[0] === 'rego' && p[1] === 'v1' && (sawRegoV1 || sawFuture))) {
        throw this.error('this import shadows previous import', t);
      }
      if (p[0] === 'future' && p[1] === 'keywords') {
        sawFuture = true;
        if (p.length === 2) this.enableKeywords(FUTURE_KEYWORDS);
        else if (p.length === 3 && FUTURE_KEYWORDS.includes(p[2])) this.enableKeywords([p[2]]);
        else throw this.error(`unexpected future keyword import: ${p.join('.')}`, t);
        continue;
      }
      if (p[0] === 'rego' && p[1] === 'v1' && p.length === 2) {
        sawRegoV1 = true;
        this.enableV1();
        continue;
      }
      if (p[0] === 'future' || p[0] === 'rego') throw this.error(`unknown import ${p.join('.')}`, t);
      if (p[0] !== 'data' && p[0] !== 'input') throw this.error(`invalid import ${p.join('.')}: must begin with input or data`, t);
      imports.push({ path, alias, loc: this.loc(t) });
    }
    const rules: Rule[] = [];
    while (this.tok.kind !== 'eof') {
      if (this.isKw('import')) throw this.error('imports must appear before rules');
      if (this.isKw('package')) throw this.error('unexpected "package": one package per module');
      rules.push(...this.parseRule());
    }
    return { file: this.file, pkg, imports, rules, regoV1: this.v1 };
  }

  protected refToPath(t: Term, what: string): string[] {
    const out: string[] = [];
    if (t.type === 'var') return [t.name];
    if (t.type !== 'ref' || t.head.type !== 'var') throw this.error(`invalid ${what} path`);
    out.push(t.head.name);
    for (const s of t.path) {
      if (s.type !== 'string') throw new ParseError(`invalid ${what} path: segments must be strings`, this.file, s.loc.line, s.loc.col);
      out.push(s.value);
    }
    return out;
  }

  // ----- rules
  protected parseRule(): Rule[] {
    const start = this.tok;
    const isDefault = this.isKw('default');
    if (isDefault) this.next();
    if (this.tok.kind !== 'ident' || this.isKeywordName(this.tok.text)) throw this.error(`expected a rule head but found ${describe(this.tok)}`);
    this.headMode = true;
    let headTerm: Term;
    try {
      headTerm = this.parseRefTerm(true);
    } finally {
      this.headMode = false;
    }
    let ref: Term[];
    let args: Term[] | null = null;
    if (headTerm.type === 'call') {
      ref = this.headRef(headTerm.fn);
      args = headTerm.args;
    } else {
      ref = this.headRef(headTerm);
    }
    const rule: Rule = {
      ref, kind: args ? 'function' : 'single', args, value: null, key: null, isDefault, assign: false,
      body: [], elses: [], loc: this.loc(start),
    };
    if (this.isKw('contains')) {
      if (args || isDefault) throw this.error('"contains" cannot be used with functions or default rules');
      this.next();
      rule.kind = 'multi';
      rule.key = this.parseTermExpr();
    } else if (this.isPunct(':=') || this.isPunct('=')) {
      rule.assign = this.next().text === ':=';
      rule.value = this.parseTermExpr();
    }
    if (isDefault) {
      if (!rule.value) throw this.error('default rules must have a value', start);
      if (ref.length > 1 && ref.slice(1).some((s) => s.type !== 'string' && s.type !== 'number' && s.type !== 'boolean' && s.type !== 'null')) {
        throw this.error('default rules cannot have variables in their head', start);
      }
      if (!this.atRuleEnd()) throw this.error('default rules cannot have a body');
      return [rule];
    }
    // v0 partial set: p[x] { ... }
    const lastSeg = ref[ref.length - 1];
    if (rule.kind === 'single' && !rule.value && !args && ref.length >= 2 && lastSeg.type !== 'string') {
      if (!this.v1) {
        rule.kind = 'multi';
        rule.key = lastSeg;
        rule.ref = ref.slice(0, -1);
      }
    }
    if (this.v1 && ref.length === 1 && ref[0].type === 'var' && (ref[0].name === 'input' || ref[0].name === 'data')) {
      throw this.error(`${ref[0].name} cannot be shadowed`, start);
    }
    // v0: `p.q { ... }` is the partial set p containing "q".
    if (!this.v1 && rule.kind === 'single' && !rule.value && !args && ref.length === 2 && ref[1].type === 'string' && this.isPunct('{')) {
      rule.kind = 'multi';
      rule.key = ref[1];
      rule.ref = [ref[0]];
    }
    const bodies = this.parseRuleBodies(rule, start);
    if (rule.kind !== 'multi' && rule.value === null && bodies === null) throw this.error('rule must have a value or a body', start);
    rule.body = bodies?.[0] ?? [];
    while (this.isKw('else')) {
      if (rule.kind === 'multi') throw this.error('"else" cannot be used with multi-value rules');
      const et = this.next();
      let value: Term | null = null;
      if (this.isPunct('=') || this.isPunct(':=')) {
        this.next();
        value = this.parseTermExpr();
      }
      const elseRule = { ...rule, value };
      const b = this.parseRuleBodies(elseRule, et);
      rule.elses.push({ value, body: b?.[0] ?? [], loc: this.loc(et) } satisfies ElseClause);
    }
    const out = [rule];
    if (bodies) for (let i = 1; i < bodies.length; i++) out.push({ ...rule, body: bodies[i], elses: [] });
    return out;
  }

  protected atRuleEnd(): boolean {
    return this.tok.kind === 'eof' || this.tok.nl;
  }

  /** Parses `if {..}`, `if expr`, `{..}` (v0) and v0's extra bodies `{..} {..}`. null when there is no body. */
  protected parseRuleBodies(rule: Rule, start: Token): Expr[][] | null {
    if (this.isKw('if')) {
      this.next();
      if (this.isPunct('{')) {
        const compr = this.tryComprehensionBody();
        if (compr) return [[compr]];
        return [this.parseBraceBody()];
      }
      const t = this.tok;
      const e = this.parseExpr();
      if (!this.atRuleEnd() && !this.isKw('else')) throw this.error(`unexpected ${describe(this.tok)} after rule body`);
      void t;
      return [[e]];
    }
    // A body may start on the next line: nothing else at the top level starts with "{".
    if (this.isPunct('{')) {
      if (this.v1) throw this.error('`if` keyword is required before rule body', start);
      const bodies = [this.parseBraceBody()];
      while (this.isPunct('{') && !this.v1) bodies.push(this.parseBraceBody());
      return bodies;
    }
    if (!this.atRuleEnd() && !this.isKw('else')) throw this.error(`unexpected ${describe(this.tok)} after rule head`);
    void rule;
    return null;
  }

  /** Cheap lookahead: does a `|` appear directly inside the braces that start here? */
  private barInBraces(): boolean {
    let depth = 0;
    for (let i = this.pos; i < this.toks.length; i++) {
      const t = this.toks[i];
      if (t.kind === 'eof') return false;
      if (t.kind !== 'punct') continue;
      if (t.text === '{' || t.text === '[' || t.text === '(') depth++;
      else if (t.text === '}' || t.text === ']' || t.text === ')') {
        if (--depth === 0) return false;
      } else if (t.text === '|' && depth === 1) return true;
    }
    return false;
  }

  /** `if { 1 | 1 }` / `if { k: v | ... }`: a comprehension used as the single body expression. */
  protected tryComprehensionBody(): Expr | null {
    if (!this.barInBraces()) return null;
    const saved = this.pos;
    const savedDepth = this.depth;
    const start = this.tok;
    try {
      const t = this.parseBraceLike();
      if ((t.type === 'setcompr' || t.type === 'objectcompr') && (this.atRuleEnd() || this.isKw('else'))) {
        return { body: { kind: 'term', term: t }, negated: false, withs: [], loc: this.loc(start) };
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
    }
    // Backtrack: parse state as before the attempt (depth too, or it would leak per rule).
    this.pos = saved;
    this.depth = savedDepth;
    this.nesting = 0;
    this.noOr = false;
    return null;
  }

  protected headRef(t: Term): Term[] {
    if (t.type === 'var') return [t];
    if (t.type === 'ref' && t.head.type === 'var') return [t.head, ...t.path];
    throw new ParseError('invalid rule head', this.file, t.loc.line, t.loc.col);
  }

  // ----- bodies and expressions
  parseBraceBody(): Expr[] {
    this.expectPunct('{');
    const saved = this.nesting;
    this.nesting = 0;
    const body = this.parseExprList('}');
    this.nesting = saved;
    this.expectPunct('}');
    if (body.length === 0) throw this.error('found empty body');
    return body;
  }

  /** Expressions separated by ';' or newlines, until `close` (not consumed) or EOF. */
  parseExprList(close: string | null): Expr[] {
    const out: Expr[] = [];
    for (;;) {
      while (this.isPunct(';')) this.next();
      if (close !== null ? this.isPunct(close) || this.tok.kind === 'eof' : this.tok.kind === 'eof') break;
      out.push(this.parseExpr());
      if (this.isPunct(';')) continue;
      if (close !== null && this.isPunct(close)) break;
      if (this.tok.kind === 'eof') break;
      if (!this.tok.nl) throw this.error(`unexpected ${describe(this.tok)}: expected end of expression`);
    }
    return out;
  }

  parseExpr(): Expr {
    const start = this.tok;
    this.enter();
    let negated = false;
    let body: ExprBody;
    if (this.isKw('not')) {
      this.next();
      negated = true;
    }
    if (this.isKw('some')) {
      if (negated) throw this.error('"not some" is not allowed');
      body = this.parseSome();
    } else if (this.isKw('every')) {
      if (negated) throw this.error('"not every" is not supported');
      body = this.parseEvery();
    } else {
      const left = this.parseMembership(true);
      if (this.isPunct('=') || this.isPunct(':=')) {
        const op = this.next().text;
        const right = this.parseMembership(true);
        body = op === ':=' ? { kind: 'assign', left, right } : { kind: 'unify', left, right };
      } else {
        body = { kind: 'term', term: left };
      }
    }
    const withs: With[] = [];
    while (this.isKw('with')) {
      const wt = this.next();
      const target = this.parseRefTerm();
      if (!this.isKw('as')) throw this.error('expected "as" in with modifier');
      this.next();
      const value = this.parseMembership(false);
      withs.push({ target, value, loc: this.loc(wt) });
    }
    this.leave();
    return { body, negated, withs, loc: this.loc(start) };
  }

  protected parseSome(): ExprBody {
    this.next();
    const terms: Term[] = [this.parseRelation()];
    while (this.isPunct(',')) {
      this.next();
      terms.push(this.parseRelation());
    }
    if (this.isKw('in')) {
      this.next();
      if (terms.length > 2) throw this.error('"some" with "in" takes one or two terms');
      const coll = this.parseRelation();
      return terms.length === 2 ? { kind: 'somein', key: terms[0], value: terms[1], coll } : { kind: 'somein', key: null, value: terms[0], coll };
    }
    for (const t of terms) if (t.type !== 'var') throw new ParseError('expected a variable in "some" declaration', this.file, t.loc.line, t.loc.col);
    return { kind: 'some', vars: terms };
  }

  protected parseEvery(): ExprBody {
    this.next();
    const first = this.parseRelation();
    let key: Term | null = null;
    let value = first;
    if (this.isPunct(',')) {
      this.next();
      key = first;
      value = this.parseRelation();
    }
    for (const t of key ? [key, value] : [value]) if (t.type !== 'var') throw new ParseError('expected a variable in "every"', this.file, t.loc.line, t.loc.col);
    if (!this.isKw('in')) throw this.error('expected "in" in "every"');
    this.next();
    const coll = this.parseRelation();
    const body = this.parseBraceBody();
    return { kind: 'every', key, value, coll, body };
  }

  /** `x in xs`, `k, v in xs` (only at expression level) or a relation. */
}

function wrap<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SyntaxError_) throw new ParseError(e.message, file, e.line, e.col);
    if (e instanceof RangeError) throw new ParseError('input nested too deeply to parse', file, 1, 1);
    throw e;
  }
}

/** Parses one module. Throws ParseError (file:line:col). */
export function parseModule(file: string, source: string, opts: ParseOptions): Module {
  return wrap(file, () => new Parser(tokenize(source), file).parseModule(opts.regoVersion === 'v1'));
}

/** Parses a query (expressions separated by ';' or newlines). All future keywords are enabled. */
export function parseQuery(source: string, opts: ParseOptions & { file?: string } = { regoVersion: 'v1' }): Expr[] {
  const file = opts.file ?? 'query';
  return wrap(file, () => {
    const p = new Parser(tokenize(source), file);
    p.enableKeywords(FUTURE_KEYWORDS);
    if (opts.regoVersion === 'v1') p.enableV1();
    const body = p.parseExprList(null);
    if (body.length === 0) throw new ParseError('empty query', file, 1, 1);
    return body;
  });
}

/** Parses a single term (e.g. a `with` value given on the command line). */
export function parseTermSource(source: string, file = 'term'): Term {
  return wrap(file, () => {
    const p = new Parser(tokenize(source), file);
    p.enableKeywords(FUTURE_KEYWORDS);
    return p.parseTermExpr();
  });
}
