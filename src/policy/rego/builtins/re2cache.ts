/**
 * Compiled RE2 patterns, shared by every evaluation. Policy-supplied patterns only ever reach RE2
 * (linear time, no backtracking), never a JS RegExp. The cache is bounded: when full, the oldest
 * entry goes, so a policy that builds patterns from input cannot grow memory without limit.
 */
import RE2 from 're2';
import { BuiltinError } from './types';

const MAX_ENTRIES = 1000;
/** Longer patterns are refused: compiling them costs time and memory on every cache miss. */
const MAX_PATTERN_LENGTH = 64 * 1024;

const cache = new Map<string, RE2>();
const invalid = new Map<string, string>();

function remember<T>(m: Map<string, T>, key: string, value: T): void {
  if (m.size >= MAX_ENTRIES) {
    const oldest = m.keys().next();
    if (!oldest.done) m.delete(oldest.value);
  }
  m.set(key, value);
}

/**
 * The compiled form of `pattern` (Go/RE2 syntax) with the global flag, so callers can scan with
 * lastIndex. Throws BuiltinError("error parsing regexp: ...") for a bad pattern.
 */
export function compileRegex(pattern: string): RE2 {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    hit.lastIndex = 0;
    return hit;
  }
  const known = invalid.get(pattern);
  if (known !== undefined) throw new BuiltinError(known);
  if (pattern.length > MAX_PATTERN_LENGTH) throw new BuiltinError(`error parsing regexp: pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  let re: RE2;
  try {
    re = new RE2(pattern, 'g');
  } catch (e) {
    const msg = `error parsing regexp: ${e instanceof Error ? e.message : String(e)}`;
    remember(invalid, pattern, msg);
    throw new BuiltinError(msg);
  }
  remember(cache, pattern, re);
  return re;
}

/** One match: its UTF-16 start/end and the groups (undefined where a group did not take part). */
export interface Match {
  start: number;
  end: number;
  groups: (string | undefined)[];
  named: Record<string, string> | undefined;
}

/**
 * Go's FindAll*: successive non-overlapping matches, at most `limit` (negative = all);
 * an empty match right after the previous match is skipped.
 */
export function findAll(re: RE2, s: string, limit: number): Match[] {
  const out: Match[] = [];
  if (limit === 0) return out;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (limit < 0 || out.length < limit)) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      if (start === prevEnd) accept = false;
      // step over one code point so an empty match cannot loop
      const cp = s.codePointAt(end);
      pos = end + (cp !== undefined && cp > 0xffff ? 2 : 1);
    } else pos = end;
    prevEnd = end;
    if (accept) {
      const groups: (string | undefined)[] = [];
      for (let i = 1; i < m.length; i++) groups.push(m[i]);
      out.push({ start, end, groups, named: m.groups as Record<string, string> | undefined });
    }
  }
  re.lastIndex = 0;
  return out;
}

/** Whether `s` contains a match. */
export function matches(re: RE2, s: string): boolean {
  re.lastIndex = 0;
  const r = re.test(s);
  re.lastIndex = 0;
  return r;
}
