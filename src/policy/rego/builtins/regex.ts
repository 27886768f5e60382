/**
 * Regex builtins with Go regexp (RE2) semantics, always through the `re2` package (linear time):
 * regex.match, regex.is_valid, regex.find_n, regex.find_all_string_submatch_n, regex.split,
 * regex.replace (Go `$1` / `${name}` templates) and regex.template_match.
 */
import { int, named, str } from './args';
import { compileRegex, findAll, matches } from './re2cache';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import type RE2 from 're2';

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** Go's Regexp.Expand for one match: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(template: string, groups: (string | undefined)[], whole: string, named: Record<string, string> | undefined): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) { out += template.slice(i); break; }
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === '$') { out += '$'; i++; continue; }
    let name: string | undefined;
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      const inner = close < 0 ? '' : template.slice(i + 1, close);
      if (close > 0 && /^[A-Za-z0-9_]+$/.test(inner)) { name = inner; i = close + 1; }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i));
      if (m) { name = m[0]; i += m[0].length; }
    }
    if (name === undefined) { out += '$'; continue; }
    if (/^[0-9]+$/.test(name)) {
      const n = Number(name);
      out += n === 0 ? whole : groups[n - 1] ?? '';
    } else out += named?.[name] ?? '';
  }
  return out;
}

/** Go's Regexp.Split(s, -1). */
function split(re: RE2, s: string): string[] {
  if (s === '') return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(re, s, -1)) {
    end = m.start;
    if (m.end !== 0) out.push(s.slice(beg, end));
    beg = m.end;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Offsets of top-level delimited sections in a template, checking they balance. */
function delimiterIndices(tpl: string, open: string, close: string): number[] {
  let level = 0;
  let idx = 0;
  const out: number[] = [];
  for (let i = 0; i < tpl.length; i++) {
    if (tpl[i] === open) {
      if (level++ === 0) idx = i;
    } else if (tpl[i] === close) {
      if (--level === 0) out.push(idx, i + 1);
      else if (level < 0) throw new BuiltinError(`unbalanced braces in ${JSON.stringify(tpl)}`);
    }
  }
  if (level !== 0) throw new BuiltinError(`unbalanced braces in ${JSON.stringify(tpl)}`);
  return out;
}

function templateRegex(tpl: string, open: string, close: string): RE2 {
  const idx = delimiterIndices(tpl, open, close);
  let pattern = '^';
  let end = 0;
  for (let i = 0; i < idx.length; i += 2) {
    const raw = tpl.slice(end, idx[i]);
    end = idx[i + 1];
    const inner = tpl.slice(idx[i] + 1, end - 1);
    compileRegex(`^${inner}$`); // validates each section on its own, as OPA does
    pattern += `${quoteMeta(raw)}(${inner})`;
  }
  return compileRegex(pattern + quoteMeta(tpl.slice(end)) + '$');
}

function oneChar(args: Parameters<typeof str>[0], i: number, what: string): string {
  const s = str(args, i);
  if (s.length !== 1) throw new BuiltinError(`${what} delimiter has to be exactly one character long but is ${s.length} long`);
  return s;
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'regex.match',
    arity: 2,
    fn: (args) => matches(compileRegex(str(args, 0)), str(args, 1)),
  },
  {
    name: 'regex.is_valid',
    arity: 1,
    fn: (args) => {
      const p = args[0];
      if (typeof p !== 'string') return false;
      try {
        compileRegex(p);
        return true;
      } catch (e) {
        if (e instanceof BuiltinError) return false;
        throw e;
      }
    },
  },
  {
    name: 'regex.find_n',
    arity: 3,
    fn: (args) => {
      const s = str(args, 1);
      return findAll(compileRegex(str(args, 0)), s, int(args, 2)).map((m) => s.slice(m.start, m.end));
    },
  },
  {
    name: 'regex.find_all_string_submatch_n',
    arity: 3,
    fn: (args) => {
      const s = str(args, 1);
      return findAll(compileRegex(str(args, 0)), s, int(args, 2)).map((m) => [s.slice(m.start, m.end), ...m.groups.map((g) => g ?? '')]);
    },
  },
  {
    name: 'regex.split',
    arity: 2,
    fn: (args) => split(compileRegex(str(args, 0)), str(args, 1)),
  },
  {
    name: 'regex.replace',
    arity: 3,
    fn: (args) => {
      const s = str(args, 0);
      const re = compileRegex(str(args, 1));
      const tpl = str(args, 2);
      const found = findAll(re, s, -1);
      if (found.length === 0) return s;
      const literal = !tpl.includes('$');
      let out = '';
      let last = 0;
      for (const m of found) {
        out += s.slice(last, m.start);
        out += literal ? tpl : expand(tpl, m.groups, s.slice(m.start, m.end), m.named);
        last = m.end;
      }
      return out + s.slice(last);
    },
  },
  {
    name: 'regex.template_match',
    arity: 4,
    fn: (args) => {
      const tpl = str(args, 0);
      const s = str(args, 1);
      const re = templateRegex(tpl, oneChar(args, 2, 'start'), oneChar(args, 3, 'end'));
      return matches(re, s);
    },
  },
]);
