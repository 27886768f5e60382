/**
 * Array, set and object comprehensions.
 *
 * Comprehension indexing (as OPA does it): a comprehension whose only outer variable `k` appears in
 * one equality with a local variable (`{r | some [i, r] in xs; i == k}`) is evaluated once per
 * evaluation for every value of the local variable, grouped by it; each use then looks its group
 * up. Nested "for each x, collect the ys with the same key" patterns become linear instead of
 * quadratic.
 */
import { EvalError, Frame, Step } from '../eval/context';
import type { Expr, Loc, Term } from '../syntax/ast';
import { PlainObject, RegoObject, RegoSet, Value, canonicalKey, emptyObject, makeObject, valueEquals } from '../value';
import { CompileIssue, Scope, Unsafe } from './scope';
import type { Env, TermPlanner, ValuePlan } from './terms';
import { compose, visitExpr, visitTerm } from './terms';
import { arrayCollectStep } from './templates';

type Compr = Extract<Term, { type: 'arraycompr' | 'setcompr' | 'objectcompr' }>;
/** An object comprehension's result: a plain object while every key is a string. */
class ObjectAcc {
  o: PlainObject | RegoObject = emptyObject();
}
type Acc = Value[] | RegoSet | ObjectAcc;

const hasOwn = Object.prototype.hasOwnProperty;
let nextIndexId = 0;

function newAcc(kind: Compr['type']): Acc {
  return kind === 'arraycompr' ? [] : kind === 'setcompr' ? new RegoSet() : new ObjectAcc();
}

function finish(a: Acc): Value {
  if (!(a instanceof ObjectAcc)) return a;
  return a.o instanceof RegoObject ? makeObject(a.o.map.values()) : a.o;
}

/** Adds key: value (an equal duplicate is a no-op; a different value is a conflict). */
function putEntry(acc: ObjectAcc, k: Value, v: Value, loc: Loc): void {
  let o = acc.o;
  if (!(o instanceof RegoObject)) {
    if (typeof k === 'string') {
      if (!hasOwn.call(o, k)) o[k] = v;
      else if (!valueEquals(o[k], v)) throw new EvalError('eval_conflict_error', 'object keys must be unique', loc.file, loc.line, loc.col);
      return;
    }
    const r = new RegoObject();
    for (const key of Object.keys(o)) r.set(key, o[key]);
    acc.o = o = r;
  }
  const prev = o.get(k);
  if (prev === undefined) o.set(k, v);
  else if (!valueEquals(prev, v)) throw new EvalError('eval_conflict_error', 'object keys must be unique', loc.file, loc.line, loc.col);
}

/** The step that adds the head of one solution to the accumulator `accOf(f)` returns. */
function collector(p: TermPlanner, t: Compr, e: Env, accOf: (f: Frame) => Acc | undefined): Step {
  const loc = t.loc;
  if (t.type === 'objectcompr') {
    const k = p.planValue(t.key, e);
    const v = p.planValue(t.value, e);
    return compose([...k.pre, ...v.pre], (f) => {
      const kv = k.get(f);
      const vv = v.get(f);
      if (kv === undefined || vv === undefined) return false;
      putEntry(accOf(f) as ObjectAcc, kv, vv, loc);
      return false;
    });
  }
  const h = p.planValue(t.head, e);
  if (t.type === 'setcompr') {
    return compose(h.pre, (f) => {
      const v = h.get(f);
      if (v !== undefined) (accOf(f) as RegoSet).add(v);
      return false;
    });
  }
  return compose(h.pre, arrayCollectStep(h.get, accOf));
}

/** `local == outer` (or `=`) among the comprehension's top-level expressions. */
function findIndexEquality(t: Compr, sc: Scope, outer: string): { at: number; local: string } | null {
  for (let i = 0; i < t.body.length; i++) {
    const e = t.body[i];
    if (e.negated || e.withs.length > 0) continue;
    const b = e.body;
    let l: Term | undefined;
    let r: Term | undefined;
    if (b.kind === 'unify') [l, r] = [b.left, b.right];
    else if (b.kind === 'term' && b.term.type === 'call' && b.term.infix && b.term.fn.type === 'var' && b.term.fn.name === 'equal') [l, r] = b.term.args;
    if (!l || !r || l.type !== 'var' || r.type !== 'var') continue;
    const local = l.name === outer ? r.name : r.name === outer ? l.name : null;
    if (local && local !== '_' && sc.vars.has(local)) return { at: i, local };
  }
  return null;
}

/** How often `name` occurs in the comprehension, closures included. */
function occurrences(t: Compr, name: string): number {
  let n = 0;
  const visitT = (x: Term): void => visitTerm(x, (v) => { if (v === name) n++; }, visitE);
  const visitE = (e: Expr): void => visitExpr(e, visitT);
  (t.type === 'objectcompr' ? [t.key, t.value] : [t.head]).forEach(visitT);
  t.body.forEach(visitE);
  return n;
}

function planIndexed(p: TermPlanner, t: Compr, env: Env, sc: Scope, outer: { name: string; slot: number }): ValuePlan | null {
  const eq = findIndexEquality(t, sc, outer.name);
  if (!eq || occurrences(t, outer.name) !== 1) return null;
  const localSlot = sc.vars.get(eq.local)!;
  const groupsSlot = sc.slots.next();
  const body = t.body.filter((_, i) => i !== eq.at);
  let step: Step;
  try {
    const inner: Env = { scope: sc, bound: new Set(env.bound) };
    inner.bound.delete(outer.slot);
    step = p.planBody(body, inner, (e) => {
      if (!e.bound.has(localSlot)) throw new Unsafe([eq.local], t.loc);
      return collector(p, t, e, (f) => {
        const groups = f.slots[groupsSlot] as unknown as Map<string, Acc>;
        const ck = canonicalKey(f.slots[localSlot]!);
        let a = groups.get(ck);
        if (a === undefined) groups.set(ck, (a = newAcc(t.type)));
        return a;
      });
    });
  } catch (err) {
    if (err instanceof Unsafe || err instanceof CompileIssue) return null;
    throw err;
  }
  const id = nextIndexId++;
  const kind = t.type;
  const empty = finish(newAcc(kind));
  return {
    pre: [],
    get: (f) => {
      const k = f.slots[outer.slot];
      if (k === undefined) return undefined;
      const ctx = f.ctx;
      let cache = ctx.comprIndex;
      if (cache === null) cache = ctx.comprIndex = new Map();
      let index = cache.get(id);
      if (index === undefined) {
        const groups = new Map<string, Acc>();
        f.slots[groupsSlot] = groups as unknown as Value;
        try {
          step(f);
        } finally {
          f.slots[groupsSlot] = undefined;
        }
        index = new Map();
        for (const [ck, a] of groups) index.set(ck, finish(a));
        cache.set(id, index);
      }
      const v = index.get(canonicalKey(k));
      return v === undefined ? empty : v;
    },
  };
}

export function planComprehension(p: TermPlanner, t: Compr, env: Env): ValuePlan {
  const sc = env.scope.child();
  const headTerms = t.type === 'objectcompr' ? [t.key, t.value] : [t.head];
  p.declareBodyVars(t.body, sc, headTerms);
  const cap = p.capturedSlots(headTerms, t.body, sc);
  const missing = cap.names.filter((_, i) => !env.bound.has(cap.slots[i]));
  if (missing.length) throw new Unsafe(missing, t.loc);
  if (cap.names.length === 1) {
    const indexed = planIndexed(p, t, env, sc, { name: cap.names[0], slot: cap.slots[0] });
    if (indexed) return indexed;
  }
  const acc = sc.slots.next();
  const innerEnv: Env = { scope: sc, bound: new Set(env.bound) };
  const body = p.planBody(t.body, innerEnv, (e) => collector(p, t, e, (f) => f.slots[acc] as unknown as Acc));
  const kind = t.type;
  return {
    pre: [],
    get: (f) => {
      f.slots[acc] = newAcc(kind) as Value;
      body(f);
      const r = f.slots[acc] as unknown as Acc;
      f.slots[acc] = undefined;
      return finish(r);
    },
  };
}
