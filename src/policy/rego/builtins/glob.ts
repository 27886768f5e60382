/**
 * glob.match and glob.quote_meta with the semantics of gobwas/glob, which OPA uses:
 * `*` any run of non-delimiter characters, `**` any run at all, `?` one non-delimiter character,
 * `[abc]`, `[a-z]`, `[!a-z]` classes, `{a,b}` alternatives (nestable), `\` escapes.
 * A glob is translated once into an anchored RE2 pattern, so matching is linear time.
 */
import { named, str, typeError, elementError } from './args';
import { compileRegex, matches } from './re2cache';
import { quoteMeta } from './regex';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import type { Value } from '../value';
import type RE2 from 're2';

const MAX_TRANSLATIONS = 1000;
/** Deepest nesting of {…} alternatives accepted. */
const MAX_NESTING = 64;
const translations = new Map<string, string>();

function classEscape(ch: string): string {
  return /[\\\]\[^-]/.test(ch) ? '\\' + ch : ch;
}

class GlobParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string, private readonly notDelim: string, private readonly notDelimOne: string) {}

  parse(): string {
    const out = this.sequence(false);
    if (this.i < this.src.length) throw new BuiltinError(`unexpected '${this.src[this.i]}' in glob pattern`);
    return out;
  }

  /** A run of glob syntax; inside braces it stops at ',' or '}'. */
  private sequence(inTerms: boolean): string {
    let out = '';
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i];
      if (inTerms && (c === ',' || c === '}')) return out;
      if (c === '*') {
        if (s[this.i + 1] === '*') {
          out += '.*';
          this.i += 2;
        } else {
          out += this.notDelim;
          this.i++;
        }
      } else if (c === '?') {
        out += this.notDelimOne;
        this.i++;
      } else if (c === '[') {
        out += this.range();
      } else if (c === '{') {
        out += this.terms();
      } else if (c === '\\') {
        if (this.i + 1 >= s.length) throw new BuiltinError('glob pattern ends with an unfinished escape');
        const cp = String.fromCodePoint(s.codePointAt(this.i + 1) as number);
        out += quoteMeta(cp);
        this.i += 1 + cp.length;
      } else {
        const cp = String.fromCodePoint(s.codePointAt(this.i) as number);
        out += quoteMeta(cp);
        this.i += cp.length;
      }
    }
    return out;
  }

  private range(): string {
    const s = this.src;
    this.i++; // '['
    let negate = false;
    if (s[this.i] === '!') {
      negate = true;
      this.i++;
    }
    let body = '';
    let any = false;
    while (this.i < s.length && s[this.i] !== ']') {
      let ch = String.fromCodePoint(s.codePointAt(this.i) as number);
      if (ch === '\\' && this.i + 1 < s.length) {
        this.i++;
        ch = String.fromCodePoint(s.codePointAt(this.i) as number);
      }
      this.i += ch.length;
      if (s[this.i] === '-' && this.i + 1 < s.length && s[this.i + 1] !== ']') {
        this.i++;
        const hi = String.fromCodePoint(s.codePointAt(this.i) as number);
        this.i += hi.length;
        if ((hi.codePointAt(0) as number) < (ch.codePointAt(0) as number)) throw new BuiltinError(`invalid range ${ch}-${hi} in glob pattern`);
        body += classEscape(ch) + '-' + classEscape(hi);
      } else body += classEscape(ch);
      any = true;
    }
    if (this.i >= s.length) throw new BuiltinError("unclosed '[' in glob pattern");
    this.i++; // ']'
    if (!any) throw new BuiltinError('empty character class in glob pattern');
    return negate ? `[^${body}]` : `[${body}]`;
  }

  private terms(): string {
    this.i++; // '{'
    if (++this.depth > MAX_NESTING) throw new BuiltinError(`glob pattern nests alternatives deeper than ${MAX_NESTING} levels`);
    const alternatives: string[] = [];
    for (;;) {
      alternatives.push(this.sequence(true));
      const c = this.src[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        break;
      }
      throw new BuiltinError("unclosed '{' in glob pattern");
    }
    this.depth--;
    return '(?:' + alternatives.join('|') + ')';
  }
}

/** The anchored RE2 pattern equivalent to `glob` with the given delimiter characters. */
export function globToRegex(glob: string, delimiters: string[]): string {
  const key = delimiters.join('') + '\u0000' + glob;
  const hit = translations.get(key);
  if (hit !== undefined) return hit;
  const cls = delimiters.map(classEscape).join('');
  const notDelim = cls ? `[^${cls}]*` : '.*';
  const notDelimOne = cls ? `[^${cls}]` : '.';
  const pattern = '(?s)^' + new GlobParser(glob, notDelim, notDelimOne).parse() + '$';
  if (translations.size >= MAX_TRANSLATIONS) translations.delete(translations.keys().next().value as string);
  translations.set(key, pattern);
  return pattern;
}

type GlobMatcher = (subject: string) => boolean;

/**
 * Allowlist-style globs (a literal, optionally ending in `*` or `**`) match with string tests:
 * a call into RE2 costs far more than comparing a short prefix. Everything else uses RE2.
 */
function literalGlobMatcher(glob: string, delimiters: string[]): GlobMatcher | null {
  let lit = glob;
  let tail: 'none' | 'one' | 'any' = 'none';
  if (glob.endsWith('**')) {
    lit = glob.slice(0, -2);
    tail = 'any';
  } else if (glob.endsWith('*')) {
    lit = glob.slice(0, -1);
    tail = 'one';
  }
  if (GLOB_SPECIAL_CHAR.test(lit)) return null;
  if (tail === 'none') return (s) => s === lit;
  if (tail === 'any' || delimiters.length === 0) return (s) => s.startsWith(lit);
  // Astral delimiters would need code point iteration: leave those to RE2.
  if (delimiters.some((d) => d.length !== 1)) return null;
  const delims = delimiters.join('');
  return (s) => {
    if (!s.startsWith(lit)) return false;
    for (let i = lit.length; i < s.length; i++) if (delims.includes(s[i])) return false;
    return true;
  };
}

const GLOB_SPECIAL_CHAR = /[*?\\[\]{},]/;

/** Compiled globs by delimiters + pattern, so the hot path is one Map lookup and one test. */
const compiledGlobs = new Map<string, GlobMatcher>();

function compiledGlob(glob: string, delimiters: string[]): GlobMatcher {
  const key = (delimiters.length === 1 ? delimiters[0] : delimiters.join('')) + '\u0000' + glob;
  let m = compiledGlobs.get(key);
  if (m === undefined) {
    m = literalGlobMatcher(glob, delimiters) ?? regexMatcher(compileRegex(globToRegex(glob, delimiters)));
    if (compiledGlobs.size >= MAX_TRANSLATIONS) compiledGlobs.delete(compiledGlobs.keys().next().value as string);
    compiledGlobs.set(key, m);
  }
  return m;
}

function regexMatcher(re: RE2): GlobMatcher {
  return (s) => matches(re, s);
}

function delimitersOf(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw typeError(2, v, 'array', 'null');
  if (v.length === 0) return ['.'];
  return v.map((d) => {
    if (typeof d !== 'string') throw elementError(2, v, d, 'string');
    if ([...d].length !== 1) throw elementError(2, v, d, 'rune');
    return d;
  });
}

const GLOB_SPECIALS = /[*?\\[\]{},]/g;

export const builtins: BuiltinDef[] = named([
  {
    name: 'glob.match',
    arity: 3,
    fn: (args) => {
      const pattern = str(args, 0);
      const delimiters = delimitersOf(args[1]);
      const subject = str(args, 2);
      return compiledGlob(pattern, delimiters)(subject);
    },
  },
  {
    name: 'glob.quote_meta',
    arity: 1,
    fn: (args) => str(args, 0).replace(GLOB_SPECIALS, '\\$&'),
  },
]);
