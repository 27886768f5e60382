/**
 * Body planning: orders expressions for safety (as OPA reorders them), then chains one step per
 * expression; each step calls its statically known continuation once per solution.
 */
import { Frame, Step } from '../eval/context';
import { formatPrintArg, iterate, tick } from '../eval/ops';
import type { Expr, Term } from '../syntax/ast';
import { Value, isSet } from '../value';
import { Scope, Unsafe } from './scope';
import { Env, TermPlanner, Wrap, cloneEnv, compose, visitTerm } from './terms';
import { planWith } from './with';
import { callGet, everyStep, matchStep, notStep, someInStep, truthyStep } from './templates';

function unbind(f: Frame, slots: number[]): void {
  for (let i = 0; i < slots.length; i++) f.slots[slots[i]] = undefined;
}


export class Planner extends TermPlanner {
  /** while compiling a query: where each term expression stores its value */
  valueSlots: Map<Expr, number> | null = null;

  /** Declares the variables of a body in `scope`: := / some declare locally; other unknown names too. */
  declareBodyVars(exprs: Expr[], scope: Scope, extra: Term[] = []): void {
    // Names used in this scope so far: declaring one of them afterwards (some x / x :=) is an error, as in OPA.
    const seen = new Set<string>();
    const v1 = this.info.module.regoV1;
    const checkShadow = (n: string, e: Expr): void => {
      if (v1 && (n === 'input' || n === 'data')) throw this.issue('rego_compile_error', `${n} cannot be shadowed`, e.loc);
      if (seen.has(n)) throw this.issue('rego_compile_error', `var ${n} referenced above`, e.loc);
    };
    const normal = (t: Term, track: boolean): void =>
      visitTerm(t, (n) => {
        if (n === '_') return;
        if (track && scope.vars.has(n)) seen.add(n);
        if (scope.lookup(n) !== undefined || this.isGlobalName(n)) return;
        scope.declare(n);
        if (track) seen.add(n);
      }, null);
    const local = (t: Term, e: Expr): void =>
      visitTerm(t, (n) => {
        if (n === '_') return;
        checkShadow(n, e);
        scope.declare(n);
        seen.add(n);
      }, null);
    for (const e of exprs) {
      const b = e.body;
      switch (b.kind) {
        case 'some': b.vars.forEach((v) => local(v, e)); break;
        case 'somein':
          normal(b.coll, true);
          if (b.key) local(b.key, e);
          local(b.value, e);
          break;
        case 'assign': {
          const l = b.left;
          if (l.type !== 'var' && l.type !== 'array' && l.type !== 'object') {
            throw this.issue('rego_compile_error', 'assignment operator := requires left-hand side to have bindable variables', e.loc);
          }
          normal(b.right, true);
          visitTerm(l, (n) => {
            if (n === '_') return;
            if (scope.assigned.has(n)) throw this.issue('rego_compile_error', `var ${n} assigned above`, e.loc);
            checkShadow(n, e);
            scope.assigned.add(n);
            scope.declare(n);
          }, null);
          break;
        }
        case 'unify': normal(b.left, true); normal(b.right, true); break;
        case 'term': normal(b.term, true); break;
        case 'every': normal(b.coll, true); break;
      }
      for (const w of e.withs) normal(w.value, true);
    }
    for (const t of extra) normal(t, false);
  }

  planBody(exprs: Expr[], env: Env, final: (env: Env) => Step): Step {
    const remaining = exprs.slice();
    const wraps: Wrap[] = [];
    while (remaining.length > 0) {
      let firstUnsafe: Unsafe | null = null;
      let picked = -1;
      for (let i = 0; i < remaining.length; i++) {
        const trial = cloneEnv(env);
        try {
          wraps.push(this.planExpr(remaining[i], trial));
          env.bound = trial.bound;
          picked = i;
          break;
        } catch (e) {
          if (!(e instanceof Unsafe)) throw e;
          firstUnsafe ??= e;
        }
      }
      if (picked < 0) {
        const u = firstUnsafe!;
        const names = [...new Set(u.names)].filter((n) => n !== '_');
        throw this.issue('rego_unsafe_var_error', names.length ? `var ${names.join(', ')} is unsafe` : 'expression is unsafe', u.loc);
      }
      remaining.splice(picked, 1);
    }
    return compose(wraps, final(env));
  }

  planExpr(e: Expr, env: Env): Wrap {
    if (e.withs.length > 0) return this.planWith(e, env);
    if (e.negated) return this.planNot(e, env);
    const b = e.body;
    switch (b.kind) {
      case 'some':
        return (next) => next;
      case 'term': {
        const slot = this.valueSlots?.get(e);
        const isCallWithOutput = b.term.type === 'call' && (this.fnName(b.term.fn) === 'print' || (this.fnName(b.term.fn) === 'set' && b.term.args.length === 0 ? false : b.term.args.length !== this.resolveFunction(b.term.fn, env, b.term.infix).arity));
        if (slot !== undefined && !isCallWithOutput) {
          const vp = this.planValue(b.term, env);
          const get = vp.get;
          return (next) =>
            compose(vp.pre, (f) => {
              tick(f);
              const v = get(f);
              if (v === undefined || v === false) return false;
              f.slots[slot] = v;
              const r = next(f);
              f.slots[slot] = undefined;
              return r;
            });
        }
        return this.planTermExpr(b.term, env);
      }
      case 'unify':
        return this.planUnify(b.left, b.right, env);
      case 'assign': {
        const r = this.planValue(b.right, env);
        const m = this.planMatch(b.left, env);
        return this.matchWrap(r.pre, r.get, m.pre, m.match, m.binds);
      }
      case 'somein': {
        const ct = b.coll.type;
        if (ct === 'null' || ct === 'boolean' || ct === 'number' || ct === 'string') {
          throw this.issue('rego_type_error', `\`some .. in\` expects a collection (array, set or object), got ${ct}`, e.loc);
        }
        if (b.value.type === 'array' && (b.coll.type === 'array' || b.coll.type === 'set')) {
          // Statically impossible: every element is an array literal of another length.
          const n = b.value.items.length;
          const items = b.coll.items;
          if (items.length > 0 && items.every((it) => it.type === 'array' && it.items.length !== n)) {
            throw this.issue('rego_type_error', `mismatch in number of array elements: pattern has ${n}`, e.loc);
          }
        }
        const c = this.planValue(b.coll, env);
        const km = b.key ? this.planMatch(b.key, env) : null;
        const vm = this.planMatch(b.value, env);
        const binds = [...(km?.binds ?? []), ...vm.binds];
        const pre = [...c.pre, ...(km?.pre ?? []), ...vm.pre];
        return (next) => compose(pre, someInStep(c.get, km ? km.match : null, vm.match, binds, next, tick, iterate, isSet));
      }
      case 'every':
        return this.planEvery(b, env);
    }
  }

  private matchWrap(
    pre1: Wrap[], get: (f: Frame) => Value | undefined, pre2: Wrap[], match: (f: Frame, v: Value) => boolean, binds: number[],
  ): Wrap {
    return (next) => compose([...pre1, ...pre2], matchStep(get, match, binds, next));
  }

  private planTermExpr(t: Term, env: Env): Wrap {
    if (t.type === 'call') {
      const name = this.fnName(t.fn);
      if (name === 'print') return this.planPrint(t.args, env);
      if (name === 'set' && t.args.length === 0) return this.planTermExprValue(t, env);
      const r = this.resolveFunction(t.fn, env, t.infix);
      if (r.arity >= 0 && t.args.length === r.arity + 1 && !(r.kind === 'builtin' && r.def.relation)) {
        const args = this.planArgs(t.args.slice(0, -1), env);
        const call = this.callImpl(r, t.loc);
        const m = this.planMatch(t.args[t.args.length - 1], env);
        const ev = args.eval;
        return this.matchWrap(args.pre, callGet(ev, call), m.pre, m.match, m.binds);
      }
      if (r.kind === 'builtin' && r.def.relation && t.args.length === r.arity + 1) {
        const inner: Term = { ...t, args: t.args.slice(0, -1) };
        const vp = this.planValue(inner, env);
        const m = this.planMatch(t.args[t.args.length - 1], env);
        return this.matchWrap(vp.pre, vp.get, m.pre, m.match, m.binds);
      }
    }
    return this.planTermExprValue(t, env);
  }

  private planTermExprValue(t: Term, env: Env): Wrap {
    const vp = this.planValue(t, env);
    const get = vp.get;
    return (next) => compose(vp.pre, truthyStep(get, next));
  }

  private planPrint(args: Term[], env: Env): Wrap {
    this.markImpure();
    this.markPrinter();
    // Each argument is evaluated on its own: undefined prints as <undefined>; iteration prints each value set.
    const parts = args.map((a) => {
      const sc = env.scope.child();
      this.declareBodyVars([], sc, [a]);
      const inner: Env = { scope: sc, bound: new Set(env.bound) };
      try {
        const vp = this.planValue(a, inner);
        return { pre: vp.pre, get: vp.get };
      } catch (e) {
        if (e instanceof Unsafe) throw e;
        throw e;
      }
    });
    return (next) => {
      const steps = parts.map((p) => {
        const slot: { vals: Value[] } = { vals: [] };
        const collect = compose(p.pre, (f) => {
          const v = p.get(f);
          if (v !== undefined) slot.vals.push(v);
          return false;
        });
        return { slot, collect };
      });
      return (f) => {
        const out: string[] = [];
        for (const s of steps) {
          s.slot.vals = [];
          s.collect(f);
          out.push(s.slot.vals.length === 0 ? '<undefined>' : s.slot.vals.length === 1 ? formatPrintArg(s.slot.vals[0]) : formatPrintArg(s.slot.vals));
        }
        f.ctx.run.builtinCtx.print(out.join(' '));
        return next(f);
      };
    };
  }

  private planUnify(l: Term, r: Term, env: Env): Wrap {
    if (l.type === 'array' && r.type === 'array' && l.items.length !== r.items.length) {
      throw this.issue('rego_type_error', `mismatch in number of array elements: ${l.items.length} and ${r.items.length}`, l.loc);
    }
    if ((l.type === 'array' && r.type === 'object') || (l.type === 'object' && r.type === 'array')) {
      throw this.issue('rego_type_error', 'incompatible destructuring patterns: array and object', l.loc);
    }
    if (l.type === 'object' && r.type === 'object') {
      const lk = l.entries.map(([k]) => (k.type === 'string' ? k.value : null));
      const rk = r.entries.map(([k]) => (k.type === 'string' ? k.value : null));
      if (!lk.includes(null) && !rk.includes(null) && (lk.length !== rk.length || lk.some((k) => !rk.includes(k)))) {
        throw this.issue('rego_type_error', `object keys mismatch: [${lk.join(', ')}] and [${rk.join(', ')}]`, l.loc);
      }
    }
    for (const [a, b] of [[l, r], [r, l]] as const) {
      const trial = cloneEnv(env);
      try {
        const bv = this.planValue(b, trial);
        const m = this.planMatch(a, trial);
        env.bound = trial.bound;
        return this.matchWrap(bv.pre, bv.get, m.pre, m.match, m.binds);
      } catch (e) {
        if (!(e instanceof Unsafe)) throw e;
      }
    }
    if (l.type === 'array' && r.type === 'array') {
      if (l.items.length !== r.items.length) return () => () => false;
      const pairs = l.items.map((x, i) => [x, r.items[i]] as const);
      return this.planPairs(pairs, env, l);
    }
    if (l.type === 'object' && r.type === 'object') {
      const lk = new Map<string, Term>();
      const rk = new Map<string, Term>();
      for (const [k, v] of l.entries) if (k.type === 'string') lk.set(k.value, v);
      for (const [k, v] of r.entries) if (k.type === 'string') rk.set(k.value, v);
      if (lk.size === l.entries.length && rk.size === r.entries.length) {
        if (lk.size !== rk.size || [...lk.keys()].some((k) => !rk.has(k))) return () => () => false;
        return this.planPairs([...lk].map(([k, v]) => [v, rk.get(k)!] as const), env, l);
      }
    }
    const names: string[] = [];
    for (const t of [l, r]) visitTerm(t, (n) => { const s = env.scope.lookup(n); if (s !== undefined && !env.bound.has(s)) names.push(n); }, null);
    throw new Unsafe(names.length ? names : ['_'], l.loc);
  }

  private planPairs(pairs: (readonly [Term, Term])[], env: Env, at: Term): Wrap {
    const remaining = pairs.slice();
    const wraps: Wrap[] = [];
    while (remaining.length) {
      let picked = -1;
      for (let i = 0; i < remaining.length; i++) {
        const trial = cloneEnv(env);
        try {
          wraps.push(this.planUnify(remaining[i][0], remaining[i][1], trial));
          env.bound = trial.bound;
          picked = i;
          break;
        } catch (e) {
          if (!(e instanceof Unsafe)) throw e;
        }
      }
      if (picked < 0) throw new Unsafe(['_'], at.loc);
      remaining.splice(picked, 1);
    }
    return (next) => compose(wraps, next);
  }

  private planNot(e: Expr, env: Env): Wrap {
    const trial = cloneEnv(env);
    const inner = this.planExpr({ ...e, negated: false }, trial);
    const leaked: string[] = [];
    for (const s of trial.bound) {
      if (env.bound.has(s)) continue;
      const name = env.scope.nameOf(s);
      if (!name.startsWith('$')) leaked.push(name);
    }
    if (leaked.length) throw new Unsafe(leaked, e.loc);
    const innerStep = inner(() => true);
    return (next) => notStep(innerStep, next);
  }

  private planEvery(b: Extract<Expr['body'], { kind: 'every' }>, env: Env): Wrap {
    const c = this.planValue(b.coll, env);
    const sc = env.scope.child();
    const kslot = b.key && b.key.type === 'var' && b.key.name !== '_' ? sc.declare(b.key.name) : -1;
    const vslot = b.value.type === 'var' && b.value.name !== '_' ? sc.declare(b.value.name) : -1;
    this.declareBodyVars(b.body, sc);
    const cap = this.capturedSlots([], b.body, sc);
    const missing = cap.names.filter((_, i) => !env.bound.has(cap.slots[i]));
    if (missing.length) throw new Unsafe(missing, b.coll.loc);
    const inner: Env = { scope: sc, bound: new Set(env.bound) };
    if (kslot >= 0) inner.bound.add(kslot);
    if (vslot >= 0) inner.bound.add(vslot);
    const body = this.planBody(b.body, inner, () => () => true);
    return (next) => compose(c.pre, everyStep(c.get, kslot, vslot, body, next, tick, iterate, isSet));
  }

  // ------------------------------------------------------------------ with

  private planWith(e: Expr, env: Env): Wrap {
    return planWith(this, e, env, (x: Expr, en: Env) => this.planExpr(x, en));
  }
}
