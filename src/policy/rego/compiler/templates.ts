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
export const slotGet = perSiteFactory('slotGet', (slot: number): Getter => (f) => f.slots[slot]);

/** The evaluation's input document. */
export const inputGet = perSiteFactory('inputGet', (): Getter => (f) => f.ctx.input);

/** Binds an unbound variable. */
export const bindMatch = perSiteFactory('bindMatch', (slot: number): Match => (f, v) => {
  f.slots[slot] = v;
  return true;
});

/**
 * v[k] for a constant string key on any value: plain objects are read directly, anything else
 * goes through `lookup`. Plain means built by the engine (prototype `nullProto`, which has no
 * properties: a read finds own properties only) or by JSON.parse (prototype `objectProto`: a value
 * different from objectProto[k] can only be own; only an equal one needs the hasOwn check, e.g.
 * "toString").
 */
export const fieldGet = perSiteFactory('fieldGet',
  (base: Getter, k: string, hasOwn: (this: object, k: string) => boolean, lookup: Lookup, objectProto: object, nullProto: object): Getter =>
    (f) => {
      const v = base(f);
      if (typeof v !== 'object' || v === null) return undefined;
      const p = Object.getPrototypeOf(v);
      if (p === nullProto) return (v as Record<string, Value>)[k];
      if (p === objectProto) {
        const x = (v as Record<string, Value>)[k];
        if (x === undefined || x !== (objectProto as Record<string, unknown>)[k]) return x;
        return hasOwn.call(v, k) ? x : undefined;
      }
      return lookup(v, k);
    },
);

/** A step running `get` and continuing when the value is neither undefined nor false. */
export const truthyStep = perSiteFactory('truthyStep', (get: Getter, next: Step): Step => (f) => {
  const v = get(f);
  if (v === undefined || v === false) return false;
  return next(f);
});

/** A step matching a value against a pattern, continuing on success, then unbinding. */
export const matchStep = perSiteFactory('matchStep', (get: Getter, match: Match, binds: number[], next: Step): Step => (f) => {
  const v = get(f);
  if (v === undefined) return false;
  let r = false;
  if (match(f, v)) r = next(f);
  for (let i = 0; i < binds.length; i++) f.slots[binds[i]] = undefined;
  return r;
});

/** `not <expr>`: continues when the inner step finds no solution. */
export const notStep = perSiteFactory('notStep', (inner: Step, next: Step): Step => (f) => {
  if (inner(f)) return false;
  return next(f);
});

/** `some [k,] v in coll`: arrays and sets without a callback, objects through `iterate`. */
export const someInStep = perSiteFactory('someInStep',
  (cget: Getter, km: Match | null, vmatch: Match, binds: number[], next: Step, tick: Tick, iterate: Iterate, isSet: (v: Value) => boolean): Step => (f) => {
    const coll = cget(f);
    const isArr = Array.isArray(coll);
    if (isArr || isSet(coll as Value)) {
      // Steps are counted per element (limits); sets iterate in sorted order, keyed by element.
      const arr = isArr ? (coll as Value[]) : (coll as unknown as { sorted(): Value[] }).sorted();
      for (let i = 0; i < arr.length; i++) {
        tick(f);
        let r = false;
        if ((km === null || km(f, isArr ? i : arr[i])) && vmatch(f, arr[i])) r = next(f);
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
export const inlineOpGet = perSiteFactory('inlineOpGet', 
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
export const memoCall = perSiteFactory('memoCall', (inner: Call, id: number, last: number, undef: symbol): Call => (ctx, args) => {
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

/** Matches function argument `i` against its pattern, then runs the body. */
export const argStep = perSiteFactory('argStep', (match: Match, i: number, binds: number[], next: Step): Step => (f) => {
  let res = false;
  if (match(f, f.args![i])) res = next(f);
  for (let b = 0; b < binds.length; b++) f.slots[binds[b]] = undefined;
  return res;
});

/** The final step of a partial set rule: adds the element to the rule's set. */
export const setCollectStep = perSiteFactory('setCollectStep', (get: Getter, stop: boolean): Step => (f) => {
  const v = get(f);
  if (v !== undefined) (f.out as { add(v: Value): void }).add(v);
  return stop;
});

/** An array comprehension's collector. */
export const arrayCollectStep = perSiteFactory('arrayCollectStep', (get: Getter, accOf: (f: Frame) => unknown): Step => (f) => {
  const v = get(f);
  if (v !== undefined) (accOf(f) as Value[]).push(v);
  return false;
});

/** An object literal with constant string keys. */
export const objectLiteralGet = perSiteFactory('objectLiteralGet', (names: string[], vg: Getter[], empty: () => Record<string, Value>): Getter => (f) => {
  const o = empty();
  for (let i = 0; i < names.length; i++) {
    const v = vg[i](f);
    if (v === undefined) return undefined;
    o[names[i]] = v;
  }
  return o as Value;
});

/** A call with evaluated arguments (undefined when an argument is). */
export const callGet = perSiteFactory('callGet', (evalArgs: (f: Frame) => Value[] | undefined, call: Call): Getter => (f) => {
  const a = evalArgs(f);
  return a === undefined ? undefined : call(f.ctx, a);
});

/** A user function call honoring `with` overrides (`overridden` returns null when there is none). */
export const userCall = perSiteFactory('userCall', 
  (g: { call: Call }, overridden: (ctx: EvalCtx, args: Value[]) => Value | undefined | null): Call => (ctx, args) => {
    if (ctx.fnOverrides !== null) {
      const v = overridden(ctx, args);
      if (v !== null) return v;
    }
    return g.call(ctx, args);
  },
);

export const args1 = perSiteFactory('args1', (g0: Getter) => (f: Frame): Value[] | undefined => {
  const a = g0(f);
  return a === undefined ? undefined : [a];
});

export const args2 = perSiteFactory('args2', (g0: Getter, g1: Getter) => (f: Frame): Value[] | undefined => {
  const a = g0(f);
  if (a === undefined) return undefined;
  const b = g1(f);
  return b === undefined ? undefined : [a, b];
});

/** A rule's value: the evaluation's cache, else the rule's evaluator. */
export const groupGet = perSiteFactory('groupGet', 
  (g: { id: number; evaluate: (ctx: EvalCtx) => Value | undefined }, notComputed: symbol, inProgress: symbol): Getter => (f) => {
    const c = f.ctx.cache[g.id];
    if (c !== notComputed && c !== inProgress) return c as Value | undefined;
    return g.evaluate(f.ctx);
  },
);

interface ClauseStep {
  step: Step;
  konst: boolean;
}

/**
 * Runs one definition of a complete rule or function (its body, then each `else`) in one frame;
 * returns the first clause's value. Steps unbind what they bind, so the frame serves every clause.
 *
 * The frame (and its result holder) is kept for the next call: functions run once per candidate
 * or so, and allocating per call showed up as GC time. Reuse is safe because the compiler only
 * reads a slot after the same activation wrote it; a nested call of the same definition (only
 * possible through `with`) finds no spare frame and allocates one, and a frame that saw an
 * exception is dropped.
 */
export const clauseRunner = perSiteFactory('clauseRunner',
  (clauses: ClauseStep[], size: number, FrameC: new (ctx: EvalCtx, size: number) => Frame, tick: Tick) => {
    let spare: Frame | null = null;
    return (ctx: EvalCtx, args: Value[] | null): Value | undefined => {
      let f = spare;
      let h: { found: boolean; value: Value | undefined; stop: boolean };
      if (f === null) {
        f = new FrameC(ctx, size);
        h = { found: false, value: undefined, stop: false };
        f.out = h;
      } else {
        spare = null;
        f.ctx = ctx;
        h = f.out as typeof h;
        h.found = false;
      }
      f.args = args;
      let result: Value | undefined = undefined;
      for (let i = 0; i < clauses.length; i++) {
        const c = clauses[i];
        h.stop = c.konst;
        tick(f);
        c.step(f);
        if (h.found) {
          result = h.value;
          break;
        }
      }
      // Released only on normal completion; nothing of this evaluation stays referenced but slots.
      h.value = undefined;
      f.args = null;
      spare = f;
      return result;
    };
  },
);

/** `every [k,] v in coll { body }`: arrays and sets without a callback, objects through `iterate`. */
export const everyStep = perSiteFactory('everyStep', 
  (cget: Getter, kslot: number, vslot: number, body: Step, next: Step, tick: Tick, iterate: Iterate, isSet: (v: Value) => boolean): Step => (f) => {
    const coll = cget(f);
    if (coll === undefined || coll === null || typeof coll !== 'object') return false;
    let failed = false;
    if (Array.isArray(coll) || isSet(coll)) {
      const arr = Array.isArray(coll) ? coll : (coll as unknown as { sorted(): Value[] }).sorted();
      const isArr = Array.isArray(coll);
      for (let i = 0; i < arr.length; i++) {
        tick(f);
        if (kslot >= 0) f.slots[kslot] = isArr ? i : arr[i];
        if (vslot >= 0) f.slots[vslot] = arr[i];
        const ok = body(f);
        if (kslot >= 0) f.slots[kslot] = undefined;
        if (vslot >= 0) f.slots[vslot] = undefined;
        if (!ok) {
          failed = true;
          break;
        }
      }
    } else {
      failed = iterate(coll, f, (k, v) => {
        if (kslot >= 0) f.slots[kslot] = k;
        if (vslot >= 0) f.slots[vslot] = v;
        const ok = body(f);
        if (kslot >= 0) f.slots[kslot] = undefined;
        if (vslot >= 0) f.slots[vslot] = undefined;
        return !ok;
      });
    }
    if (failed) return false;
    return next(f);
  },
);

/** The final step of a complete rule or function: records the value; a different second one is a conflict. */
export const valueCollectStep = perSiteFactory('valueCollectStep', 
  (get: Getter, conflict: () => Error, equals: (a: Value, b: Value) => boolean): Step => (f) => {
    const v = get(f);
    if (v === undefined) return false;
    const h = f.out as { found: boolean; value: Value | undefined; stop: boolean };
    if (h.found) {
      if (!equals(h.value as Value, v)) throw conflict();
      return h.stop;
    }
    h.found = true;
    h.value = v;
    return h.stop;
  },
);

/** Wraps a factory so that each call instantiates a per-site copy of it. */
function perSiteFactory<A extends unknown[], R>(name: string, factory: (...args: A) => R): (...args: A) => R {
  return (...args: A) => perSite(factory, name)(...args);
}
