/**
 * Number builtins: numbers.range, numbers.range_step, abs, round, ceil, floor, to_number,
 * rand.intn and the bits.* family (exact integer arithmetic through BigInt, as OPA's big.Int).
 */
import { named, num, operandError, typeError } from './args';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import type { Value } from '../value';

/** Largest array numbers.range(_step) will build; larger requests are errors, not memory blow-ups. */
export const MAX_RANGE_LENGTH = 1_000_000;

function rangeOf(from: number, to: number, step: number): number[] {
  const length = Math.floor(Math.abs(to - from) / step) + 1;
  if (length > MAX_RANGE_LENGTH) throw new BuiltinError(`range of ${length} numbers exceeds the limit of ${MAX_RANGE_LENGTH}`);
  const out = new Array<number>(length);
  const dir = to >= from ? step : -step;
  for (let i = 0; i < length; i++) out[i] = from + i * dir;
  return out;
}

function integer(args: Value[], i: number): number {
  const v = args[i];
  if (typeof v !== 'number') throw typeError(i + 1, v, 'number');
  if (!Number.isInteger(v)) throw operandError(i + 1, 'must be integer number but got floating-point number');
  return v;
}

function big(args: Value[], i: number): bigint {
  const v = args[i];
  if (typeof v !== 'number') throw typeError(i + 1, v, 'number');
  if (!Number.isInteger(v)) throw operandError(i + 1, 'must be integer number but got floating-point number');
  return BigInt(v);
}

function fromBig(b: bigint): number {
  const n = Number(b);
  if (!Number.isFinite(n)) throw new BuiltinError('result is too large to represent');
  return n;
}

function shift(args: Value[]): [bigint, bigint] {
  const a = big(args, 0);
  const b = big(args, 1);
  if (b < 0n) throw operandError(2, 'must be an unsigned integer number but got a negative integer');
  // A double holds at most ~2^1024; refuse shifts that could only overflow, before computing them.
  if (b > 2048n) throw new BuiltinError('shift amount is too large');
  return [a, b];
}

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export const builtins: BuiltinDef[] = named([
  {
    name: 'numbers.range',
    arity: 2,
    fn: (args) => {
      const a = num(args, 0);
      const b = num(args, 1);
      if (!Number.isInteger(a)) throw operandError(1, 'must be integer');
      if (!Number.isInteger(b)) throw operandError(2, 'must be integer');
      return rangeOf(a, b, 1);
    },
  },
  {
    name: 'numbers.range_step',
    arity: 3,
    fn: (args) => {
      const a = num(args, 0);
      const b = num(args, 1);
      const step = num(args, 2);
      if (!Number.isInteger(a)) throw operandError(1, 'must be integer');
      if (!Number.isInteger(b)) throw operandError(2, 'must be integer');
      if (!Number.isInteger(step)) throw operandError(3, 'must be integer');
      if (step <= 0) throw new BuiltinError('step must be a positive number above zero');
      return rangeOf(a, b, step);
    },
  },
  { name: 'abs', arity: 1, fn: (args) => Math.abs(num(args, 0)) },
  {
    // Go's math.Round: halves round away from zero (JS Math.round rounds -2.5 to -2).
    name: 'round',
    arity: 1,
    fn: (args) => {
      const x = num(args, 0);
      const r = Math.sign(x) * Math.round(Math.abs(x));
      return r === 0 ? 0 : r;
    },
  },
  { name: 'ceil', arity: 1, fn: (args) => { const r = Math.ceil(num(args, 0)); return r === 0 ? 0 : r; } },
  { name: 'floor', arity: 1, fn: (args) => { const r = Math.floor(num(args, 0)); return r === 0 ? 0 : r; } },
  {
    name: 'to_number',
    arity: 1,
    fn: (args) => {
      const v = args[0];
      if (v === null) return 0;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'number') return v;
      if (typeof v === 'string') {
        if (!DECIMAL.test(v)) throw new BuiltinError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
        const n = Number(v);
        if (!Number.isFinite(n)) throw new BuiltinError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: value out of range`);
        return n;
      }
      throw typeError(1, v, 'null', 'boolean', 'number', 'string');
    },
  },
  {
    name: 'rand.intn',
    arity: 2,
    nondeterministic: true,
    fn: (args, ctx) => {
      const seed = typeof args[0] === 'string' ? args[0] : (() => { throw typeError(1, args[0], 'string'); })();
      const n = Math.abs(integer(args, 1));
      if (n === 0) return 0;
      // Same (string, n) → same number within one evaluation, as OPA caches it.
      const key = `rand.intn\u0000${seed}\u0000${n}`;
      const hit = ctx.cache.get(key);
      if (typeof hit === 'number') return hit;
      const r = Math.floor(Math.random() * n);
      ctx.cache.set(key, r);
      return r;
    },
  },
  { name: 'bits.and', arity: 2, fn: (args) => fromBig(big(args, 0) & big(args, 1)) },
  { name: 'bits.or', arity: 2, fn: (args) => fromBig(big(args, 0) | big(args, 1)) },
  { name: 'bits.xor', arity: 2, fn: (args) => fromBig(big(args, 0) ^ big(args, 1)) },
  { name: 'bits.negate', arity: 1, fn: (args) => fromBig(~big(args, 0)) },
  { name: 'bits.lsh', arity: 2, fn: (args) => { const [a, b] = shift(args); return fromBig(a << b); } },
  { name: 'bits.rsh', arity: 2, fn: (args) => { const [a, b] = shift(args); return fromBig(a >> b); } },
]);

