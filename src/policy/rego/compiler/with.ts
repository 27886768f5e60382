/** `with … as …`: evaluates an expression with input, data, functions or builtins replaced. */
import { EvalCtx, FnOverride, Step } from '../eval/context';
import { setPath } from '../eval/ops';
import type { Expr, Term } from '../syntax/ast';
import { Value, isObject, objectGet } from '../value';
import type { Env, TermPlanner, Wrap } from './terms';
import { compose } from './terms';

interface WithTarget {
  kind: 'input' | 'data' | 'fn';
  path: string[];
  key: string;
}

function withTarget(p: TermPlanner, t: Term, env: Env): WithTarget {
  const segs = constSegments(t);
  if (!segs) throw p.issue('rego_type_error', 'with target must be a reference to input, data or a function', t.loc);
  const head = segs[0];
  let path: string[] | null = null;
  if (head === 'input') return { kind: 'input', path: segs.slice(1), key: '' };
  if (head === 'data') path = segs.slice(1);
  else if (env.scope.lookup(head) === undefined && (p.info.ruleNames.has(head) || p.info.imports.has(head))) {
    const g = p.expandGlobal(head, t.loc);
    const prefix = g ? constSegments({ type: 'ref', head: { type: 'var', name: 'x', loc: t.loc }, path: g.segs, loc: t.loc }) : null;
    if (g && prefix) {
      if (g.root === 'input') return { kind: 'input', path: [...prefix.slice(1), ...segs.slice(1)], key: '' };
      path = [...prefix.slice(1), ...segs.slice(1)];
    }
  }
  if (path) {
    const node = p.tree.node(path, false);
    if (node?.group?.kind === 'function') return { kind: 'fn', path: [], key: node.group.name };
    return { kind: 'data', path, key: '' };
  }
  const r = p.resolveFunction(t, env);
  return { kind: 'fn', path: [], key: r.key };
}

export function planWith(p: TermPlanner, e: Expr, env: Env, planExpr: (e: Expr, env: Env) => Wrap): Wrap {
  const targets = e.withs.map((w) => withTarget(p, w.target, env));
  const values = e.withs.map((w, i) => {
    if (targets[i].kind === 'fn') {
      const name = p.fnName(w.value);
      if (name !== null && (w.value.type === 'var' ? env.scope.lookup(name) === undefined : true)) {
        let fnOk = false;
        try {
          const r = p.resolveFunction(w.value, env);
          fnOk = true;
          const call = p.callImpl(r, w.loc);
          return { fn: call, get: null, pre: [] as Wrap[] };
        } catch (err) {
          if (fnOk) throw err;
        }
      }
    }
    const vp = p.planValue(w.value, env);
    return { fn: null, get: vp.get, pre: vp.pre };
  });
  const inner = planExpr({ ...e, withs: [] }, env);
  const groups = p.tree.groups;
  const tree = p.tree;
  return (next) => {
    const after: Step = (f) => {
      const derived = f.ctx;
      f.ctx = derived.parent!;
      const r = next(f);
      f.ctx = derived;
      return r;
    };
    const body = inner(after);
    return compose(values.flatMap((v) => v.pre), (f) => {
      const old = f.ctx;
      let input = old.input;
      let data = old.data;
      const prefill: [number, Value][] = [];
      let fns: Map<string, FnOverride> | null = old.fnOverrides;
      for (let i = 0; i < targets.length; i++) {
        const t = targets[i];
        const v = values[i];
        if (t.kind === 'fn') {
          if (fns === old.fnOverrides) fns = new Map(old.fnOverrides ?? []);
          if (v.fn) {
            const call = v.fn;
            fns!.set(t.key, { kind: 'call', call: (ctx: EvalCtx, args: Value[]) => call(ctx, args) });
          } else {
            const val = v.get!(f);
            if (val === undefined) return false;
            fns!.set(t.key, { kind: 'value', value: val });
          }
          continue;
        }
        const val = v.get!(f);
        if (val === undefined) return false;
        if (t.kind === 'input') input = setPath(input, t.path, val);
        else {
          data = setPath(data, t.path, val);
          const node = tree.node(t.path, false);
          if (node) {
            for (const g of node.groupsBelow()) {
              let x: Value | undefined = val;
              for (const seg of g.path.slice(t.path.length)) x = x !== undefined && isObject(x) ? lookupKey(x, seg) : undefined;
              prefill.push([g.id, x as Value]);
            }
          } else {
            // Overriding a path inside a rule's document: the rule is replaced by its patched value.
            for (let k = t.path.length - 1; k > 0; k--) {
              const n = tree.node(t.path.slice(0, k), false);
              if (n?.group && n.group.kind !== 'function') {
                const cur = n.group.evaluate(old);
                prefill.push([n.group.id, setPath(cur, t.path.slice(k), val)]);
                break;
              }
            }
          }
        }
      }
      const d = new EvalCtx(old.run, input, data, groups.length, old);
      d.fnOverrides = fns;
      for (const [id, v] of prefill) d.cache[id] = v;
      f.ctx = d;
      const r = body(f);
      f.ctx = old;
      return r;
    });
  };
}

function lookupKey(o: Value, k: string): Value | undefined {
  return isObject(o) ? objectGet(o, k) : undefined;
}

/** ['a', 'b', 'c'] for a.b["c"]; null when a segment is not a constant string. */
function constSegments(t: Term): string[] | null {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return null;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'string') return null;
    out.push(p.value);
  }
  return out;
}
