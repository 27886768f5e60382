/**
 * The in-process Rego engine: parser, compiler to closures, evaluator, builtins, `opa test`-style runner.
 * Offers: prepareRego (sync) / createRegoEngine (PolicyEngine), the value model, the builtin registry.
 */
import type { PolicyEngine, PrepareSpec, PreparedPolicy, RegoPrepareSpec } from '../engine';

export * from './value';
export { BUILTINS, BuiltinError } from './builtins';
export type { BuiltinContext, BuiltinDef } from './builtins';

/** Parses, compiles and checks the modules once; the result evaluates many inputs. Throws PolicyCompileError. */
export function prepareRego(spec: RegoPrepareSpec): PreparedPolicy {
  void spec;
  throw new Error('rego engine: under construction');
}

export function createRegoEngine(): PolicyEngine {
  return {
    async prepare(spec: PrepareSpec): Promise<PreparedPolicy> {
      if (spec.backend === 'wasm') throw new Error('the rego engine cannot load wasm bundles; use the wasm backend');
      return prepareRego(spec);
    },
  };
}
