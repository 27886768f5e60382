/** Runtime operations on values used by compiled closures: lookup, iteration, step accounting, print formatting. */
import { PlainObject, RegoObject, RegoSet, Value, emptyObject, isObject, objectGet, sortedPlainKeys, toJSON } from '../value';
import { EvalCtx, EvalError, Frame } from './context';

const hasOwn = Object.prototype.hasOwnProperty;

/** coll[key] as Rego defines it; undefined when missing or not a collection. */
export function lookup(coll: Value, key: Value): Value | undefined {
  if (typeof coll !== 'object' || coll === null) return undefined;
  if (Array.isArray(coll)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= coll.length) return undefined;
    return coll[key];
  }
  if (coll instanceof RegoSet) return coll.has(key) ? key : undefined;
  if (coll instanceof RegoObject) return coll.get(key);
  if (typeof key !== 'string') return undefined;
  return hasOwn.call(coll, key) ? (coll as PlainObject)[key] : undefined;
}

/** Looks a constant string path up (fast path for input.a.b.c). */
export function lookupPath(v: Value | undefined, path: readonly string[]): Value | undefined {
  for (let i = 0; i < path.length && v !== undefined; i++) {
    const k = path[i];
    if (typeof v !== 'object' || v === null) return undefined;
    if (Array.isArray(v) || v instanceof RegoSet || v instanceof RegoObject) v = lookup(v, k);
    else v = hasOwn.call(v, k) ? (v as PlainObject)[k] : undefined;
  }
  return v;
}

/** Counts one evaluation step; checks limits every 1024 steps. */
export function tick(f: Frame): void {
  const run = f.ctx.run;
  if ((++run.steps & 1023) === 0) run.checkLimits();
}

/** Calls cb(key, value) for each element of a collection until cb returns true. Returns true if stopped. */
export function iterate(coll: Value | undefined, f: Frame, cb: (k: Value, v: Value) => boolean): boolean {
  if (typeof coll !== 'object' || coll === null) return false;
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) {
      tick(f);
      if (cb(i, coll[i])) return true;
    }
    return false;
  }
  // Sets and objects iterate in OPA's (sorted) order.
  if (coll instanceof RegoSet) {
    const vs = coll.sorted();
    for (let i = 0; i < vs.length; i++) {
      tick(f);
      if (cb(vs[i], vs[i])) return true;
    }
    return false;
  }
  if (coll instanceof RegoObject) {
    const es = coll.sorted();
    for (let i = 0; i < es.length; i++) {
      tick(f);
      if (cb(es[i][0], es[i][1])) return true;
    }
    return false;
  }
  const keys = sortedPlainKeys(coll as PlainObject);
  for (let i = 0; i < keys.length; i++) {
    tick(f);
    if (cb(keys[i], (coll as PlainObject)[keys[i]])) return true;
  }
  return false;
}

/** Returns a copy of `doc` with `value` placed at `path` (creating objects on the way). */
export function setPath(doc: Value | undefined, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  const base: Value = isObject(doc ?? null) ? (doc as PlainObject | RegoObject) : emptyObject();
  const child = setPath(objectGet(base as PlainObject | RegoObject, k), rest, value);
  if (base instanceof RegoObject || typeof k !== 'string') {
    const out = new RegoObject();
    if (base instanceof RegoObject) for (const [ck, e] of base.map) out.map.set(ck, e);
    else for (const key of Object.keys(base)) out.set(key, (base as PlainObject)[key]);
    out.set(k, child);
    return out;
  }
  const out = emptyObject();
  for (const key of Object.keys(base)) out[key] = (base as PlainObject)[key];
  out[k] = child;
  return out;
}

/** print() formatting: strings as-is, other values as JSON, undefined as <undefined>. */
export function formatPrintArg(v: Value | undefined): string {
  if (v === undefined) return '<undefined>';
  if (typeof v === 'string') return v;
  if (v instanceof RegoSet) {
    const items = (toJSON(v) as unknown[]).map((x) => JSON.stringify(x));
    return items.length ? `{${items.join(', ')}}` : 'set()';
  }
  return JSON.stringify(toJSON(v));
}

export function conflict(message: string, loc?: { file: string; line: number; col: number }): EvalError {
  return new EvalError('eval_conflict_error', message, loc?.file, loc?.line, loc?.col);
}

export function ctxRoot(ctx: EvalCtx): EvalCtx {
  let c = ctx;
  while (c.parent) c = c.parent;
  return c;
}
