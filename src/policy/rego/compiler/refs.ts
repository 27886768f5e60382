/** References: input.a.b, data paths resolved against the rule tree, lookups and iteration over collections. */
import { Frame, Getter, IN_PROGRESS, NOT_COMPUTED } from '../eval/context';
import { iterate, lookup, lookupPath, tick } from '../eval/ops';
import type { Loc, Term } from '../syntax/ast';
import { NULL_PROTO, Value } from '../value';
import { fieldGet, groupGet, inputGet, slotGet } from './templates';
import { materialize } from './documents';
import { Unsafe } from './scope';
import type { Env, MatchPlan, TermPlanner, ValuePlan, Wrap } from './terms';
import { cloneEnv } from './terms';

const TRUE_MATCH = (): boolean => true;
const hasOwnProp = Object.prototype.hasOwnProperty;

/** base.k1.k2…: one per-site getter per segment (short paths; long ones use lookupPath). */
function fieldPath(base: Getter, path: string[]): Getter {
  if (path.length > 4) return (f) => lookupPath(base(f), path);
  let g = base;
  for (const k of path) {
    const base = g;
    // "__proto__" is an accessor of Object.prototype: only the generic lookup reads it right.
    g = k === '__proto__' ? (f) => lookup(base(f) ?? null, k) : fieldGet(g, k, hasOwnProp, lookup, Object.prototype, NULL_PROTO);
  }
  return g;
}

function unbind(f: Frame, slots: number[]): void {
  for (let i = 0; i < slots.length; i++) f.slots[slots[i]] = undefined;
}

/** Resolves the head of a ref and applies its path. */
export function planRef(p: TermPlanner, t: Extract<Term, { type: 'ref' }>, env: Env): ValuePlan {
  const head = t.head;
  if (head.type === 'var') {
    const slot = env.scope.lookup(head.name);
    if (slot !== undefined && env.bound.has(slot) && t.path.every((p) => p.type === 'string')) {
      // x.a.b on a bound variable: one closure, no intermediate getter.
      const path = t.path.map((p) => (p as { value: string }).value);
      return { pre: [], get: fieldPath(slotGet(slot), path) };
    }
    if (slot === undefined) {
      const g = p.expandGlobal(head.name, head.loc);
      if (g) return planRooted(p, g.root, [...g.segs, ...t.path], env, t.loc);
      throw new Unsafe([head.name], head.loc);
    }
  }
  return applySegs(p, p.planValue(head, env), t.path, env, t.loc);
}

export function planRooted(p: TermPlanner, root: 'input' | 'data', segs: Term[], env: Env, loc: Loc): ValuePlan {
  if (root === 'input') p.markImpure();
  if (root === 'input' && segs.every((p) => p.type === 'string')) {
    const path = segs.map((p) => (p as { value: string }).value);
    return { pre: [], get: fieldPath(inputGet(), path) };
  }
  if (root === 'input') return applySegs(p, { pre: [], get: (f) => f.ctx.input }, segs, env, loc);
  return planDataRef(p, segs, env, loc);
}

/** data.<segs>: resolves the static prefix against the rule tree at compile time. */
function planDataRef(p: TermPlanner, segs: Term[], env: Env, loc: Loc): ValuePlan {
  let node = p.tree.root;
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
    if (g.arity !== 0) throw p.issue('rego_type_error', `function ${g.name} used as a value (call it with arguments)`, loc);
    p.addDep(g);
    base = { pre: [], get: (f) => g.call(f.ctx, []) };
  } else if (g && node.children.size === 0) {
    p.addDep(g);
    base = { pre: [], get: groupGet(g, NOT_COMPUTED, IN_PROGRESS) };
  } else if (!missing && node.hasRules()) {
    for (const x of node.groupsBelow()) p.addDep(x);
    base = { pre: [], get: (f) => materialize(f.ctx, node) };
  } else if (missing && g) {
    for (const x of node.groupsBelow()) p.addDep(x);
    base = { pre: [], get: (f) => materialize(f.ctx, node) };
  } else {
    // Pure base data: one path lookup.
    const path = node.path;
    base = { pre: [], get: (f) => lookupPath(f.ctx.data, path) };
  }
  return applySegs(p, base, segs.slice(i), env, loc);
}

/** Applies ref segments: lookups for bound keys, iteration (a hoisted generator) for patterns. */
function applySegs(p: TermPlanner, base: ValuePlan, segs: Term[], env: Env, loc: Loc): ValuePlan {
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
      vp = p.planValue(s, trial);
    } catch (e) {
      if (!(e instanceof Unsafe)) throw e;
    }
    if (vp) {
      for (const b of trial.bound) env.bound.add(b);
      pre.push(...vp.pre);
      parts.push(vp.konst ? { kind: 'const', key: vp.konst.v } : { kind: 'get', get: vp.get });
      continue;
    }
    const m = p.planMatch(s, env);
    pre.push(...m.pre);
    parts.push({ kind: 'iter', m });
  }
  const baseGet = base.get;
  if (!parts.some((p) => p.kind === 'iter')) {
    if (parts.every((p) => p.kind === 'const' && typeof p.key === 'string')) {
      const path = parts.map((p) => (p as { key: string }).key);
      return { pre, get: fieldPath(baseGet, path) };
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

