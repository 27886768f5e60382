/** Operators and core builtins: comparison, arithmetic, set algebra, count, membership (`in`), print. */
import { RegoSet, Value, compareValues, isObject, objectEntries, objectGet, objectSize, typeName, valueEquals } from '../value';
import { BuiltinDef, BuiltinError } from './types';

export function operandError(name: string, pos: number, expected: string, got: Value): BuiltinError {
  return new BuiltinError(`${name}: operand ${pos} must be ${expected} but got ${typeName(got)}`);
}

function num(name: string, args: Value[], i: number): number {
  const v = args[i];
  if (typeof v !== 'number') throw operandError(name, i + 1, 'number', v);
  return v;
}

function set(name: string, args: Value[], i: number): RegoSet {
  const v = args[i];
  if (!(v instanceof RegoSet)) throw operandError(name, i + 1, 'set', v);
  return v;
}

function arith(name: string, op: (a: number, b: number) => number): BuiltinDef {
  return { name, arity: 2, fn: (args) => op(num(name, args, 0), num(name, args, 1)) };
}

function compare(name: string, test: (c: number) => boolean): BuiltinDef {
  return { name, arity: 2, fn: (args) => test(compareValues(args[0], args[1])) };
}

function intersection(a: RegoSet, b: RegoSet): RegoSet {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  const out = new RegoSet();
  for (const v of small.members()) if (big.has(v)) out.add(v);
  return out;
}

function union(a: RegoSet, b: RegoSet): RegoSet {
  const out = new RegoSet();
  for (const v of a.members()) out.add(v);
  for (const v of b.members()) out.add(v);
  return out;
}

function difference(a: RegoSet, b: RegoSet): RegoSet {
  const out = new RegoSet();
  for (const v of a.members()) if (!b.has(v)) out.add(v);
  return out;
}

/** Number of Unicode code points (OPA counts runes). */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

function isInt(n: number): boolean {
  return Number.isInteger(n);
}

export const builtins: BuiltinDef[] = [
  { name: 'equal', arity: 2, fn: (a) => valueEquals(a[0], a[1]) },
  { name: 'neq', arity: 2, fn: (a) => !valueEquals(a[0], a[1]) },
  compare('lt', (c) => c < 0),
  compare('gt', (c) => c > 0),
  compare('lte', (c) => c <= 0),
  compare('gte', (c) => c >= 0),
  arith('plus', (a, b) => a + b),
  arith('mul', (a, b) => a * b),
  {
    name: 'minus',
    arity: 2,
    fn: (args) => {
      const [a, b] = args;
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      if (a instanceof RegoSet && b instanceof RegoSet) return difference(a, b);
      if (typeof a !== 'number' && !(a instanceof RegoSet)) throw operandError('minus', 1, 'number or set', a);
      throw operandError('minus', 2, typeof a === 'number' ? 'number' : 'set', b);
    },
  },
  {
    name: 'div',
    arity: 2,
    fn: (args) => {
      const a = num('div', args, 0);
      const b = num('div', args, 1);
      if (b === 0) throw new BuiltinError('div: divide by zero');
      return a / b;
    },
  },
  {
    name: 'rem',
    arity: 2,
    fn: (args) => {
      const a = num('rem', args, 0);
      const b = num('rem', args, 1);
      if (!isInt(a) || !isInt(b)) throw new BuiltinError('rem: modulo on floating-point number');
      if (b === 0) throw new BuiltinError('rem: modulo by zero');
      const r = a % b;
      return r === 0 ? 0 : r; // no -0
    },
  },
  { name: 'and', arity: 2, fn: (args) => intersection(set('and', args, 0), set('and', args, 1)) },
  { name: 'or', arity: 2, fn: (args) => union(set('or', args, 0), set('or', args, 1)) },
  {
    name: 'count',
    arity: 1,
    fn: (args) => {
      const v = args[0];
      if (typeof v === 'string') return runeCount(v);
      if (Array.isArray(v)) return v.length;
      if (v instanceof RegoSet) return v.size;
      if (isObject(v)) return objectSize(v);
      throw operandError('count', 1, 'any of {array, object, set, string}', v);
    },
  },
  {
    name: 'internal.member_2',
    arity: 2,
    fn: (args) => {
      const [x, c] = args;
      if (c instanceof RegoSet) return c.has(x);
      if (Array.isArray(c)) {
        for (const e of c) if (valueEquals(e, x)) return true;
        return false;
      }
      if (isObject(c)) {
        for (const [, v] of objectEntries(c)) if (valueEquals(v, x)) return true;
        return false;
      }
      return false;
    },
  },
  {
    name: 'internal.member_3',
    arity: 3,
    fn: (args) => {
      const [k, x, c] = args;
      if (Array.isArray(c)) {
        if (typeof k !== 'number' || !isInt(k) || k < 0 || k >= c.length) return false;
        return valueEquals(c[k], x);
      }
      if (isObject(c)) {
        const v = objectGet(c, k);
        return v !== undefined && valueEquals(v, x);
      }
      return false;
    },
  },
  // print is variadic (arity -1); the compiler formats its arguments and calls ctx.print.
  { name: 'print', arity: -1, fn: () => true },
];
