/**
 * Term planning: turns AST terms into closures. A term is compiled either to a getter (all variables
 * bound) or to a matcher (binds unbound variables against a value). References that iterate
 * (input.xs[i]) are hoisted into generator steps that bind a temporary slot.
 */
import { BUILTINS } from '../builtins';
import type { BuiltinDef } from '../builtins/types';
import { BuiltinError } from '../builtins/types';
import { EvalCtx, EvalError, Frame, Getter, IN_PROGRESS, NOT_COMPUTED, Step } from '../eval/context';
import { iterate, lookup, lookupPath, tick } from '../eval/ops';
import type { Expr, Loc, Term } from '../syntax/ast';
import {
  PlainObject, RegoObject, RegoSet, Value, canonicalKey, emptyObject, isObject, makeObject, objectEntries, objectGet, objectSize, valueEquals,
} from '../value';
import { planComprehension } from './comprehensions';
import { INLINE_OPS } from './inline';
import { CompileIssue, Scope, Unsafe } from './scope';
import { DataNode, ModuleInfo, RuleGroup, RuleTree } from './tree';

export type Wrap = (next: Step) => Step;

/** Builtins removed from Rego v1. */
const DEPRECATED = new Set(['any', 'all', 're_match', 'net.cidr_overlap', 'set_diff', 'cast_array', 'cast_set', 'cast_string', 'cast_boolean', 'cast_null', 'cast_object']);
export interface ValuePlan {
  pre: Wrap[];
  get: Getter;
  /** set when the value is known at compile time */
  konst?: { v: Value };
}
export interface MatchPlan {
  pre: Wrap[];
  match: (f: Frame, v: Value) => boolean;
  binds: number[];
}
export interface Env {
  scope: Scope;
  bound: Set<number>;
}

export type ResolvedFn =
  | { kind: 'builtin'; def: BuiltinDef; key: string; arity: number }
  | { kind: 'user'; group: RuleGroup; key: string; arity: number };

export function cloneEnv(env: Env): Env {
  return { scope: env.scope, bound: new Set(env.bound) };
}

export function compose(pre: Wrap[], step: Step): Step {
  let s = step;
  for (let i = pre.length - 1; i >= 0; i--) s = pre[i](s);
  return s;
}

function unbind(f: Frame, slots: number[]): void {
  for (let i = 0; i < slots.length; i++) f.slots[slots[i]] = undefined;
}

const TRUE_MATCH = (): boolean => true;
const hasOwnProp = Object.prototype.hasOwnProperty;

export function evalGroup(ctx: EvalCtx, g: RuleGroup): Value | undefined {
  const c = ctx.cache[g.id];
  if (c !== NOT_COMPUTED && c !== IN_PROGRESS) return c;
  return g.evaluate(ctx);
}

/** Materializes a data node: base data merged with every rule document below it (cached per evaluation). */
export function materialize(ctx: EvalCtx, node: DataNode): Value {
  const hit = ctx.nodeCache.get(node.id);
  if (hit !== undefined) return hit;
  const base = lookupPath(ctx.data, node.path);
  const entries = new Map<string, [Value, Value]>();
  let allStrings = true;
  const put = (k: Value, v: Value): void => {
    if (typeof k !== 'string') allStrings = false;
    entries.set(canonicalKey(k), [k, v]);
  };
  if (base !== undefined && isObject(base)) {
    if (base instanceof RegoObject) for (const [k, v] of base.map.values()) put(k, v);
    else for (const k of Object.keys(base)) put(k, (base as PlainObject)[k]);
  }
  let generated: Set<string> | null = null;
  if (node.group && node.group.kind !== 'function') {
    const gv = evalGroup(ctx, node.group);
    if (gv !== undefined && isObject(gv)) {
      generated = new Set();
      for (const [k, v] of objectEntries(gv)) {
        put(k, v);
        generated.add(canonicalKey(k));
      }
    }
  }
  for (const [name, child] of node.children) {
    let v: Value | undefined;
    if (child.group && child.children.size === 0) {
      if (child.group.kind === 'function') continue;
      v = evalGroup(ctx, child.group);
    } else if (child.hasRules()) {
      v = materialize(ctx, child);
    } else continue;
    if (v === undefined) continue;
    // A key produced both by a rule generating this object and by a rule below it must agree.
    if (generated?.has(canonicalKey(name))) {
      const prev = entries.get(canonicalKey(name))![1];
      if (!valueEquals(prev, v)) throw new EvalError('eval_conflict_error', `object keys must be unique: conflicting values for ${node.path.length ? 'data.' + node.path.join('.') : 'data'}.${name}`);
    }
    put(name, v);
  }
  let out: Value;
  if (allStrings) {
    const o = emptyObject();
    for (const [k, v] of entries.values()) o[k as string] = v;
    out = o;
  } else out = makeObject([...entries.values()]);
  ctx.nodeCache.set(node.id, out);
  return out;
}

export abstract class TermPlanner {
  /** rule group being compiled (for dependency edges), null for queries */
  currentGroup: RuleGroup | null = null;
  readonly deps = new Map<number, Set<number>>();

  constructor(
    readonly tree: RuleTree,
    public info: ModuleInfo,
    readonly builtins: ReadonlyMap<string, BuiltinDef> = BUILTINS,
  ) {}

  abstract planBody(exprs: Expr[], env: Env, final: (env: Env) => Step): Step;

  protected issue(code: string, message: string, loc: Loc | undefined): CompileIssue {
    return new CompileIssue(code, message, loc);
  }

  /** groups whose own bodies read input or call nondeterministic / side-effecting builtins */
  readonly impure = new Set<number>();

  markImpure(): void {
    if (this.currentGroup) this.impure.add(this.currentGroup.id);
  }

  /** groups whose own bodies print (their calls must not be memoized) */
  readonly printers = new Set<number>();

  markPrinter(): void {
    if (this.currentGroup) this.printers.add(this.currentGroup.id);
  }

  private addDep(g: RuleGroup): void {
    if (!this.currentGroup) return;
    let s = this.deps.get(this.currentGroup.id);
    if (!s) this.deps.set(this.currentGroup.id, (s = new Set()));
    s.add(g.id);
  }

  isGlobalName(name: string): boolean {
    return name === 'input' || name === 'data' || this.info.imports.has(name) || this.info.ruleNames.has(name);
  }

  /** Expands a var or ref naming a document into [root, segments]: root 'input' | 'data' | null (local). */
  protected expandGlobal(name: string, loc: Loc): { root: 'input' | 'data'; segs: Term[] } | null {
    if (name === 'input') return { root: 'input', segs: [] };
    if (name === 'data') return { root: 'data', segs: [] };
    if (this.info.ruleNames.has(name)) {
      return { root: 'data', segs: [...this.info.module.pkg, name].map((s) => ({ type: 'string', value: s, loc }) as Term) };
    }
    const imp = this.info.imports.get(name);
    if (imp) {
      const head = imp.type === 'ref' ? imp.head : imp;
      const path = imp.type === 'ref' ? imp.path : [];
      if (head.type === 'var' && (head.name === 'input' || head.name === 'data')) return { root: head.name, segs: path };
    }
    if (this.info.ruleNames.has(name)) {
      return { root: 'data', segs: [...this.info.module.pkg, name].map((s) => ({ type: 'string', value: s, loc }) as Term) };
    }
    return null;
  }

  // ------------------------------------------------------------------ values

  planValue(t: Term, env: Env): ValuePlan {
    switch (t.type) {
      case 'null': return konst(null);
      case 'boolean': return konst(t.value);
      case 'number': return konst(t.value);
      case 'string': return konst(t.value);
      case 'var': {
        if (t.name === '_') throw new Unsafe(['_'], t.loc);
        const slot = env.scope.lookup(t.name);
        if (slot !== undefined) {
          if (!env.bound.has(slot)) throw new Unsafe([t.name], t.loc);
          return { pre: [], get: (f) => f.slots[slot] };
        }
        const g = this.expandGlobal(t.name, t.loc);
        if (!g) throw new Unsafe([t.name], t.loc);
        return this.planRooted(g.root, g.segs, env, t.loc);
      }
      case 'ref':
        return this.planRef(t, env);
      case 'array': {
        const items = t.items.map((x) => this.planValue(x, env));
        const pre = items.flatMap((p) => p.pre);
        if (items.every((p) => p.konst)) return konst(items.map((p) => p.konst!.v));
        const gets = items.map((p) => p.get);
        const n = gets.length;
        return {
          pre,
          get: (f) => {
            const out = new Array<Value>(n);
            for (let i = 0; i < n; i++) {
              const v = gets[i](f);
              if (v === undefined) return undefined;
              out[i] = v;
            }
            return out;
          },
        };
      }
      case 'set': {
        const items = t.items.map((x) => this.planValue(x, env));
        const pre = items.flatMap((p) => p.pre);
        if (items.every((p) => p.konst)) return konst(new RegoSet(items.map((p) => p.konst!.v)));
        const gets = items.map((p) => p.get);
        return {
          pre,
          get: (f) => {
            const out = new RegoSet();
            for (const g of gets) {
              const v = g(f);
              if (v === undefined) return undefined;
              out.add(v);
            }
            return out;
          },
        };
      }
      case 'object': {
        const keys = t.entries.map(([k]) => this.planValue(k, env));
        const vals = t.entries.map(([, v]) => this.planValue(v, env));
        const pre = [...keys.flatMap((p) => p.pre), ...vals.flatMap((p) => p.pre)];
        if (keys.every((p) => p.konst) && vals.every((p) => p.konst)) {
          return konst(makeObject(keys.map((k, i) => [k.konst!.v, vals[i].konst!.v] as const)));
        }
        const n = keys.length;
        if (keys.every((k) => k.konst && typeof k.konst.v === 'string')) {
          const names = keys.map((k) => k.konst!.v as string);
          const vg = vals.map((v) => v.get);
          return {
            pre,
            get: (f) => {
              const o = emptyObject();
              for (let i = 0; i < n; i++) {
                const v = vg[i](f);
                if (v === undefined) return undefined;
                o[names[i]] = v;
              }
              return o;
            },
          };
        }
        return {
          pre,
          get: (f) => {
            const entries: [Value, Value][] = [];
            for (let i = 0; i < n; i++) {
              const k = keys[i].get(f);
              const v = vals[i].get(f);
              if (k === undefined || v === undefined) return undefined;
              entries.push([k, v]);
            }
            return makeObject(entries);
          },
        };
      }
      case 'call':
        return this.planCallValue(t, env);
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr':
        return this.planCompr(t, env);
    }
  }

  /** Resolves the head of a ref and applies its path. */
  protected planRef(t: Extract<Term, { type: 'ref' }>, env: Env): ValuePlan {
    const head = t.head;
    if (head.type === 'var') {
      const slot = env.scope.lookup(head.name);
      if (slot !== undefined && env.bound.has(slot) && t.path.every((p) => p.type === 'string')) {
        // x.a.b on a bound variable: one closure, no intermediate getter.
        const path = t.path.map((p) => (p as { value: string }).value);
        if (path.length === 1) {
          const k = path[0];
          return {
            pre: [],
            get: (f) => {
              const v = f.slots[slot];
              if (typeof v !== 'object' || v === null) return undefined;
              if (Array.isArray(v) || v instanceof RegoSet || v instanceof RegoObject) return lookup(v, k);
              return hasOwnProp.call(v, k) ? (v as PlainObject)[k] : undefined;
            },
          };
        }
        return { pre: [], get: (f) => lookupPath(f.slots[slot], path) };
      }
      if (slot === undefined) {
        const g = this.expandGlobal(head.name, head.loc);
        if (g) return this.planRooted(g.root, [...g.segs, ...t.path], env, t.loc);
        throw new Unsafe([head.name], head.loc);
      }
    }
    return this.applySegs(this.planValue(head, env), t.path, env, t.loc);
  }

  protected planRooted(root: 'input' | 'data', segs: Term[], env: Env, loc: Loc): ValuePlan {
    if (root === 'input') this.markImpure();
    if (root === 'input' && segs.every((p) => p.type === 'string')) {
      const path = segs.map((p) => (p as { value: string }).value);
      return { pre: [], get: (f) => lookupPath(f.ctx.input, path) };
    }
    if (root === 'input') return this.applySegs({ pre: [], get: (f) => f.ctx.input }, segs, env, loc);
    return this.planDataRef(segs, env, loc);
  }

  /** data.<segs>: resolves the static prefix against the rule tree at compile time. */
  protected planDataRef(segs: Term[], env: Env, loc: Loc): ValuePlan {
    let node = this.tree.root;
    let i = 0;
    let missing = false;
    while (i < segs.length) {
      const s = segs[i];
      if (s.type !== 'string') break;
      const c = node.children.get(s.value);
      if (!c) {
        missing = true;
        break;
      }
      node = c;
      i++;
      if (node.group) break;
    }
    const g = node.group;
    let base: ValuePlan;
    if (g && g.kind === 'function') {
      if (g.arity !== 0) throw this.issue('rego_type_error', `function ${g.name} used as a value (call it with arguments)`, loc);
      this.addDep(g);
      base = { pre: [], get: (f) => g.call(f.ctx, []) };
    } else if (g && node.children.size === 0) {
      this.addDep(g);
      base = { pre: [], get: (f) => evalGroup(f.ctx, g) };
    } else if (!missing && node.hasRules()) {
      for (const x of node.groupsBelow()) this.addDep(x);
      base = { pre: [], get: (f) => materialize(f.ctx, node) };
    } else if (missing && g) {
      for (const x of node.groupsBelow()) this.addDep(x);
      base = { pre: [], get: (f) => materialize(f.ctx, node) };
    } else {
      // Pure base data: one path lookup.
      const path = node.path;
      base = { pre: [], get: (f) => lookupPath(f.ctx.data, path) };
    }
    return this.applySegs(base, segs.slice(i), env, loc);
  }

  /** Applies ref segments: lookups for bound keys, iteration (a hoisted generator) for patterns. */
  protected applySegs(base: ValuePlan, segs: Term[], env: Env, loc: Loc): ValuePlan {
    if (segs.length === 0) return base;
    type Part = { kind: 'const'; key: Value } | { kind: 'get'; get: Getter } | { kind: 'iter'; m: MatchPlan };
    const parts: Part[] = [];
    const pre = [...base.pre];
    for (const s of segs) {
      if (s.type === 'string' || s.type === 'number' || s.type === 'boolean' || s.type === 'null') {
        parts.push({ kind: 'const', key: s.type === 'null' ? null : s.value });
        continue;
      }
      if (s.type === 'var' && s.name === '_') {
        parts.push({ kind: 'iter', m: { pre: [], match: TRUE_MATCH, binds: [] } });
        continue;
      }
      const trial = cloneEnv(env);
      let vp: ValuePlan | null = null;
      try {
        vp = this.planValue(s, trial);
      } catch (e) {
        if (!(e instanceof Unsafe)) throw e;
      }
      if (vp) {
        for (const b of trial.bound) env.bound.add(b);
        pre.push(...vp.pre);
        parts.push(vp.konst ? { kind: 'const', key: vp.konst.v } : { kind: 'get', get: vp.get });
        continue;
      }
      const m = this.planMatch(s, env);
      pre.push(...m.pre);
      parts.push({ kind: 'iter', m });
    }
    const baseGet = base.get;
    if (!parts.some((p) => p.kind === 'iter')) {
      if (parts.every((p) => p.kind === 'const' && typeof p.key === 'string')) {
        const path = parts.map((p) => (p as { key: string }).key);
        if (path.length === 1) {
          const k = path[0];
          return {
            pre,
            get: (f) => {
              const v = baseGet(f);
              if (typeof v !== 'object' || v === null) return undefined;
              if (Array.isArray(v) || v instanceof RegoSet || v instanceof RegoObject) return lookup(v, k);
              return hasOwnProp.call(v, k) ? (v as PlainObject)[k] : undefined;
            },
          };
        }
        return { pre, get: (f) => lookupPath(baseGet(f), path) };
      }
      return {
        pre,
        get: (f) => {
          let v = baseGet(f);
          for (let i = 0; i < parts.length && v !== undefined; i++) {
            const p = parts[i];
            const k = p.kind === 'const' ? p.key : (p as { get: Getter }).get(f);
            if (k === undefined) return undefined;
            v = lookup(v, k);
          }
          return v;
        },
      };
    }
    // Generator: bind a temporary slot to each value the ref can take.
    const tmp = env.scope.slots.next();
    env.bound.add(tmp);
    const n = parts.length;
    const gen: Wrap = (next) => {
      const walk = (f: Frame, v0: Value, i0: number): boolean => {
        let v = v0;
        for (let i = i0; i < n; i++) {
          const p = parts[i];
          if (p.kind === 'iter') {
            const m = p.m;
            if (Array.isArray(v)) {
              // Arrays (the common case): no callback allocation.
              const arr = v;
              const binds = m.binds;
              for (let j = 0; j < arr.length; j++) {
                tick(f);
                let r = false;
                if (m.match(f, j)) r = walk(f, arr[j], i + 1);
                for (let b = 0; b < binds.length; b++) f.slots[binds[b]] = undefined;
                if (r) return true;
              }
              return false;
            }
            return iterate(v, f, (k, x) => {
              let r = false;
              if (m.match(f, k)) r = walk(f, x, i + 1);
              unbind(f, m.binds);
              return r;
            });
          }
          const k = p.kind === 'const' ? p.key : p.get(f);
          if (k === undefined) return false;
          const w = lookup(v, k);
          if (w === undefined) return false;
          v = w;
        }
        f.slots[tmp] = v;
        const r = next(f);
        f.slots[tmp] = undefined;
        return r;
      };
      return (f) => {
        const v = baseGet(f);
        if (v === undefined) return false;
        return walk(f, v, 0);
      };
    };
    void loc;
    return { pre: [...pre, gen], get: (f) => f.slots[tmp] };
  }

  // ------------------------------------------------------------------ matching

  planMatch(t: Term, env: Env): MatchPlan {
    switch (t.type) {
      case 'var': {
        if (t.name === '_') return { pre: [], match: TRUE_MATCH, binds: [] };
        const slot = env.scope.lookup(t.name);
        if (slot !== undefined) {
          if (env.bound.has(slot)) {
            return { pre: [], match: (f, v) => { const w = f.slots[slot]; return w === v || valueEquals(w as Value, v); }, binds: [] };
          }
          env.bound.add(slot);
          return { pre: [], match: (f, v) => { f.slots[slot] = v; return true; }, binds: [slot] };
        }
        break;
      }
      case 'null':
      case 'boolean':
      case 'number':
      case 'string': {
        const c = t.type === 'null' ? null : t.value;
        return { pre: [], match: (_f, v) => v === c, binds: [] };
      }
      case 'array': {
        const items = t.items.map((x) => this.planMatch(x, env));
        const n = items.length;
        const ms = items.map((m) => m.match);
        return {
          pre: items.flatMap((m) => m.pre),
          binds: items.flatMap((m) => m.binds),
          match: (f, v) => {
            if (!Array.isArray(v) || v.length !== n) return false;
            for (let i = 0; i < n; i++) if (!ms[i](f, v[i])) return false;
            return true;
          },
        };
      }
      case 'object': {
        const keys = t.entries.map(([k]) => this.planValue(k, env));
        const vals = t.entries.map(([, v]) => this.planMatch(v, env));
        const n = keys.length;
        return {
          pre: [...keys.flatMap((k) => k.pre), ...vals.flatMap((m) => m.pre)],
          binds: vals.flatMap((m) => m.binds),
          match: (f, v) => {
            if (!isObject(v) || objectSize(v) !== n) return false;
            for (let i = 0; i < n; i++) {
              const k = keys[i].get(f);
              if (k === undefined) return false;
              const x = objectGet(v, k);
              if (x === undefined || !vals[i].match(f, x)) return false;
            }
            return true;
          },
        };
      }
    }
    const vp = this.planValue(t, env);
    const get = vp.get;
    return { pre: vp.pre, binds: [], match: (f, v) => { const w = get(f); return w !== undefined && valueEquals(v, w); } };
  }

  // ------------------------------------------------------------------ calls

  protected fnName(fn: Term): string | null {
    if (fn.type === 'var') return fn.name;
    if (fn.type === 'ref' && fn.head.type === 'var' && fn.path.every((p) => p.type === 'string')) {
      return [fn.head.name, ...fn.path.map((p) => (p as { value: string }).value)].join('.');
    }
    return null;
  }

  resolveFunction(fn: Term, env: Env | null, infix = false): ResolvedFn {
    const name = this.fnName(fn);
    if (infix && name !== null) {
      const def = this.builtins.get(name);
      if (def) return { kind: 'builtin', def, key: name, arity: def.arity };
    }
    if (name === null) throw this.issue('rego_type_error', 'invalid function reference', fn.loc);
    const parts = name.split('.');
    if (env && env.scope.lookup(parts[0]) !== undefined) {
      throw this.issue('rego_type_error', `${name} is a variable, not a function`, fn.loc);
    }
    let path: string[] | null = null;
    // For calls an import takes precedence over a rule of the same name in the package.
    if (parts[0] === 'data') path = parts.slice(1);
    else if (this.info.imports.has(parts[0])) {
      const imp = this.info.imports.get(parts[0])!;
      if (imp.type === 'ref' && imp.head.type === 'var' && imp.head.name === 'data' && imp.path.every((s) => s.type === 'string')) {
        path = [...imp.path.map((s) => (s as { value: string }).value), ...parts.slice(1)];
      }
    } else if (this.info.ruleNames.has(parts[0])) path = [...this.info.module.pkg, ...parts];
    if (path) {
      const node = this.tree.node(path, false);
      const g = node?.group;
      if (!g || g.kind !== 'function') {
        if (g) throw this.issue('rego_type_error', `${g.name} is not a function`, fn.loc);
        throw this.issue('rego_type_error', `undefined function data.${path.join('.')}`, fn.loc);
      }
      this.addDep(g);
      return { kind: 'user', group: g, key: g.name, arity: g.arity };
    }
    const def = this.builtins.get(name);
    if (!def) throw this.issue('rego_type_error', `undefined function ${name}`, fn.loc);
    if (def.nondeterministic || name === 'print' || name === 'trace') this.markImpure();
    if (name === 'print' || name === 'trace') this.markPrinter();
    if (this.info.module.regoV1 && DEPRECATED.has(name)) {
      throw this.issue('rego_type_error', `deprecated built-in function ${name} is not available in Rego v1 (could not find function ${name})`, fn.loc);
    }
    return { kind: 'builtin', def, key: name, arity: def.arity };
  }

  /** A closure calling the function with evaluated arguments, honoring `with` overrides. */
  protected callImpl(r: ResolvedFn, loc: Loc): (ctx: EvalCtx, args: Value[]) => Value | undefined {
    const key = r.key;
    let impl: (ctx: EvalCtx, args: Value[]) => Value | undefined;
    if (r.kind === 'user') {
      const g = r.group;
      impl = (ctx, args) => g.call(ctx, args);
    } else {
      const def = r.def;
      impl = (ctx, args) => {
        try {
          return def.fn(args, ctx.run.builtinCtx);
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
    return (ctx, args) => {
      const o = ctx.fnOverrides;
      if (o !== null) {
        const x = o.get(key);
        if (x) return x.kind === 'value' ? x.value : x.call(ctx, args);
      }
      return impl(ctx, args);
    };
  }

  planArgs(args: Term[], env: Env): { pre: Wrap[]; gets: Getter[]; eval: (f: Frame) => Value[] | undefined } {
    const plans = args.map((a) => this.planValue(a, env));
    const gets = plans.map((p) => p.get);
    const n = gets.length;
    return {
      pre: plans.flatMap((p) => p.pre),
      gets,
      eval: (f) => {
        const out = new Array<Value>(n);
        for (let i = 0; i < n; i++) {
          const v = gets[i](f);
          if (v === undefined) return undefined;
          out[i] = v;
        }
        return out;
      },
    };
  }

  protected planCallValue(t: Extract<Term, { type: 'call' }>, env: Env): ValuePlan {
    const name = this.fnName(t.fn);
    if (name === 'print') throw this.issue('rego_type_error', 'print() cannot be used as a value', t.loc);
    if (name === 'set' && t.args.length === 0 && !this.info.ruleNames.has('set')) return konst(new RegoSet());
    const r = this.resolveFunction(t.fn, env, t.infix);
    if (r.arity >= 0 && t.args.length !== r.arity) {
      throw this.issue('rego_type_error', `${r.key}: arity mismatch: expected ${r.arity} arguments, got ${t.args.length}`, t.loc);
    }
    const args = this.planArgs(t.args, env);
    const call = this.callImpl(r, t.loc);
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
    const slow: Getter = (f) => {
      const a = evalArgs(f);
      return a === undefined ? undefined : call(f.ctx, a);
    };
    const inline = r.kind === 'builtin' && t.args.length === 2 ? INLINE_OPS.get(r.key) : undefined;
    if (inline) {
      const [ga, gb] = args.gets;
      const key = r.key;
      return {
        pre: args.pre,
        get: (f) => {
          const o = f.ctx.fnOverrides;
          if (o !== null && o.has(key)) return slow(f);
          const a = ga(f);
          if (a === undefined) return undefined;
          const b = gb(f);
          if (b === undefined) return undefined;
          const v = inline(a, b);
          return v !== undefined ? v : slow(f);
        },
      };
    }
    return { pre: args.pre, get: slow };
  }

  // ------------------------------------------------------------------ comprehensions

  /** Names used in a term or body (including nested closures) that resolve to variables of outer scopes. */
  capturedSlots(terms: Term[], exprs: Expr[], inner: Scope): { names: string[]; slots: number[] } {
    const names = new Set<string>();
    const visitT = (t: Term): void => visitTerm(t, (n) => names.add(n), visitE);
    const visitE = (e: Expr): void => visitExpr(e, visitT);
    terms.forEach(visitT);
    exprs.forEach(visitE);
    const out = { names: [] as string[], slots: [] as number[] };
    for (const n of names) {
      if (inner.vars.has(n)) continue;
      const s = inner.parent?.lookup(n);
      if (s !== undefined) {
        out.names.push(n);
        out.slots.push(s);
      }
    }
    return out;
  }

  abstract declareBodyVars(exprs: Expr[], scope: Scope, extra?: Term[]): void;

  planCompr(t: Extract<Term, { type: 'arraycompr' | 'setcompr' | 'objectcompr' }>, env: Env): ValuePlan {
    return planComprehension(this, t, env);
  }
}

export function konst(v: Value): ValuePlan {
  return { pre: [], get: () => v, konst: { v } };
}

/** Visits variable names of a term (not function names); closures' bodies via visitE. */
export function visitTerm(t: Term, onVar: (name: string) => void, visitE: ((e: Expr) => void) | null): void {
  const rec = (x: Term): void => visitTerm(x, onVar, visitE);
  if (visitE === null && (t.type === 'arraycompr' || t.type === 'setcompr' || t.type === 'objectcompr')) return;
  switch (t.type) {
    case 'var': onVar(t.name); return;
    case 'ref': rec(t.head); t.path.forEach(rec); return;
    case 'array': case 'set': t.items.forEach(rec); return;
    case 'object': for (const [k, v] of t.entries) { rec(k); rec(v); } return;
    case 'call': t.args.forEach(rec); return;
    case 'arraycompr': case 'setcompr': rec(t.head); t.body.forEach(visitE!); return;
    case 'objectcompr': rec(t.key); rec(t.value); t.body.forEach(visitE!); return;
  }
}

export function visitExpr(e: Expr, visitT: (t: Term) => void): void {
  const b = e.body;
  switch (b.kind) {
    case 'term': visitT(b.term); break;
    case 'unify': case 'assign': visitT(b.left); visitT(b.right); break;
    case 'some': b.vars.forEach(visitT); break;
    case 'somein': if (b.key) visitT(b.key); visitT(b.value); visitT(b.coll); break;
    case 'every':
      if (b.key) visitT(b.key);
      visitT(b.value);
      visitT(b.coll);
      b.body.forEach((x) => visitExpr(x, visitT));
      break;
  }
  for (const w of e.withs) visitT(w.value);
}
