/**
 * Aggregates over arrays and sets: sum, product, max, min, sort (count lives with the operators;
 * the v0-only all/any are in deprecated.ts). Max/min of an empty collection is undefined, as in OPA.
 */
import { collection, elementError, named } from './args';
import type { BuiltinDef } from './types';
import { compareValues, sortedSetValues, isSet } from '../value';
import type { Value } from '../value';

function numbers(args: Value[]): number[] {
  const items = collection(args, 0);
  for (const x of items) if (typeof x !== 'number') throw elementError(1, args[0], x, 'number');
  return items as number[];
}

function extreme(args: Value[], wantGreater: boolean): Value | undefined {
  const items = collection(args, 0);
  if (items.length === 0) return undefined;
  let best = items[0];
  for (let i = 1; i < items.length; i++) {
    const c = compareValues(items[i], best);
    if (wantGreater ? c > 0 : c < 0) best = items[i];
  }
  return best;
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'sum',
    arity: 1,
    fn: (args) => {
      let s = 0;
      for (const n of numbers(args)) s += n;
      return s;
    },
  },
  {
    name: 'product',
    arity: 1,
    fn: (args) => {
      let p = 1;
      for (const n of numbers(args)) p *= n;
      return p;
    },
  },
  { name: 'max', arity: 1, fn: (args) => extreme(args, true) },
  { name: 'min', arity: 1, fn: (args) => extreme(args, false) },
  {
    name: 'sort',
    arity: 1,
    fn: (args) => {
      const v = args[0];
      if (isSet(v)) return sortedSetValues(v);
      return collection(args, 0).slice().sort(compareValues);
    },
  },
]);
