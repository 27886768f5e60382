/** walk (a relation over every [path, value] of a document), trace and opa.runtime. */
import { named, str } from './args';
import type { BuiltinDef } from './types';
import { compareValues, isObject, isSet, makeObject, objectEntries, sortedSetValues } from '../value';
import type { Value } from '../value';

/**
 * Pre-order [path, value] pairs: the root (path []) first, then each child in turn, keys and set
 * members in sorted order as OPA iterates them.
 */
export function walkPairs(root: Value): Value[] {
  const out: Value[] = [];
  const path: Value[] = [];
  const visit = (v: Value): void => {
    out.push([path.slice(), v]);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i]);
        path.pop();
      }
    } else if (isSet(v)) {
      for (const x of sortedSetValues(v)) {
        path.push(x);
        visit(x);
        path.pop();
      }
    } else if (isObject(v)) {
      const entries = objectEntries(v);
      entries.sort((a, b) => compareValues(a[0], b[0]));
      for (const [k, x] of entries) {
        path.push(k);
        visit(x);
        path.pop();
      }
    }
  };
  visit(root);
  return out;
}

export const builtins: BuiltinDef[] = named([
  { name: 'walk', arity: 1, relation: true, fn: (args) => walkPairs(args[0]) },
  {
    // The engine records no explain trace; the note is accepted (and type-checked) so policies
    // written for `opa eval --explain` still run.
    name: 'trace',
    arity: 1,
    fn: (args) => {
      str(args, 0);
      return true;
    },
  },
  {
    // OPA returns its version, config and the process environment. A gateway must not hand its
    // environment (database URLs, provider keys) to admin-edited policies, so env is empty.
    name: 'opa.runtime',
    arity: 0,
    fn: () => makeObject([['env', makeObject([])], ['version', 'gatehouse-rego'], ['commit', '']]),
  },
]);
