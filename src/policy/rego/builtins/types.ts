import type { Value } from '../value';

/** What a builtin may use from the running evaluation. */
export interface BuiltinContext {
  /** OPA's strict-builtin-errors: when true a BuiltinError aborts the evaluation, else the call is undefined. */
  strict: boolean;
  /** Evaluation time in ns since the epoch; fixed for one evaluation (as OPA's time.now_ns). */
  nowNs(): bigint;
  /** Output of print(); already formatted. */
  print(msg: string): void;
  /** Per-evaluation scratch space for builtins (e.g. compiled regexes keyed by pattern). */
  cache: Map<string, unknown>;
}

/** A builtin error: undefined result unless strict, then an evaluation error. */
export class BuiltinError extends Error {}

export interface BuiltinDef {
  /** e.g. "strings.replace_n", "count", "plus" */
  name: string;
  /** number of arguments (excluding the output) */
  arity: number;
  /** undefined = undefined result */
  fn: (args: Value[], ctx: BuiltinContext) => Value | undefined;
  /** when true, fn returns an array of results (e.g. walk); each is one solution */
  relation?: boolean;
  nondeterministic?: boolean;
}
