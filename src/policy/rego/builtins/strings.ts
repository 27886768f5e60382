/**
 * String builtins with Go's semantics as OPA exposes them: positions and lengths count Unicode
 * code points (Go runes), not UTF-16 units; trimming uses Go's cutset and white-space rules.
 */
import { arr, int, named, num, obj, operandError, str, stringOrStrings, strings } from './args';
import { goSprintf } from './sprintf';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import { compareStrings, objectEntries } from '../value';

/** Code points before UTF-16 offset `unitIndex`. */
function runeIndex(s: string, unitIndex: number): number {
  let n = 0;
  for (let i = 0; i < unitIndex; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < unitIndex) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Go's unicode.IsSpace. */
function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function trimBy(s: string, drop: (cp: number) => boolean, left: boolean, right: boolean): string {
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && drop(cps[a].codePointAt(0) as number)) a++;
  if (right) while (b > a && drop(cps[b - 1].codePointAt(0) as number)) b--;
  return a === 0 && b === cps.length ? s : cps.slice(a, b).join('');
}

function cutset(chars: string): (cp: number) => boolean {
  if (chars.length === 1) {
    const only = chars.charCodeAt(0);
    return (cp) => cp === only;
  }
  const set = new Set<number>();
  for (const ch of chars) set.add(ch.codePointAt(0) as number);
  return (cp) => set.has(cp);
}

/** Go's strings.NewReplacer(old1, new1, ...).Replace: leftmost match, earlier pairs win ties. */
function replaceMany(s: string, pairs: [string, string][]): string {
  if (pairs.length === 0 || s.length === 0 && !pairs.some(([o]) => o === '')) return s;
  let out = '';
  let i = 0;
  while (i <= s.length) {
    let hit: [string, string] | undefined;
    for (const p of pairs) if (s.startsWith(p[0], i)) { hit = p; break; }
    if (hit && hit[0] !== '') {
      out += hit[1];
      i += hit[0].length;
      continue;
    }
    if (hit) out += hit[1];
    if (i === s.length) break;
    const cp = s.codePointAt(i) as number;
    const step = cp > 0xffff ? 2 : 1;
    out += s.slice(i, i + step);
    i += step;
  }
  return out;
}

function formatIntIn(n: number, base: number): string {
  const t = Math.trunc(n);
  // Beyond 2^53 a double is an integer already; BigInt keeps every digit Go would print.
  return Math.abs(t) < Number.MAX_SAFE_INTEGER ? t.toString(base) : BigInt(t).toString(base);
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'concat',
    arity: 2,
    fn: (args) => {
      const sep = str(args, 0);
      return strings(args, 1).join(sep);
    },
  },
  { name: 'contains', arity: 2, fn: (args) => str(args, 0).includes(str(args, 1)) },
  { name: 'startswith', arity: 2, fn: (args) => str(args, 0).startsWith(str(args, 1)) },
  { name: 'endswith', arity: 2, fn: (args) => str(args, 0).endsWith(str(args, 1)) },
  { name: 'lower', arity: 1, fn: (args) => str(args, 0).toLowerCase() },
  { name: 'upper', arity: 1, fn: (args) => str(args, 0).toUpperCase() },
  {
    name: 'split',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const sep = str(args, 1);
      return sep === '' ? [...s] : s.split(sep);
    },
  },
  {
    name: 'replace',
    arity: 3,
    fn: (args) => {
      const s = str(args, 0);
      const old = str(args, 1);
      const rep = str(args, 2);
      if (old === '') return replaceMany(s, [['', rep]]);
      return s.replaceAll(old, rep);
    },
  },
  {
    name: 'strings.replace_n',
    arity: 2,
    fn: (args) => {
      const patterns = obj(args, 0);
      const s = str(args, 1);
      const pairs: [string, string][] = [];
      for (const [k, v] of objectEntries(patterns)) {
        if (typeof k !== 'string') throw operandError(1, 'non-string key found in pattern object');
        if (typeof v !== 'string') throw operandError(1, 'non-string value found in pattern object');
        pairs.push([k, v]);
      }
      pairs.sort((a, b) => compareStrings(a[0], b[0]));
      return replaceMany(s, pairs);
    },
  },
  {
    name: 'sprintf',
    arity: 2,
    fn: (args) => goSprintf(str(args, 0), arr(args, 1)),
  },
  { name: 'trim', arity: 2, fn: (args) => trimBy(str(args, 0), cutset(str(args, 1)), true, true) },
  { name: 'trim_left', arity: 2, fn: (args) => trimBy(str(args, 0), cutset(str(args, 1)), true, false) },
  { name: 'trim_right', arity: 2, fn: (args) => trimBy(str(args, 0), cutset(str(args, 1)), false, true) },
  {
    name: 'trim_prefix',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const p = str(args, 1);
      return p !== '' && s.startsWith(p) ? s.slice(p.length) : s;
    },
  },
  {
    name: 'trim_suffix',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const p = str(args, 1);
      return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
    },
  },
  { name: 'trim_space', arity: 1, fn: (args) => trimBy(str(args, 0), isGoSpace, true, true) },
  {
    name: 'substring',
    arity: 3,
    fn: (args) => {
      const s = str(args, 0);
      const start = int(args, 1);
      const length = int(args, 2);
      if (start < 0) throw new BuiltinError('negative offset');
      if (isAscii(s)) {
        if (start >= s.length) return '';
        return length < 0 ? s.slice(start) : s.slice(start, start + length);
      }
      const cps = [...s];
      if (start >= cps.length) return '';
      return (length < 0 ? cps.slice(start) : cps.slice(start, start + length)).join('');
    },
  },
  {
    name: 'indexof',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const search = str(args, 1);
      // OPA errors on an empty needle; "not found" is the useful, non-failing answer.
      if (search === '') return -1;
      const at = s.indexOf(search);
      return at <= 0 || isAscii(s) ? at : runeIndex(s, at);
    },
  },
  {
    name: 'indexof_n',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const search = str(args, 1);
      if (search === '') return [];
      const out: number[] = [];
      const ascii = isAscii(s);
      // Overlapping matches, as OPA reports them.
      for (let at = s.indexOf(search); at >= 0; at = s.indexOf(search, at + 1)) out.push(ascii ? at : runeIndex(s, at));
      return out;
    },
  },
  {
    name: 'format_int',
    arity: 2,
    fn: (args) => {
      const n = num(args, 0);
      const base = num(args, 1);
      if (base !== 2 && base !== 8 && base !== 10 && base !== 16) throw operandError(2, 'must be one of {2, 8, 10, 16}');
      return formatIntIn(n, base);
    },
  },
  { name: 'strings.reverse', arity: 1, fn: (args) => [...str(args, 0)].reverse().join('') },
  {
    name: 'strings.any_prefix_match',
    arity: 2,
    fn: (args) => {
      const subjects = stringOrStrings(args, 0);
      const prefixes = stringOrStrings(args, 1);
      return subjects.some((s) => prefixes.some((p) => s.startsWith(p)));
    },
  },
  {
    name: 'strings.any_suffix_match',
    arity: 2,
    fn: (args) => {
      const subjects = stringOrStrings(args, 0);
      const suffixes = stringOrStrings(args, 1);
      return subjects.some((s) => suffixes.some((p) => s.endsWith(p)));
    },
  },
  {
    name: 'strings.count',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const sub = str(args, 1);
      if (sub === '') return [...s].length + 1;
      let n = 0;
      for (let at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length)) n++;
      return n;
    },
  },
]);
