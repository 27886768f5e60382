/**
 * Term planning: turns AST terms into closures. A term is compiled either to a getter (all variables
 * bound) or to a matcher (binds unbound variables against a value). References that iterate
 * (input.xs[i]) are hoisted into generator steps that bind a temporary slot.
 */
import { BUILTINS } from '../builtins';
import type { BuiltinDef } from '../builtins/types';
import { EvalCtx, Frame, Getter, Step } from '../eval/context';
import type { Expr, Loc, Term } from '../syntax/ast';
import { visitExpr, visitTerm } from '../syntax/visit';
import {
  RegoSet, Value, emptyObject, isObject, makeObject, objectGet, objectSize, valueEquals,
} from '../value';
import { callImpl, fnName, planArgs, planCallValue, resolveFunction } from './calls';
import { planRef, planRooted } from './refs';
import { planComprehension } from './comprehensions';
import { bindMatch, objectLiteralGet, slotGet } from './templates';
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

const TRUE_MATCH = (): boolean => true;

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
          return { pre: [], get: slotGet(slot) };
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
          return { pre, get: objectLiteralGet(names, vg, emptyObject) };
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

  // ------------------------------------------------------------------ refs (compiler/refs.ts)

  planRef(t: Extract<Term, { type: 'ref' }>, env: Env): ValuePlan {
    return planRef(this, t, env);
  }
  planRooted(root: 'input' | 'data', segs: Term[], env: Env, loc: Loc): ValuePlan {
    return planRooted(this, root, segs, env, loc);
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
          return { pre: [], match: bindMatch(slot), binds: [slot] };
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

