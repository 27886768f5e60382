/**
 * regex.globs_match: whether two glob-style patterns have a non-empty string in common. As in
 * OPA (glob-intersection), only `.`, `*`, `+`, `[`, `-`, `]` and `\` are special: a pattern is a
 * sequence of character classes, each optionally repeated (`*` zero or more, `+` one or more).
 * The check is a reachability search over the product of the two patterns' automata.
 */
import { named, str } from './args';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';

/** A character class: any character, or a union of inclusive code point ranges. */
type CharClass = 'any' | [number, number][];

interface Token {
  cls: CharClass;
  /** true for a `*`-repeated class (an optional loop); `+` is written as class then class* */
  star: boolean;
}

const MAX_PATTERN = 4096;

function parseGlob(p: string): Token[] {
  if (p.length > MAX_PATTERN) throw new BuiltinError(`pattern longer than ${MAX_PATTERN} characters`);
  const cps = [...p];
  const out: Token[] = [];
  let i = 0;
  const literal = (): number => {
    if (cps[i] === '\\') {
      if (i + 1 >= cps.length) throw new BuiltinError(`trailing escape in ${JSON.stringify(p)}`);
      i++;
    }
    return cps[i++].codePointAt(0) as number;
  };
  while (i < cps.length) {
    let cls: CharClass;
    const c = cps[i];
    if (c === '*' || c === '+') throw new BuiltinError(`${JSON.stringify(p)}: '${c}' must follow a character or class`);
    if (c === ']') throw new BuiltinError(`${JSON.stringify(p)}: unmatched ']'`);
    if (c === '.') {
      cls = 'any';
      i++;
    } else if (c === '[') {
      i++;
      const ranges: [number, number][] = [];
      while (i < cps.length && cps[i] !== ']') {
        const lo = literal();
        if (cps[i] === '-' && i + 1 < cps.length && cps[i + 1] !== ']') {
          i++;
          const hi = literal();
          if (hi < lo) throw new BuiltinError(`${JSON.stringify(p)}: invalid range`);
          ranges.push([lo, hi]);
        } else ranges.push([lo, lo]);
      }
      if (i >= cps.length) throw new BuiltinError(`${JSON.stringify(p)}: unclosed '['`);
      if (ranges.length === 0) throw new BuiltinError(`${JSON.stringify(p)}: empty character class`);
      i++;
      cls = ranges;
    } else {
      const cp = literal();
      cls = [[cp, cp]];
    }
    const q = cps[i];
    if (q === '*') {
      out.push({ cls, star: true });
      i++;
    } else if (q === '+') {
      out.push({ cls, star: false }, { cls, star: true });
      i++;
    } else out.push({ cls, star: false });
  }
  return out;
}

function intersects(a: CharClass, b: CharClass): boolean {
  if (a === 'any' || b === 'any') return true;
  for (const [lo1, hi1] of a) for (const [lo2, hi2] of b) if (lo1 <= hi2 && lo2 <= hi1) return true;
  return false;
}

/** Positions reachable from `i` by skipping starred tokens. */
function closure(tokens: Token[], i: number): number[] {
  const out = [i];
  while (i < tokens.length && tokens[i].star) out.push(++i);
  return out;
}

function nonEmptyIntersection(a: Token[], b: Token[]): boolean {
  // State: positions in a and b, and whether at least one character has been consumed.
  const seen = new Set<number>();
  const width = b.length + 1;
  const queue: [number, number, boolean][] = [];
  const push = (i: number, j: number, consumed: boolean): void => {
    for (const x of closure(a, i)) {
      for (const y of closure(b, j)) {
        const key = ((x * width + y) << 1) | (consumed ? 1 : 0);
        if (!seen.has(key)) {
          seen.add(key);
          queue.push([x, y, consumed]);
        }
      }
    }
  };
  push(0, 0, false);
  for (let k = 0; k < queue.length; k++) {
    const [i, j, consumed] = queue[k];
    if (consumed && i === a.length && j === b.length) return true;
    if (i === a.length || j === b.length) continue;
    const ta = a[i];
    const tb = b[j];
    if (!intersects(ta.cls, tb.cls)) continue;
    // Each token either stays (a starred loop) or advances after consuming one character.
    for (const ni of ta.star ? [i, i + 1] : [i + 1]) for (const nj of tb.star ? [j, j + 1] : [j + 1]) push(ni, nj, true);
  }
  return false;
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'regex.globs_match',
    arity: 2,
    fn: (args) => nonEmptyIntersection(parseGlob(str(args, 0)), parseGlob(str(args, 1))),
  },
]);
