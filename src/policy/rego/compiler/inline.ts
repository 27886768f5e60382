/**
 * Fast paths for the operators policies use most (==, !=, <, +, in ...): evaluated inline without an
 * argument array or a builtin call. Anything unusual (a type error, a `with` override) takes the
 * regular builtin path so errors and overrides behave exactly the same.
 */
import { RegoSet, Value, compareValues, isObject, objectEntries, valueEquals } from '../value';

/** Returns the result, or undefined to fall back to the builtin. */
export type InlineOp = (a: Value, b: Value) => Value | undefined;

function member(x: Value, c: Value): Value | undefined {
  if (c instanceof RegoSet) return c.has(x);
  if (Array.isArray(c)) {
    for (let i = 0; i < c.length; i++) {
      const e = c[i];
      if (e === x || valueEquals(e, x)) return true;
    }
    return false;
  }
  if (isObject(c)) {
    for (const [, v] of objectEntries(c)) if (valueEquals(v, x)) return true;
    return false;
  }
  return false;
}

function num(op: (a: number, b: number) => number): InlineOp {
  return (a, b) => (typeof a === 'number' && typeof b === 'number' ? op(a, b) : undefined);
}

function cmp(test: (c: number) => boolean): InlineOp {
  return (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return test(a < b ? -1 : a > b ? 1 : 0);
    if (typeof a === 'string' && typeof b === 'string' && a === b) return test(0);
    return test(compareValues(a, b));
  };
}

export const INLINE_OPS: ReadonlyMap<string, InlineOp> = new Map<string, InlineOp>([
  ['equal', (a, b) => a === b || valueEquals(a, b)],
  ['neq', (a, b) => !(a === b || valueEquals(a, b))],
  ['lt', cmp((c) => c < 0)],
  ['gt', cmp((c) => c > 0)],
  ['lte', cmp((c) => c <= 0)],
  ['gte', cmp((c) => c >= 0)],
  ['plus', num((a, b) => a + b)],
  ['minus', num((a, b) => a - b)],
  ['mul', num((a, b) => a * b)],
  ['internal.member_2', member],
]);
