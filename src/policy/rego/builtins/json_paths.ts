/**
 * Builtins addressing documents by JSON paths: json.filter, json.remove and json.patch (RFC 6902).
 * A path is a "/a/b" JSON pointer string or an array of segments (any values, for sets and
 * non-string keys).
 */
import { arr, obj, operandError, typeError, named } from './args';
import { childOf, filterValue } from './objects';
import type { BuiltinDef } from './types';
import { isObject, isSet, makeObject, objectEntries, objectGet, RegoObject, RegoSet, typeName, valueEquals } from '../value';
import type { Value } from '../value';

type Path = Value[];

function parsePath(p: Value): Path {
  if (typeof p === 'string') {
    if (p === '') return [];
    return p.replace(/^\/+/, '').split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  if (Array.isArray(p)) return p;
  throw operandError(2, `must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
}

function paths(args: Value[], i: number): Path[] {
  const v = args[i];
  if (Array.isArray(v)) return v.map(parsePath);
  if (isSet(v)) return [...v.values()].map(parsePath);
  throw typeError(i + 1, v, 'set', 'array');
}

/** Mutable tree of selected paths: a null leaf selects the whole subtree. */
type PathTree = RegoObject;

function pathsToTree(list: Path[]): PathTree {
  const root = new RegoObject();
  for (const path of list) {
    if (path.length === 0) continue;
    let node = root;
    let covered = false;
    for (let i = 0; i < path.length - 1; i++) {
      const child = node.get(path[i]);
      if (child === undefined) {
        const next = new RegoObject();
        node.set(path[i], next);
        node = next;
      } else if (child === null) {
        covered = true;
        break;
      } else node = child as RegoObject;
    }
    if (!covered) node.set(path[path.length - 1], null);
  }
  return root;
}

/** Converts the mutable tree into a value usable by filterValue (keys keep their types). */
function treeValue(t: PathTree): Value {
  return makeObject([...t.map.values()].map(([k, v]) => [k, v === null ? null : treeValue(v as PathTree)] as const));
}

/** `doc` without the leaves of `tree`; undefined when `doc` itself is removed. */
function removePaths(doc: Value, tree: Value | undefined): Value | undefined {
  if (tree === undefined) return doc;
  if (tree === null) return undefined;
  if (!isObject(tree) || doc === null || typeof doc !== 'object') return doc;
  if (Array.isArray(doc)) {
    const out: Value[] = [];
    for (let i = 0; i < doc.length; i++) {
      const v = removePaths(doc[i], objectGet(tree, String(i)));
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  if (isSet(doc)) {
    const out = new RegoSet();
    for (const x of doc.values()) {
      const v = removePaths(x, objectGet(tree, x));
      if (v !== undefined) out.add(v);
    }
    return out;
  }
  const out: [Value, Value][] = [];
  for (const [k, x] of objectEntries(doc)) {
    const v = removePaths(x, objectGet(tree, k));
    if (v !== undefined) out.push([k, v]);
  }
  return makeObject(out);
}

// ---- JSON patch ------------------------------------------------------------------------------

/** An array index from a number or decimal string ("-" = append position); undefined if invalid. */
function toIndex(a: Value[], key: Value): number | undefined {
  if (typeof key === 'number') return Number.isInteger(key) ? key : undefined;
  if (typeof key !== 'string') return undefined;
  if (key === '-') return a.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
  return Number(key);
}

type Worker = (parent: Value, key: Value) => [Value, Value | undefined] | undefined;

/** Rebuilds the path down to the parent of the last segment, applying `worker` there. */
function traverse(target: Value, path: Path, worker: Worker): [Value, Value | undefined] | undefined {
  if (path.length === 0) return undefined;
  if (path.length === 1) return worker(target, path[0]);
  const key = path[0];
  const rest = path.slice(1);
  if (Array.isArray(target)) {
    const idx = toIndex(target, key);
    if (idx === undefined || idx < 0 || idx >= target.length) return undefined;
    const r = traverse(target[idx], rest, worker);
    if (!r) return undefined;
    const copy = target.slice();
    copy[idx] = r[0];
    return [copy, r[1]];
  }
  if (isSet(target)) {
    if (!target.has(key)) return undefined;
    const r = traverse(key, rest, worker);
    if (!r) return undefined;
    const out = new RegoSet();
    for (const x of target.values()) out.add(valueEquals(x, key) ? r[0] : x);
    return [out, r[1]];
  }
  if (isObject(target)) {
    const child = objectGet(target, key);
    if (child === undefined) return undefined;
    const r = traverse(child, rest, worker);
    if (!r) return undefined;
    return [makeObject(objectEntries(target).map(([k, v]) => [k, valueEquals(k, key) ? r[0] : v] as const)), r[1]];
  }
  return undefined;
}

function patchGet(target: Value, path: Path): Value | undefined {
  let doc: Value | undefined = target;
  for (const step of path) {
    if (doc === undefined) return undefined;
    if (Array.isArray(doc)) {
      const i = toIndex(doc, step);
      doc = i === undefined ? undefined : doc[i];
    } else doc = childOf(doc, step);
  }
  return doc;
}

function patchAdd(target: Value, path: Path, value: Value): Value | undefined {
  if (path.length === 0) return value;
  return traverse(target, path, (parent, key) => {
    if (Array.isArray(parent)) {
      const idx = toIndex(parent, key);
      if (idx === undefined || idx < 0 || idx > parent.length) return undefined;
      const copy = parent.slice();
      copy.splice(idx, 0, value);
      return [copy, undefined];
    }
    if (isSet(parent)) {
      if (!valueEquals(key, value)) return undefined;
      const out = new RegoSet(parent.values());
      out.add(key);
      return [out, undefined];
    }
    if (isObject(parent)) {
      const entries = objectEntries(parent).filter(([k]) => !valueEquals(k, key));
      entries.push([key, value]);
      return [makeObject(entries), undefined];
    }
    return undefined;
  })?.[0];
}

function patchRemove(target: Value, path: Path): [Value, Value] | undefined {
  if (path.length === 0) return undefined;
  const r = traverse(target, path, (parent, key) => {
    if (Array.isArray(parent)) {
      const idx = toIndex(parent, key);
      if (idx === undefined || idx < 0 || idx >= parent.length) return undefined;
      const copy = parent.slice();
      const [removed] = copy.splice(idx, 1);
      return [copy, removed];
    }
    if (isSet(parent)) {
      if (!parent.has(key)) return undefined;
      return [new RegoSet([...parent.values()].filter((x) => !valueEquals(x, key))), key];
    }
    if (isObject(parent)) {
      const removed = objectGet(parent, key);
      if (removed === undefined) return undefined;
      return [makeObject(objectEntries(parent).filter(([k]) => !valueEquals(k, key))), removed];
    }
    return undefined;
  });
  return r && r[1] !== undefined ? [r[0], r[1]] : undefined;
}

function applyPatch(target: Value, op: Value): Value | undefined {
  if (!isObject(op)) throw operandError(2, 'must be an array of JSON-Patch objects');
  const attr = (name: string): Value => {
    const v = objectGet(op, name);
    if (v === undefined) throw operandError(2, `patch is missing '${name}' attribute`);
    return v;
  };
  const kind = attr('op');
  if (typeof kind !== 'string') throw operandError(2, "patch attribute 'op' must be a string");
  const path = parsePath(attr('path'));
  switch (kind) {
    case 'add':
      return patchAdd(target, path, attr('value'));
    case 'remove':
      return patchRemove(target, path)?.[0];
    case 'replace': {
      const value = attr('value');
      if (path.length === 0) return value;
      const removed = patchRemove(target, path);
      return removed && patchAdd(removed[0], path, value);
    }
    case 'move': {
      const from = parsePath(attr('from'));
      const removed = patchRemove(target, from);
      return removed && patchAdd(removed[0], path, removed[1]);
    }
    case 'copy': {
      const value = patchGet(target, parsePath(attr('from')));
      return value === undefined ? undefined : patchAdd(target, path, value);
    }
    case 'test': {
      const actual = patchGet(target, path);
      return actual !== undefined && valueEquals(actual, attr('value')) ? target : undefined;
    }
    default:
      throw operandError(2, 'must be an array of JSON-Patch objects');
  }
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'json.filter',
    arity: 2,
    fn: (args) => filterValue(obj(args, 0), treeValue(pathsToTree(paths(args, 1)))),
  },
  {
    name: 'json.remove',
    arity: 2,
    fn: (args) => removePaths(obj(args, 0), treeValue(pathsToTree(paths(args, 1)))),
  },
  {
    name: 'json.patch',
    arity: 2,
    fn: (args) => {
      const ops = arr(args, 1);
      let target: Value | undefined = args[0];
      // Atomic, as RFC 6902 asks: a failing operation makes the whole patch undefined.
      for (const op of ops) {
        target = applyPatch(target as Value, op);
        if (target === undefined) return undefined;
      }
      return target;
    },
  },
]);
