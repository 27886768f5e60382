/**
 * Term planning: turns AST terms into closures. A term is compiled either to a getter (all variables
 * bound) or to a matcher (binds unbound variables against a value). References that iterate
 * (input.xs[i]) are hoisted into generator steps that bind a temporary slot.
 */
import { BUILTINS } from '../builtins';
import type { BuiltinDef } from '../builtins/types';
import { EvalCtx, Frame, Getter, Step } from '../eval/context';
import { iterate, lookup, lookupPath, tick } from '../eval/ops';
import type { Expr, Loc, Term } from '../syntax/ast';
import { visitExpr, visitTerm } from '../syntax/visit';
import {
  PlainObject, RegoObject, RegoSet, Value, emptyObject, isObject, makeObject, objectGet, objectSize, valueEquals,
} from '../value';
import { callImpl, fnName, planArgs, planCallValue, resolveFunction } from './calls';
import { planComprehension } from './comprehensions';
import { evalGroup, materialize } from './documents';
import { CompileIssue, Scope, Unsafe } from './scope';
import { ModuleInfo, RuleGroup, RuleTree } from './tree';

export { visitExpr, visitTerm };
export { evalGroup, materialize };

export type Wrap = (next: Step) => Step;


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

  issue(code: string, message: string, loc: Loc | undefined): CompileIssue {
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

  addDep(g: RuleGroup): void {
    if (!this.currentGroup) return;
    let s = this.deps.get(this.currentGroup.id);
    if (!s) this.deps.set(this.currentGroup.id, (s = new Set()));
    s.add(g.id);
  }

  isGlobalName(name: string): boolean {
    return name === 'input' || name === 'data' || this.info.imports.has(name) || this.info.ruleNames.has(name);
  }

  /** Expands a var or ref naming a document into [root, segments]: root 'input' | 'data' | null (local). */
  expandGlobal(name: string, loc: Loc): { root: 'input' | 'data'; segs: Term[] } | null {
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

  // ------------------------------------------------------------------ calls (compiler/calls.ts)

  fnName(fn: Term): string | null {
    return fnName(fn);
  }
  resolveFunction(fn: Term, env: Env | null, infix = false): ResolvedFn {
    return resolveFunction(this, fn, env, infix);
  }
  callImpl(r: ResolvedFn, loc: Loc): (ctx: EvalCtx, args: Value[]) => Value | undefined {
    return callImpl(r, loc);
  }
  planArgs(args: Term[], env: Env): { pre: Wrap[]; gets: Getter[]; eval: (f: Frame) => Value[] | undefined } {
    return planArgs(this, args, env);
  }
  planCallValue(t: Extract<Term, { type: 'call' }>, env: Env): ValuePlan {
    return planCallValue(this, t, env);
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

