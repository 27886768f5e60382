/**
 * Caches gateway decisions per compiled policy. Evaluating the built-in policy costs ~165 µs; most
 * requests of a workspace differ only in what the policy never reads (principal, time, spend), so
 * the decision is cached under exactly the parts of the input the policy's modules can read
 * (./decision-reads) and under the compiled policy object itself: a new published version is a new
 * PreparedPolicy, whose cache starts empty, and the old one is garbage with its policy (WeakMap).
 *
 * Never cached: policies without Rego modules to analyse (wasm bundles), policies calling
 * non-deterministic builtins, inputs holding anything but plain JSON (the key could not tell them
 * apart), evaluation errors (timeouts are not deterministic), and keys longer than maxKeyChars.
 */
import type { PreparedPolicy } from './engine';
import { readDecision, type GatewayDecision } from './decision';
import { inputReads } from './decision-reads';
import { PreparedRegoPolicy } from './rego';

export interface DecisionCacheStats {
  hits: number;
  misses: number;
  /** Evaluations that could not be cached (uncacheable policy or input, or a key too long). */
  uncached: number;
  entries: number;
}

const MAX_ENTRIES = 4096;
const MAX_KEY_CHARS = 16_384;

/**
 * Frozen subtrees serialise once (candidate objects are frozen per catalog snapshot), to a short
 * id interned by content (`#12`): equal content, equal id, so the key stays short to hash.
 */
const frozenKeys = new WeakMap<object, string>();
const interned = new Map<string, string>();
const MAX_INTERNED = 65_536;

function intern(content: string): string {
  let id = interned.get(content);
  if (id === undefined) {
    if (interned.size >= MAX_INTERNED) return content;
    id = '#' + interned.size;
    interned.set(content, id);
  }
  return id;
}

/** Thrown inside serialisation for a value the key could not represent faithfully. */
const NOT_JSON = Symbol('not plain JSON');

/**
 * An unambiguous serialisation of plain JSON; anything else (undefined members, non-finite numbers,
 * -0, class instances) throws NOT_JSON. `frozen` reports whether the whole subtree is frozen.
 */
class KeyWriter {
  frozen = true;

  value(v: unknown): string {
    switch (typeof v) {
      case 'string': return JSON.stringify(v);
      case 'boolean': return v ? 't' : 'f';
      case 'number':
        if (!Number.isFinite(v) || Object.is(v, -0)) throw NOT_JSON;
        return String(v);
      case 'object':
        if (v === null) return 'n';
        return this.object(v);
      default: throw NOT_JSON;
    }
  }

  private object(o: object): string {
    const isFrozen = Object.isFrozen(o);
    if (isFrozen) {
      const memo = frozenKeys.get(o);
      if (memo !== undefined) return memo;
    }
    const outer = this.frozen;
    this.frozen = isFrozen;
    let out: string;
    if (Array.isArray(o)) {
      out = '[';
      for (let i = 0; i < o.length; i++) out += (i ? ',' : '') + this.value(o[i]);
      out += ']';
    } else {
      const proto = Object.getPrototypeOf(o);
      if (proto !== Object.prototype && proto !== null) throw NOT_JSON;
      out = '{';
      let first = true;
      for (const k in o) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + this.value((o as Record<string, unknown>)[k]);
        first = false;
      }
      out += '}';
    }
    // Only a subtree frozen all the way down cannot change later under the same object.
    if (this.frozen) {
      out = intern(out);
      frozenKeys.set(o, out);
    }
    this.frozen = outer && this.frozen;
    return out;
  }
}

/** The part of `input` at `path`: the value there, or the first non-object met on the way ('u': undefined). */
function keyPart(w: KeyWriter, input: unknown, path: readonly string[]): string {
  let v = input;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return `@${i}` + w.value(v);
    if (!Object.prototype.hasOwnProperty.call(v, path[i])) return 'u';
    v = (v as Record<string, unknown>)[path[i]];
    if (v === undefined) throw NOT_JSON;
  }
  return w.value(v);
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k in v) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

class PolicyDecisionCache {
  private readonly entries = new Map<string, GatewayDecision>();
  readonly stats = { hits: 0, misses: 0, uncached: 0 };

  constructor(private readonly paths: readonly (readonly string[])[]) {}

  /** The cache key of `input` for `entrypoint`, or null when the input cannot be keyed. */
  key(entrypoint: string, input: unknown): string | null {
    const w = new KeyWriter();
    let key = entrypoint;
    try {
      for (const p of this.paths) key += '\u0000' + keyPart(w, input, p);
    } catch (err) {
      if (err === NOT_JSON) return null;
      throw err;
    }
    return key.length <= MAX_KEY_CHARS ? key : null;
  }

  decide(policy: PreparedPolicy, entrypoint: string, input: unknown): GatewayDecision {
    const key = this.key(entrypoint, input);
    if (key === null) {
      this.stats.uncached++;
      return readDecision(policy.evaluate(entrypoint, input));
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.stats.hits++;
      return hit;
    }
    this.stats.misses++;
    const decision = deepFreeze(readDecision(policy.evaluate(entrypoint, input)));
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, decision);
    return decision;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** null: the policy's decisions are never cached. */
const caches = new WeakMap<PreparedPolicy, PolicyDecisionCache | null>();
const uncachedCounts = new WeakMap<PreparedPolicy, number>();

function cacheFor(policy: PreparedPolicy): PolicyDecisionCache | null {
  let cache = caches.get(policy);
  if (cache === undefined) {
    const reads = policy instanceof PreparedRegoPolicy ? inputReads(policy.program.modules) : null;
    cache = reads && reads.cacheable ? new PolicyDecisionCache(reads.paths) : null;
    caches.set(policy, cache);
  }
  return cache;
}

/**
 * `readDecision(policy.evaluate(entrypoint, input))`, answered from the policy's cache when an
 * earlier input agreed on everything the policy can read. The decision returned is frozen.
 * Throws what evaluate/readDecision throw (errors are never cached).
 */
export function decide(policy: PreparedPolicy, entrypoint: string, input: unknown): GatewayDecision {
  const cache = cacheFor(policy);
  if (cache) return cache.decide(policy, entrypoint, input);
  uncachedCounts.set(policy, (uncachedCounts.get(policy) ?? 0) + 1);
  return readDecision(policy.evaluate(entrypoint, input));
}

/** Hit and miss counts of one compiled policy (for tests and diagnostics). */
export function decisionCacheStats(policy: PreparedPolicy): DecisionCacheStats {
  const cache = caches.get(policy);
  if (!cache) return { hits: 0, misses: 0, uncached: uncachedCounts.get(policy) ?? 0, entries: 0 };
  return { ...cache.stats, entries: cache.size };
}
