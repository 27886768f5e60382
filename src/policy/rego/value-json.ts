/** Conversion between Rego values and plain JSON (OPA's output shape; checked input). */
import { NULL_PROTO, PlainObject, RegoObject, RegoSet, Value, makeObject, sortedPlainKeys } from './value';

/** OPA's JSON output: sets → sorted arrays, object keys sorted, non-string keys JSON-encoded. */
export function toJSON(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = toJSON(v[i]);
    return out;
  }
  if (v instanceof RegoSet) return v.sorted().map(toJSON);
  const out: Record<string, unknown> = {};
  if (v instanceof RegoObject) {
    for (const [k, x] of v.sorted()) setKey(out, typeof k === 'string' ? k : JSON.stringify(toJSON(k)), toJSON(x));
    return out;
  }
  const keys = sortedPlainKeys(v);
  for (let i = 0; i < keys.length; i++) setKey(out, keys[i], toJSON(v[keys[i]]));
  return out;
}

function setKey(o: Record<string, unknown>, k: string, x: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
  else o[k] = x;
}

export class ValueConversionError extends Error {}

/**
 * Converts arbitrary JS data into a Value: validates JSON-compatibility (finite numbers, no functions,
 * no cycles, bounded depth), drops `undefined` object members like JSON.stringify, maps Date to its
 * ISO string. Returns the same objects where they are already valid, so plain JSON is not copied.
 */
export function fromJSON(v: unknown, maxDepth = 1000): Value {
  // Fast path: plain JSON (what JSON.parse makes) is checked without allocating and used as is.
  if (isCleanJSON(v, 0, maxDepth)) return v as Value;
  return convert(v, 0, maxDepth);
}

function isCleanJSON(v: unknown, depth: number, maxDepth: number): boolean {
  if (v === null) return true;
  const t = typeof v;
  if (t === 'string' || t === 'boolean') return true;
  if (t === 'number') return Number.isFinite(v as number);
  if (t !== 'object' || depth >= maxDepth) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'string') continue;
      if (!isCleanJSON(x, depth + 1, maxDepth)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null && proto !== NULL_PROTO) return false;
  const o = v as Record<string, unknown>;
  // for-in walks V8's enum cache without allocating a key array; the prototypes allowed above
  // have no enumerable properties of their own (a polluted Object.prototype only costs a copy).
  for (const k in o) {
    const x = o[k];
    if (x === null || typeof x === 'string' || typeof x === 'boolean') continue;
    if (x === undefined || !isCleanJSON(x, depth + 1, maxDepth)) return false;
  }
  return true;
}

function convert(v: unknown, depth: number, maxDepth: number): Value {
  if (v === null) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new ValueConversionError(`not a JSON number: ${v}`);
      return v;
    case 'bigint':
      return Number(v);
    case 'object':
      break;
    default:
      throw new ValueConversionError(`a ${typeof v} is not a JSON value`);
  }
  if (depth >= maxDepth) throw new ValueConversionError(`document nested deeper than ${maxDepth} levels`);
  if (Array.isArray(v)) {
    let out: Value[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = v[i] === undefined ? null : convert(v[i], depth + 1, maxDepth);
      if (x !== v[i] && !out) out = v.slice(0, i) as Value[];
      if (out) out.push(x);
    }
    return out ?? (v as Value[]);
  }
  if (v instanceof RegoSet || v instanceof RegoObject) return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map) return makeObject([...v].map(([k, x]) => [convert(k, depth + 1, maxDepth), convert(x, depth + 1, maxDepth)] as const));
  if (v instanceof Set) return new RegoSet([...v].map((x) => convert(x, depth + 1, maxDepth)));
  const src = v as Record<string, unknown>;
  const proto = Object.getPrototypeOf(src);
  let copy = proto !== Object.prototype && proto !== null && proto !== NULL_PROTO;
  const converted: [string, Value][] = [];
  for (const k of Object.keys(src)) {
    const x = src[k];
    if (x === undefined || typeof x === 'function') { copy = true; continue; }
    const c = convert(x, depth + 1, maxDepth);
    if (c !== x) copy = true;
    converted.push([k, c]);
  }
  if (!copy) return src as PlainObject;
  return makeObject(converted);
}
