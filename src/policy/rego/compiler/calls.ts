/** Function calls: resolving names to builtins or rules, arity, `with` overrides, inline operators. */
import { EvalCtx, EvalError, Frame, Getter } from '../eval/context';
import { tick } from '../eval/ops';
import type { Loc, Term } from '../syntax/ast';
import { RegoSet, Value } from '../value';
import { INLINE_OPS } from './inline';
import type { Env, ResolvedFn, TermPlanner, ValuePlan, Wrap } from './terms';
import { konst } from './terms';
import { args1, args2, callGet, inlineOpGet, userCall } from './templates';

/** Builtins removed from Rego v1. */
const DEPRECATED = new Set(['any', 'all', 're_match', 'net.cidr_overlap', 'set_diff', 'cast_array', 'cast_set', 'cast_string', 'cast_boolean', 'cast_null', 'cast_object']);

export function fnName(fn: Term): string | null {
  if (fn.type === 'var') return fn.name;
  if (fn.type === 'ref' && fn.head.type === 'var' && fn.path.every((p) => p.type === 'string')) {
    return [fn.head.name, ...fn.path.map((p) => (p as { value: string }).value)].join('.');
  }
  return null;
}

export function resolveFunction(p: TermPlanner, fn: Term, env: Env | null, infix = false): ResolvedFn {
  const name = fnName(fn);
  if (infix && name !== null) {
    const def = p.builtins.get(name);
    if (def) return { kind: 'builtin', def, key: name, arity: def.arity };
  }
  if (name === null) throw p.issue('rego_type_error', 'invalid function reference', fn.loc);
  const parts = name.split('.');
  if (env && env.scope.lookup(parts[0]) !== undefined) {
    throw p.issue('rego_type_error', `${name} is a variable, not a function`, fn.loc);
  }
  let path: string[] | null = null;
  // For calls an import takes precedence over a rule of the same name in the package.
  if (parts[0] === 'data') path = parts.slice(1);
  else if (p.info.imports.has(parts[0])) {
    const imp = p.info.imports.get(parts[0])!;
    if (imp.type === 'ref' && imp.head.type === 'var' && imp.head.name === 'data' && imp.path.every((s) => s.type === 'string')) {
      path = [...imp.path.map((s) => (s as { value: string }).value), ...parts.slice(1)];
    }
  } else if (p.info.ruleNames.has(parts[0])) path = [...p.info.module.pkg, ...parts];
  if (path) {
    const node = p.tree.node(path, false);
    const g = node?.group;
    if (!g || g.kind !== 'function') {
      if (g) throw p.issue('rego_type_error', `${g.name} is not a function`, fn.loc);
      throw p.issue('rego_type_error', `undefined function data.${path.join('.')}`, fn.loc);
    }
    p.addDep(g);
    g.callSites.add(`${fn.loc.file}:${fn.loc.line}:${fn.loc.col}`);
    return { kind: 'user', group: g, key: g.name, arity: g.arity };
  }
  const def = p.builtins.get(name);
  if (!def) throw p.issue('rego_type_error', `undefined function ${name}`, fn.loc);
  if (def.nondeterministic || name === 'print' || name === 'trace') p.markImpure();
  if (name === 'print' || name === 'trace') p.markPrinter();
  if (p.info.module.regoV1 && DEPRECATED.has(name)) {
    throw p.issue('rego_type_error', `deprecated built-in function ${name} is not available in Rego v1 (could not find function ${name})`, fn.loc);
  }
  return { kind: 'builtin', def, key: name, arity: def.arity };
}

/** A closure calling the function with evaluated arguments, honoring `with` overrides. */
export function callImpl(r: ResolvedFn, loc: Loc): (ctx: EvalCtx, args: Value[]) => Value | undefined {
  const key = r.key;
  const overridden = (ctx: EvalCtx, args: Value[]): Value | undefined | null => {
    const x = ctx.fnOverrides!.get(key);
    if (!x) return null;
    return x.kind === 'value' ? x.value : x.call(ctx, args);
  };
  if (r.kind === 'user') {
    return userCall(r.group, overridden);
  }
  const def = r.def;
  const fn = def.fn;
  // One closure per call site: override check, the builtin, and its error policy.
  return (ctx, args) => {
    if (ctx.fnOverrides !== null) {
      const v = overridden(ctx, args);
      if (v !== null) return v;
    }
    try {
      return fn(args, ctx.run.builtinCtx);
    } catch (e) {
      // Our own errors and stack exhaustion are never turned into "undefined".
      if (e instanceof EvalError || e instanceof RangeError) throw e;
      if (ctx.run.builtinCtx.strict) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new EvalError('eval_builtin_error', msg.startsWith(def.name) ? msg : `${def.name}: ${msg}`, loc.file, loc.line, loc.col);
      }
      return undefined;
    }
  };
}

export function planArgs(p: TermPlanner, args: Term[], env: Env): { pre: Wrap[]; gets: Getter[]; eval: (f: Frame) => Value[] | undefined } {
  const plans = args.map((a) => p.planValue(a, env));
  const gets = plans.map((p) => p.get);
  return {
    pre: plans.flatMap((p) => p.pre),
    gets,
    eval: argsEvaluator(gets),
  };
}

/** Evaluates argument getters into an array; undefined when any argument is undefined. */
function argsEvaluator(gets: Getter[]): (f: Frame) => Value[] | undefined {
  const n = gets.length;
  if (n === 1) return args1(gets[0]);
  if (n === 2) return args2(gets[0], gets[1]);
  return (f) => {
    const out = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const v = gets[i](f);
      if (v === undefined) return undefined;
      out[i] = v;
    }
    return out;
  };
}

export function planCallValue(p: TermPlanner, t: Extract<Term, { type: 'call' }>, env: Env): ValuePlan {
  const name = fnName(t.fn);
  if (name === 'print') throw p.issue('rego_type_error', 'print() cannot be used as a value', t.loc);
  if (name === 'set' && t.args.length === 0 && !p.info.ruleNames.has('set')) return konst(new RegoSet());
  const r = resolveFunction(p, t.fn, env, t.infix);
  if (r.arity >= 0 && t.args.length !== r.arity) {
    throw p.issue('rego_type_error', `${r.key}: arity mismatch: expected ${r.arity} arguments, got ${t.args.length}`, t.loc);
  }
  const args = planArgs(p, t.args, env);
  const call = callImpl(r, t.loc);
  const evalArgs = args.eval;
  if (r.kind === 'builtin' && r.def.relation) {
    const tmp = env.scope.slots.next();
    env.bound.add(tmp);
    const gen: Wrap = (next) => (f) => {
      const a = evalArgs(f);
      if (a === undefined) return false;
      const res = call(f.ctx, a);
      if (!Array.isArray(res)) return false;
      for (const v of res) {
        tick(f);
        f.slots[tmp] = v;
        const stop = next(f);
        f.slots[tmp] = undefined;
        if (stop) return true;
      }
      return false;
    };
    return { pre: [...args.pre, gen], get: (f) => f.slots[tmp] };
  }
  const slow: Getter = callGet(evalArgs, call);
  const inline = r.kind === 'builtin' && t.args.length === 2 ? INLINE_OPS.get(r.key) : undefined;
  if (inline) {
    const [ga, gb] = args.gets;
    return { pre: args.pre, get: inlineOpGet(ga, gb, inline, slow, r.key) };
  }
  return { pre: args.pre, get: slow };
}

