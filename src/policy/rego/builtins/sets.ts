/** Set builtins: intersection and union of a set of sets (the binary forms are the & and | operators). */
import { elementError, named, set } from './args';
import type { BuiltinDef } from './types';
import { isSet, RegoSet } from '../value';
import type { Value } from '../value';

function setsOf(args: Value[]): RegoSet[] {
  const outer = set(args, 0);
  const out: RegoSet[] = [];
  for (const s of outer.values()) {
    if (!isSet(s)) throw elementError(1, outer, s, 'set');
    out.push(s);
  }
  return out;
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'intersection',
    arity: 1,
    fn: (args) => {
      const sets = setsOf(args);
      if (sets.length === 0) return new RegoSet();
      sets.sort((a, b) => a.size - b.size);
      const out = new RegoSet();
      outer: for (const x of sets[0].members()) {
        for (let i = 1; i < sets.length; i++) if (!sets[i].has(x)) continue outer;
        out.add(x);
      }
      return out;
    },
  },
  {
    name: 'union',
    arity: 1,
    fn: (args) => {
      const out = new RegoSet();
      for (const s of setsOf(args)) for (const x of s.members()) out.add(x);
      return out;
    },
  },
]);
