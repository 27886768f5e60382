/**
 * The Rego value model.
 *
 * Chosen so that JSON documents (input, data) are usable as they are, with no conversion:
 * - `null`, `boolean`, `string`: JS primitives.
 * - numbers: JS `number` (IEEE-754 double). Precision limit: integers are exact up to 2^53;
 *   OPA uses arbitrary precision, so results on larger numbers may differ in the last digits.
 * - arrays: JS arrays.
 * - objects whose keys are all strings: plain JS objects, exactly as JSON.parse makes them
 *   (objects built by the engine have a null prototype so keys like "__proto__" are safe).
 * - objects with any non-string key: `RegoObject` (Map canonical key → [key, value]).
 * - sets: `RegoSet` (primitives as Map keys; arrays, objects and sets in structural-hash buckets).
 * Values are treated as immutable once built.
 */

export type Value = null | boolean | number | string | Value[] | PlainObject | RegoObject | RegoSet;
export interface PlainObject {
  [key: string]: Value;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** An object with at least one non-string key. Entries are keyed by `canonicalKey(key)`. */
export class RegoObject {
  readonly map: Map<string, [Value, Value]>;
  constructor(map?: Map<string, [Value, Value]>) {
    this.map = map ?? new Map();
  }
  get size(): number {
    return this.map.size;
  }
  get(key: Value): Value | undefined {
    const e = this.map.get(canonicalKey(key));
    return e === undefined ? undefined : e[1];
  }
  /** Only for building a fresh object; values are immutable once shared. */
  set(key: Value, value: Value): void {
    this.map.set(canonicalKey(key), [key, value]);
  }
  /** Entries in OPA's order (sorted by key), cached. */
  sorted(): [Value, Value][] {
    if (this.sortedCache === null || this.sortedCache.length !== this.map.size) {
      const out = [...this.map.values()];
      if (out.length > 1) out.sort((a, b) => compareValues(a[0], b[0]));
      this.sortedCache = out;
    }
    return this.sortedCache;
  }
  private sortedCache: [Value, Value][] | null = null;
}

/**
 * A Rego set. Primitive members are Map keys themselves (Map's SameValueZero equals Rego equality
 * on primitives, 0 and -0 included); composite members (arrays, objects, sets) sit in buckets by
 * structural hash and are told apart by `valueEquals`, so adding an object never builds a string.
 */
export class RegoSet {
  private readonly prims = new Map<Value, Value>();
  private comps: Map<number, Value[]> | null = null;
  private compCount = 0;
  constructor(items?: Iterable<Value>) {
    if (items) for (const v of items) this.add(v);
  }
  get size(): number {
    return this.prims.size + this.compCount;
  }
  has(v: Value): boolean {
    if (typeof v !== 'object' || v === null) return this.prims.has(v);
    if (this.comps === null) return false;
    const bucket = this.comps.get(hashValue(v));
    if (bucket === undefined) return false;
    for (let i = 0; i < bucket.length; i++) if (valueEquals(bucket[i], v)) return true;
    return false;
  }
  /** Only for building a fresh set; values are immutable once shared. */
  add(v: Value): void {
    if (typeof v !== 'object' || v === null) {
      this.prims.set(v, v === 0 ? 0 : v); // -0 is stored as 0
      return;
    }
    if (this.comps === null) this.comps = new Map();
    const h = hashValue(v);
    const bucket = this.comps.get(h);
    if (bucket === undefined) this.comps.set(h, [v]);
    else {
      for (let i = 0; i < bucket.length; i++) if (valueEquals(bucket[i], v)) return;
      bucket.push(v);
    }
    this.compCount++;
  }
  /** Members in no particular order (a fresh array): for set algebra that needs no sorting. */
  members(): Value[] {
    const out: Value[] = [];
    for (const v of this.prims.values()) out.push(v);
    if (this.comps !== null) for (const b of this.comps.values()) for (let i = 0; i < b.length; i++) out.push(b[i]);
    return out;
  }
  /** Elements in OPA's order (sorted), cached until the next add. */
  values(): IterableIterator<Value> {
    return this.sorted()[Symbol.iterator]();
  }
  sorted(): Value[] {
    if (this.sortedCache === null || this.sortedCache.length !== this.size) {
      this.sortedCache = sortValues(this.members());
    }
    return this.sortedCache;
  }
  private sortedCache: Value[] | null = null;
}

// Structural hashing (consistent with valueEquals: equal values hash alike, whatever their
// representation). Collisions only cost an extra valueEquals.
function hashString(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  // Long strings: the first 64 code units and the length decide the bucket.
  const n = s.length < 64 ? s.length : 64;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

function mix(a: number, b: number): number {
  return Math.imul(a ^ Math.imul(b, 0x5bd1e995), 0x27d4eb2d) ^ (b >>> 15);
}

export function hashValue(v: Value): number {
  if (v === null) return 0x3c6ef372;
  switch (typeof v) {
    case 'boolean': return v ? 0x1f123bb5 : 0x5be0cd19;
    case 'number': return (v | 0) === v ? Math.imul(v, 0x9e3779b1) ^ 0x2545f491 : hashString(String(v)) ^ 0x2545f491;
    case 'string': return hashString(v);
  }
  if (Array.isArray(v)) {
    let h = 0x6a09e667 ^ v.length;
    for (let i = 0; i < v.length; i++) h = mix(h, hashValue(v[i]));
    return h;
  }
  // Objects and sets: order-independent sums.
  let sum = 0;
  if (v instanceof RegoSet) {
    for (const x of v.members()) sum = (sum + hashValue(x)) | 0;
    return mix(0x510e527f, sum);
  }
  if (v instanceof RegoObject) {
    for (const [k, x] of v.map.values()) sum = (sum + mix(hashValue(k), hashValue(x))) | 0;
    return mix(0x9b05688c, sum);
  }
  for (const k in v) if (hasOwn.call(v, k)) sum = (sum + mix(hashString(k), hashValue(v[k]))) | 0;
  return mix(0x9b05688c, sum);
}

/** Sentinel-free classification helpers. */
export function isPlainObject(v: Value | undefined): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegoSet) && !(v instanceof RegoObject);
}
export function isObject(v: Value | undefined): v is PlainObject | RegoObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegoSet);
}
export function isSet(v: Value | undefined): v is RegoSet {
  return v instanceof RegoSet;
}

/** A fresh, empty string-keyed object (null prototype: any key is safe). */
/**
 * Objects built by the engine inherit from a prototype that itself has no prototype: keys such as
 * "__proto__" or "toString" are plain own properties, and unlike Object.create(null) V8 keeps
 * these objects in fast (non-dictionary) mode.
 */
const NullProtoObject = function (this: PlainObject) {} as unknown as { new (): PlainObject; prototype: object };
NullProtoObject.prototype = Object.freeze(Object.create(null));
/** The prototype of engine-built objects (see emptyObject). */
export const NULL_PROTO: object = NullProtoObject.prototype;

export function emptyObject(): PlainObject {
  return new NullProtoObject();
}

export function objectGet(o: PlainObject | RegoObject, key: Value): Value | undefined {
  if (o instanceof RegoObject) return o.get(key);
  if (typeof key !== 'string') return undefined;
  return hasOwn.call(o, key) ? o[key] : undefined;
}

export function objectSize(o: PlainObject | RegoObject): number {
  if (o instanceof RegoObject) return o.size;
  let n = 0;
  for (const k in o) if (hasOwn.call(o, k)) n++;
  return n;
}

/** Keys of a string-keyed object in OPA's order (sorted by code point). */
export function sortedPlainKeys(o: PlainObject): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      // UTF-16 order equals code point order unless surrogate pairs meet U+E000..U+FFFF.
      if (keys.some(hasHighChar)) keys.sort(compareStrings);
      return keys;
    }
  }
  if (keys.length > 1 && keys.some(hasHighChar)) keys.sort(compareStrings);
  return keys;
}

function hasHighChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return true;
  return false;
}

/** Entries in OPA's order (sorted by key). */
export function objectEntries(o: PlainObject | RegoObject): [Value, Value][] {
  if (o instanceof RegoObject) return o.sorted().slice();
  return sortedPlainKeys(o).map((k) => [k, o[k]]);
}

/** Keys in OPA's order (sorted). */
export function objectKeys(o: PlainObject | RegoObject): Value[] {
  if (o instanceof RegoObject) return o.sorted().map((e) => e[0]);
  return sortedPlainKeys(o).slice();
}

/** Builds an object: a plain object when all keys are strings, else a RegoObject. Later keys win. */
export function makeObject(entries: Iterable<readonly [Value, Value]>): PlainObject | RegoObject {
  const list = Array.isArray(entries) ? (entries as (readonly [Value, Value])[]) : [...entries];
  let allStrings = true;
  for (const e of list) if (typeof e[0] !== 'string') { allStrings = false; break; }
  if (allStrings) {
    const o = emptyObject();
    for (const [k, v] of list) o[k as string] = v;
    return o;
  }
  const r = new RegoObject();
  for (const [k, v] of list) r.set(k, v);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Type names and order

/** OPA's type names. */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return 'boolean';
    case 'number': return 'number';
    case 'string': return 'string';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof RegoSet) return 'set';
  return 'object';
}

function typeRank(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean': return 1;
    case 'number': return 2;
    case 'string': return 3;
  }
  if (Array.isArray(v)) return 4;
  if (v instanceof RegoSet) return 6;
  return 5;
}

/** Compares strings by Unicode code point (as Go compares UTF-8 bytes), not by UTF-16 unit. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Surrogates (code points ≥ 0x10000) must sort after U+E000..U+FFFF.
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
        cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
      }
      return ca < cb ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function sortedEntries(o: PlainObject | RegoObject): [Value, Value][] {
  return objectEntries(o);
}

export function sortedSetValues(s: RegoSet): Value[] {
  return s.sorted().slice();
}

/** While sortValues runs, each object's sorted keys are computed once, not once per comparison. */
let keyCache: Map<object, string[]> | null = null;

function keysForCompare(o: PlainObject): string[] {
  if (keyCache === null) return sortedPlainKeys(o);
  let k = keyCache.get(o);
  if (k === undefined) {
    k = sortedPlainKeys(o);
    keyCache.set(o, k);
  }
  return k;
}

/** Sorts values in OPA's order (in place). */
export function sortValues<T extends Value>(arr: T[]): T[] {
  if (arr.length < 2) return arr;
  const outer = keyCache;
  if (outer === null) keyCache = new Map();
  try {
    arr.sort(compareValues);
  } finally {
    if (outer === null) keyCache = null;
  }
  return arr;
}

function comparePlainObjects(a: PlainObject, b: PlainObject): number {
  const x = keysForCompare(a);
  const y = keysForCompare(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return compareStrings(x[i], y[i]);
    const c = compareValues(a[x[i]], b[y[i]]);
    if (c !== 0) return c;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

function compareArrays(x: Value[], y: Value[]): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const a = x[i];
    const b = y[i];
    if (a === b) continue;
    // Tuples of strings and numbers (sort keys, [id, reason] pairs) without another call level.
    if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
    if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : 1;
    const c = compareValues(a, b);
    if (c !== 0) return c;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** OPA's total order: null < boolean < number < string < array < object < set. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  // Same-type primitives (most comparisons, e.g. sorting [price, id] pairs) skip the type ranks.
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'number') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    if (ta === 'string') return compareStrings(a as string, b as string);
    if (Array.isArray(a) && Array.isArray(b)) return compareArrays(a, b);
  }
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return 0;
    case 1: return a === b ? 0 : a ? 1 : -1;
    case 2: return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3: return compareStrings(a as string, b as string);
    case 4: return compareArrays(a as Value[], b as Value[]);
    case 5: {
      if (!(a instanceof RegoObject) && !(b instanceof RegoObject)) return comparePlainObjects(a as PlainObject, b as PlainObject);
      const x = sortedEntries(a as PlainObject | RegoObject);
      const y = sortedEntries(b as PlainObject | RegoObject);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        let c = compareValues(x[i][0], y[i][0]);
        if (c !== 0) return c;
        c = compareValues(x[i][1], y[i][1]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    default: {
      const x = sortedSetValues(a as RegoSet);
      const y = sortedSetValues(b as RegoSet);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
  }
}

/** Structural equality (cheaper than compareValues for the common cases). */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof RegoSet) {
    if (!(b instanceof RegoSet) || a.size !== b.size) return false;
    for (const x of a.members()) if (!b.has(x)) return false;
    return true;
  }
  if (b instanceof RegoSet) return false;
  if (objectSize(a) !== objectSize(b)) return false;
  if (a instanceof RegoObject) {
    for (const [k, v] of a.map.values()) {
      const w = objectGet(b, k);
      if (w === undefined || !valueEquals(v, w)) return false;
    }
    return true;
  }
  for (const k in a) {
    if (!hasOwn.call(a, k)) continue;
    const w = objectGet(b, k);
    if (w === undefined || !valueEquals(a[k], w)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Canonical keys: an injective string encoding used as Map keys for sets and non-string-keyed objects.
// Strings encode to themselves (fast path for the common set-of-strings case); everything else
// starts with "\u0000", and strings that themselves start with "\u0000" are escaped.

/** JSON string literal; avoids JSON.stringify for the common plain strings. */
function encodeString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

function encodeStringKeyed(keys: string[], get: (k: string) => Value): string {
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  }
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + encodeString(keys[i]) + ':' + encode(get(keys[i]));
  return s + '}';
}

function encode(v: Value): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'boolean': return v ? 't' : 'f';
    case 'number': return '#' + (Object.is(v, -0) ? '0' : String(v));
    case 'string': return encodeString(v);
  }
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + encode(v[i]);
    return s + ']';
  }
  if (v instanceof RegoSet) {
    const parts: string[] = [];
    for (const x of v.members()) parts.push(encode(x));
    if (parts.length > 1) parts.sort();
    return '<' + parts.join(',') + '>';
  }
  if (v instanceof RegoObject) {
    const entries = [...v.map.values()];
    if (entries.every((e) => typeof e[0] === 'string')) {
      const m = new Map(entries as [string, Value][]);
      return encodeStringKeyed([...m.keys()], (k) => m.get(k)!);
    }
    // Some key is not a string: never equal to a plain object; any fixed order will do.
    const parts = entries.map(([k, x]) => encode(k) + ':' + encode(x));
    parts.sort();
    return '{' + parts.join(',') + '}';
  }
  const o = v;
  return encodeStringKeyed(Object.keys(o), (k) => o[k]);
}

export function canonicalKey(v: Value): string {
  if (typeof v === 'string') return v.length > 0 && v.charCodeAt(0) === 0 ? '\u0000s' + v : v;
  return '\u0000' + encode(v);
}

// JSON conversion lives in ./value-json (re-exported here: toJSON, fromJSON, ValueConversionError).
export { ValueConversionError, fromJSON, toJSON } from './value-json';
