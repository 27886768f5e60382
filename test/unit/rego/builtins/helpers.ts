/** Calls builtins directly through the registry, as the evaluator does. */
import { BUILTINS } from '../../../../src/policy/rego/builtins';
import type { BuiltinContext } from '../../../../src/policy/rego/builtins';
import { fromJSON, RegoSet, toJSON } from '../../../../src/policy/rego/value';
import type { Value } from '../../../../src/policy/rego/value';

export function makeContext(nowNs = 1703444325734390000n): BuiltinContext & { printed: string[] } {
  const printed: string[] = [];
  return { strict: true, nowNs: () => nowNs, print: (m) => printed.push(m), cache: new Map(), printed };
}

/** Calls builtin `name`; returns its result (undefined = undefined). Throws what it throws. */
export function call(name: string, ...args: Value[]): Value | undefined {
  return callIn(makeContext(), name, ...args);
}

export function callIn(ctx: BuiltinContext, name: string, ...args: Value[]): Value | undefined {
  const def = BUILTINS.get(name);
  if (!def) throw new Error(`no builtin ${name}`);
  if (def.arity >= 0 && def.arity !== args.length) throw new Error(`${name} takes ${def.arity} arguments`);
  return def.fn(args, ctx);
}

/** The result as OPA's JSON (sets → sorted arrays). */
export function json(name: string, ...args: Value[]): unknown {
  const r = call(name, ...args);
  return r === undefined ? undefined : toJSON(r);
}

export const set = (...items: Value[]): RegoSet => new RegoSet(items);
export const v = (x: unknown): Value => fromJSON(x);
