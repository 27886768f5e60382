/**
 * Object builtins: object.get (key or path), object.keys, object.union(_n), object.remove,
 * object.filter, object.subset. JSON-path based ones (json.filter/remove/patch) are in json_paths.ts.
 */
import { arr, obj, typeError, named } from './args';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import { isObject, isSet, makeObject, objectEntries, objectGet, objectKeys, RegoSet, valueEquals } from '../value';
import type { PlainObject, RegoObject, Value } from '../value';

type Obj = PlainObject | RegoObject;

/** One step down a document as OPA's Find does: object key, array index, set member. */
export function childOf(doc: Value, key: Value): Value | undefined {
  if (Array.isArray(doc)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= doc.length) return undefined;
    return doc[key];
  }
  if (isSet(doc)) return doc.has(key) ? key : undefined;
  if (isObject(doc)) return objectGet(doc, key);
  return undefined;
}

/** The keys named by an array, set or object (its keys) operand, as a set. */
export function keySet(args: Value[], i: number): RegoSet {
  const v = args[i];
  if (Array.isArray(v)) return new RegoSet(v);
  if (isSet(v)) return v;
  if (isObject(v)) return new RegoSet(objectKeys(v));
  throw typeError(i + 1, v, 'object', 'set', 'array');
}

/** Deep merge, the right side winning except where both sides hold objects (OPA's mergeWithOverwrite). */
function merge(a: Obj, b: Obj): Obj {
  const out: [Value, Value][] = [];
  for (const [k, v] of objectEntries(a)) {
    const w = objectGet(b, k);
    if (w === undefined) out.push([k, v]);
    else if (isObject(v) && isObject(w)) out.push([k, merge(v, w)]);
    else out.push([k, w]);
  }
  for (const [k, w] of objectEntries(b)) if (objectGet(a, k) === undefined) out.push([k, w]);
  return makeObject(out);
}

/** Restricts `doc` to what `filter` selects; a null filter selects everything (OPA's Object.Filter). */
export function filterValue(doc: Value, filter: Value): Value {
  if (filter === null) return doc;
  if (!isObject(filter)) throw new BuiltinError(`invalid filter value, expected an object`);
  if (doc === null || typeof doc !== 'object') return doc;
  if (Array.isArray(doc)) {
    const out: Value[] = [];
    for (let i = 0; i < doc.length; i++) {
      const sub = objectGet(filter, String(i));
      if (sub !== undefined) out.push(filterValue(doc[i], sub));
    }
    return out;
  }
  if (isSet(doc)) {
    const out = new RegoSet();
    for (const x of doc.values()) {
      const sub = objectGet(filter, x);
      if (sub !== undefined) out.add(filterValue(x, sub));
    }
    return out;
  }
  const out: [Value, Value][] = [];
  for (const [k, sub] of objectEntries(filter)) {
    const v = objectGet(doc, k);
    if (v !== undefined) out.push([k, filterValue(v, sub)]);
  }
  return makeObject(out);
}

function objectSubset(sup: Obj, sub: Obj): boolean {
  for (const [k, s] of objectEntries(sub)) {
    const p = objectGet(sup, k);
    if (p === undefined) return false;
    if (valueEquals(p, s)) continue;
    if (isObject(p) && isObject(s)) {
      if (!objectSubset(p, s)) return false;
    } else if (isSet(p) && isSet(s)) {
      if (!setSubset(p, s)) return false;
    } else if (Array.isArray(p) && Array.isArray(s)) {
      if (!arraySubset(p, s)) return false;
    } else return false;
  }
  return true;
}

function setSubset(sup: RegoSet, sub: RegoSet): boolean {
  for (const x of sub.members()) if (!sup.has(x)) return false;
  return true;
}

/** `sub` appears contiguously, in order, in `sup`. */
function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  outer: for (let start = 0; start + sub.length <= sup.length; start++) {
    for (let j = 0; j < sub.length; j++) if (!valueEquals(sup[start + j], sub[j])) continue outer;
    return true;
  }
  return false;
}

/** Every member of `sub` occurs somewhere in `sup` (OPA returns false for two empty operands). */
function arraySetSubset(sup: Value[], sub: RegoSet): boolean {
  let unmatched = sub.size;
  for (const x of sup) {
    if (sub.has(x)) unmatched--;
    if (unmatched <= 0) return true;
  }
  return false;
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'object.get',
    arity: 3,
    fn: (args) => {
      const o = obj(args, 0);
      const key = args[1];
      if (!Array.isArray(key)) return objectGet(o, key) ?? args[2];
      let doc: Value | undefined = o;
      for (const step of key) {
        doc = childOf(doc, step);
        if (doc === undefined) return args[2];
      }
      return doc;
    },
  },
  {
    name: 'object.keys',
    arity: 1,
    fn: (args) => new RegoSet(objectKeys(obj(args, 0))),
  },
  {
    name: 'object.union',
    arity: 2,
    fn: (args) => merge(obj(args, 0), obj(args, 1)),
  },
  {
    name: 'object.union_n',
    arity: 1,
    fn: (args) => {
      const list = arr(args, 0);
      let out: Obj = makeObject([]);
      for (const x of list) {
        if (!isObject(x)) throw typeError(1, x, 'object');
        out = merge(out, x);
      }
      return out;
    },
  },
  {
    name: 'object.remove',
    arity: 2,
    fn: (args) => {
      const o = obj(args, 0);
      const drop = keySet(args, 1);
      return makeObject(objectEntries(o).filter(([k]) => !drop.has(k)));
    },
  },
  {
    name: 'object.filter',
    arity: 2,
    fn: (args) => {
      const o = obj(args, 0);
      const keep = keySet(args, 1);
      const out: [Value, Value][] = [];
      for (const k of keep.values()) {
        const v = objectGet(o, k);
        if (v !== undefined) out.push([k, v]);
      }
      return makeObject(out);
    },
  },
  {
    name: 'object.subset',
    arity: 2,
    fn: (args) => {
      const [sup, sub] = args;
      if (isObject(sup) && isObject(sub)) return objectSubset(sup, sub);
      if (isSet(sup) && isSet(sub)) return setSubset(sup, sub);
      if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
      if (Array.isArray(sup) && isSet(sub)) return arraySetSubset(sup, sub);
      throw new BuiltinError('both arguments object.subset must be of the same type or array and set');
    },
  },
]);

