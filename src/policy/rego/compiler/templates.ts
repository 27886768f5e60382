/**
 * Factories of the hottest step and getter closures, instantiated once per call site through
 * `perSite` (see eval/sites.ts) so each site keeps its own inline caches and can be inlined.
 * Each factory must be self-contained: parameters and JS globals only (its source is recompiled).
 */
import type { EvalCtx, Frame, Getter, Step } from '../eval/context';
import type { Value } from '../value';
import { perSite } from '../eval/sites';

type Match = (f: Frame, v: Value) => boolean;
type Lookup = (coll: Value, key: Value) => Value | undefined;
type Tick = (f: Frame) => void;
type Iterate = (coll: Value | undefined, f: Frame, cb: (k: Value, v: Value) => boolean) => boolean;

/** f.slots[slot] */
export const slotGet = perSiteFactory((slot: number): Getter => (f) => f.slots[slot]);

/** The evaluation's input document. */
export const inputGet = perSiteFactory((): Getter => (f) => f.ctx.input);

/** Binds an unbound variable. */
export const bindMatch = perSiteFactory((slot: number): Match => (f, v) => {
  f.slots[slot] = v;
  return true;
});

/**
 * v[k] for a constant string key on any value: plain objects (JSON.parse's or the engine's,
 * recognised by prototype) are read directly, anything else goes through `lookup`.
 */
export const fieldGet = perSiteFactory(
  (base: Getter, k: string, hasOwn: (this: object, k: string) => boolean, lookup: Lookup, protoA: object, protoB: object): Getter =>
    (f) => {
      const v = base(f);
      if (typeof v !== 'object' || v === null) return undefined;
      const p = Object.getPrototypeOf(v);
      if (p === protoA || p === protoB) {
        const x = (v as Record<string, Value>)[k];
        return x !== undefined && hasOwn.call(v, k) ? x : undefined;
      }
      return lookup(v, k);
    },
);

/** A step running `get` and continuing when the value is neither undefined nor false. */
export const truthyStep = perSiteFactory((get: Getter, next: Step): Step => (f) => {
  const v = get(f);
  if (v === undefined || v === false) return false;
  return next(f);
});

/** A step matching a value against a pattern, continuing on success, then unbinding. */
export const matchStep = perSiteFactory((get: Getter, match: Match, binds: number[], next: Step): Step => (f) => {
  const v = get(f);
  if (v === undefined) return false;
  let r = false;
  if (match(f, v)) r = next(f);
  for (let i = 0; i < binds.length; i++) f.slots[binds[i]] = undefined;
  return r;
});

/** `not <expr>`: continues when the inner step finds no solution. */
export const notStep = perSiteFactory((inner: Step, next: Step): Step => (f) => {
  if (inner(f)) return false;
  return next(f);
});

/** `some [k,] v in coll`: arrays without a callback, other collections through `iterate`. */
export const someInStep = perSiteFactory(
  (cget: Getter, km: Match | null, vmatch: Match, binds: number[], next: Step, tick: Tick, iterate: Iterate): Step => (f) => {
    const coll = cget(f);
    if (Array.isArray(coll)) {
      // Steps are counted per element (limits); no callback for the common array case.
      for (let i = 0; i < coll.length; i++) {
        tick(f);
        let r = false;
        if ((km === null || km(f, i)) && vmatch(f, coll[i])) r = next(f);
        for (let b = 0; b < binds.length; b++) f.slots[binds[b]] = undefined;
        if (r) return true;
      }
      return false;
    }
    return iterate(coll, f, (k, v) => {
      let r = false;
      if ((km === null || km(f, k)) && vmatch(f, v)) r = next(f);
      for (let b = 0; b < binds.length; b++) f.slots[binds[b]] = undefined;
      return r;
    });
  },
);

/** A binary operator evaluated inline, falling back to the builtin when overridden or unusual. */
export const inlineOpGet = perSiteFactory(
  (ga: Getter, gb: Getter, inline: (a: Value, b: Value) => Value | undefined, slow: Getter, key: string): Getter => (f) => {
    const o = f.ctx.fnOverrides;
    if (o !== null && o.has(key)) return slow(f);
    const a = ga(f);
    if (a === undefined) return undefined;
    const b = gb(f);
    if (b === undefined) return undefined;
    const v = inline(a, b);
    return v !== undefined ? v : slow(f);
  },
);

type Call = (ctx: EvalCtx, args: Value[]) => Value | undefined;

/**
 * A function call remembering its results for this evaluation, by argument (objects by identity):
 * one nested Map level per argument, the last holding the result (`undef` for undefined).
 */
export const memoCall = perSiteFactory((inner: Call, id: number, last: number, undef: symbol): Call => (ctx, args) => {
  let memo = ctx.fnMemo;
  if (memo === null) memo = ctx.fnMemo = new Array(ctx.cache.length);
  let m = memo[id];
  if (m === undefined) m = memo[id] = new Map();
  for (let i = 0; i < last; i++) {
    let next = m.get(args[i]) as Map<unknown, unknown> | undefined;
    if (next === undefined) m.set(args[i], (next = new Map()));
    m = next;
  }
  const a = args[last];
  const hit = m.get(a);
  if (hit !== undefined) return hit === undef ? undefined : (hit as Value);
  const v = inner(ctx, args);
  m.set(a, v === undefined ? undef : v);
  return v;
});

/** Wraps a factory so that each call instantiates a per-site copy of it. */
function perSiteFactory<A extends unknown[], R>(factory: (...args: A) => R): (...args: A) => R {
  return (...args: A) => perSite(factory)(...args);
}
