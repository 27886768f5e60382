/** Virtual documents at runtime: a rule group's value (cached per evaluation) and whole data subtrees. */
import { EvalCtx, EvalError, IN_PROGRESS, NOT_COMPUTED } from '../eval/context';
import { lookupPath } from '../eval/ops';
import { PlainObject, RegoObject, Value, canonicalKey, emptyObject, isObject, makeObject, objectEntries, valueEquals } from '../value';
import type { DataNode, RuleGroup } from './tree';

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

