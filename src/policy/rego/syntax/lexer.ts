/** Rego tokenizer. Newlines are not tokens: each token records whether a newline preceded it. */

export type TokenKind = 'ident' | 'number' | 'string' | 'rawstring' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** identifier name, punctuation text, number source text, or decoded string value */
  text: string;
  line: number;
  col: number;
  /** a newline (or start of file) separates this token from the previous one */
  nl: boolean;
  /** whitespace or a comment separates this token from the previous one */
  space: boolean;
}

export class SyntaxError_ extends Error {
  constructor(message: string, readonly line: number, readonly col: number) {
    super(message);
  }
}

const PUNCT3 = new Set<string>([]);
const PUNCT2 = new Set([':=', '==', '!=', '<=', '>=']);
const PUNCT1 = new Set(['{', '}', '[', ']', '(', ')', '.', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|']);

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Tokenizes a whole module; throws SyntaxError_ with line/col on bad input. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nl = true;
  let space = true;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) { i++; line++; lineStart = i; nl = true; space = true; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 0xfeff) { i++; space = true; continue; }
    if (c === 35) { // '#' comment to end of line
      while (i < n && src.charCodeAt(i) !== 10) i++;
      space = true;
      continue;
    }
    const col = i - lineStart + 1;
    const push = (kind: TokenKind, text: string): void => {
      out.push({ kind, text, line, col, nl, space });
      nl = false;
      space = false;
    };
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(src.charCodeAt(j))) j++;
      push('ident', src.slice(i, j));
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i;
      while (j < n && isDigit(src.charCodeAt(j))) j++;
      if (src.charCodeAt(j) === 46 && isDigit(src.charCodeAt(j + 1))) {
        j++;
        while (j < n && isDigit(src.charCodeAt(j))) j++;
      }
      const e = src.charCodeAt(j);
      if (e === 101 || e === 69) {
        let k = j + 1;
        if (src.charCodeAt(k) === 43 || src.charCodeAt(k) === 45) k++;
        if (isDigit(src.charCodeAt(k))) {
          while (k < n && isDigit(src.charCodeAt(k))) k++;
          j = k;
        }
      }
      if (j < n && isIdentStart(src.charCodeAt(j))) throw new SyntaxError_(`invalid number literal "${src.slice(i, j + 1)}"`, line, col);
      push('number', src.slice(i, j));
      i = j;
      continue;
    }
    if (c === 34) { // "string"
      let j = i + 1;
      let buf = '';
      let seg = j;
      for (;;) {
        if (j >= n || src.charCodeAt(j) === 10) throw new SyntaxError_('non-terminated string', line, col);
        const d = src.charCodeAt(j);
        if (d === 34) break;
        if (d === 92) {
          buf += src.slice(seg, j);
          const e = src[j + 1];
          switch (e) {
            case '"': buf += '"'; break;
            case '\\': buf += '\\'; break;
            case '/': buf += '/'; break;
            case 'b': buf += '\b'; break;
            case 'f': buf += '\f'; break;
            case 'n': buf += '\n'; break;
            case 'r': buf += '\r'; break;
            case 't': buf += '\t'; break;
            case 'u': {
              const hex = src.slice(j + 2, j + 6);
              if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxError_('invalid \\u escape in string', line, j - lineStart + 1);
              buf += String.fromCharCode(parseInt(hex, 16));
              j += 4;
              break;
            }
            default:
              throw new SyntaxError_(`invalid escape sequence "\\${e ?? ''}" in string`, line, j - lineStart + 1);
          }
          j += 2;
          seg = j;
          continue;
        }
        j++;
      }
      buf += src.slice(seg, j);
      push('string', buf);
      i = j + 1;
      continue;
    }
    if (c === 96) { // `raw string` (may span lines)
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new SyntaxError_('non-terminated raw string', line, col);
      const text = src.slice(i + 1, end);
      push('rawstring', text);
      for (let k = i + 1; k < end; k++) if (src.charCodeAt(k) === 10) { line++; lineStart = k + 1; }
      i = end + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.has(two) || PUNCT3.has(two)) { push('punct', two); i += 2; continue; }
    const one = src[i];
    if (PUNCT1.has(one)) { push('punct', one); i += 1; continue; }
    throw new SyntaxError_(`unexpected character ${JSON.stringify(one)}`, line, col);
  }
  out.push({ kind: 'eof', text: '', line, col: i - lineStart + 1, nl: true, space: true });
  return out;
}
