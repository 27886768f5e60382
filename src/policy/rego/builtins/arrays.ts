/** Array builtins: array.concat, array.slice, array.reverse. */
import { arr, num, named } from './args';
import type { BuiltinDef } from './types';

export const builtins: BuiltinDef[] = named([
  {
    name: 'array.concat',
    arity: 2,
    fn: (args) => {
      const a = arr(args, 0);
      const b = arr(args, 1);
      return a.length === 0 ? b : b.length === 0 ? a : a.concat(b);
    },
  },
  {
    name: 'array.slice',
    arity: 3,
    fn: (args) => {
      const a = arr(args, 0);
      let start = num(args, 1);
      let stop = num(args, 2);
      // OPA rejects fractional indices; like the regorus suite we make that undefined rather than
      // an error, since no slice exists for them.
      if (!Number.isInteger(start) || !Number.isInteger(stop)) return undefined;
      if (start < 0) start = 0;
      if (stop > a.length) stop = a.length;
      if (start >= stop) return [];
      return a.slice(start, stop);
    },
  },
  {
    name: 'array.reverse',
    arity: 1,
    fn: (args) => arr(args, 0).slice().reverse(),
  },
]);
