/**
 * The in-process Rego engine: parser, compiler to closures, evaluator, builtins, `opa test`-style runner.
 * Offers: prepareRego (sync) / createRegoEngine (PolicyEngine), RegoProgram (documents and ad-hoc queries),
 * the value model and the builtin registry.
 */
import { PolicyEngine, PrepareSpec, PreparedPolicy, RegoPrepareSpec, entrypointPath } from '../engine';
import { RegoProgram } from './program';
import { toJSON } from './value';

export * from './value';
export { BUILTINS, BuiltinError } from './builtins';
export type { BuiltinContext, BuiltinDef } from './builtins';
export { RegoProgram, PreparedQuery, DEFAULT_LIMITS, toEvalError } from './program';
export { runRegoTests } from './tester';
export type { TestOutcome, TestReport } from './tester';
export { loadPaths, LoadError } from './loader';
export { runConformance } from './conformance';
export type { ConformanceReport, CaseOutcome } from './conformance';
export type { ProgramOptions, EvalOptions, QueryResult } from './program';
export { parseModule, parseQuery, ParseError } from './syntax/parser';

/** A prepared Rego policy (PolicyEngine contract) that also exposes its program for queries. */
export class PreparedRegoPolicy implements PreparedPolicy {
  readonly backend = 'rego' as const;
  readonly entrypoints: readonly string[];
  private readonly allowed: Set<string> | null;
  constructor(readonly program: RegoProgram, entrypoints: readonly string[] | undefined) {
    this.entrypoints = entrypoints ? [...entrypoints] : [];
    this.allowed = entrypoints ? new Set(entrypoints.map((e) => entrypointPath(e).join('/'))) : null;
  }

  private readonly resolved = new Map<string, string[]>();

  /** Evaluates data.<entrypoint> against input; plain JSON out (sets → arrays), undefined when undefined. */
  evaluate(entrypoint: string, input: unknown): unknown {
    let path = this.resolved.get(entrypoint);
    if (path === undefined) {
      path = entrypointPath(entrypoint);
      if (this.allowed && !this.allowed.has(path.join('/'))) {
        throw new Error(`unknown entrypoint "${entrypoint}" (prepared: ${this.entrypoints.join(', ')})`);
      }
      if (this.resolved.size < 1000) this.resolved.set(entrypoint, path);
    }
    const v = this.program.evaluateDocument(path, { input });
    return v === undefined ? undefined : toJSON(v);
  }
}

/** Parses, compiles and checks the modules once; the result evaluates many inputs. Throws PolicyCompileError. */
export function prepareRego(spec: RegoPrepareSpec): PreparedRegoPolicy {
  const program = new RegoProgram(spec.modules, spec.data, {
    regoVersion: spec.regoVersion ?? 'v1',
    strictBuiltinErrors: spec.strictBuiltinErrors ?? false,
    limits: spec.limits,
    print: spec.print,
    trustInput: spec.trustInput ?? false,
  });
  const policy = new PreparedRegoPolicy(program, spec.entrypoints);
  // Compile entrypoint getters now so that errors surface at prepare time.
  for (const e of policy.entrypoints) program.compileDocument(entrypointPath(e));
  return policy;
}

export function createRegoEngine(): PolicyEngine {
  return {
    async prepare(spec: PrepareSpec): Promise<PreparedPolicy> {
      if (spec.backend === 'wasm') throw new Error('the rego engine cannot load wasm bundles; use the wasm backend');
      return prepareRego(spec);
    },
  };
}
