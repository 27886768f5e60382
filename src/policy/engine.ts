/**
 * The backend-neutral policy interface: prepare once (modules + data, or a compiled bundle),
 * evaluate many times. Implemented by the in-process Rego engine (`./rego`) and the OPA wasm
 * bundle backend (`./wasm`).
 */

/** One Rego source file; `path` is used in error messages. */
export interface PolicyModule {
  path: string;
  source: string;
}

/** One problem found while parsing, compiling or evaluating. `code` follows OPA's codes where one exists. */
export interface PolicyError {
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** e.g. rego_parse_error, rego_compile_error, rego_unsafe_var_error, rego_recursion_error, rego_type_error,
   *  eval_conflict_error, eval_builtin_error, eval_type_error, eval_limit_error, eval_timeout_error, eval_input_error */
  code: string;
}

function formatErrors(kind: string, errors: readonly PolicyError[]): string {
  const lines = errors.map((e) => {
    const where = e.file !== undefined ? `${e.file}:${e.line ?? 0}:${e.col ?? 0}: ` : e.line !== undefined ? `${e.line}:${e.col ?? 0}: ` : '';
    return `${where}${e.code}: ${e.message}`;
  });
  return errors.length === 1 ? lines[0] : `${errors.length} ${kind} errors:\n${lines.join('\n')}`;
}

/** Parsing or compiling failed; `errors` lists every problem found (with file:line:col). */
export class PolicyCompileError extends Error {
  readonly errors: readonly PolicyError[];
  constructor(errors: readonly PolicyError[]) {
    super(formatErrors('compile', errors));
    this.name = 'PolicyCompileError';
    this.errors = errors;
  }
}

/** Evaluation failed (conflicting values, strict builtin error, step/time limit, bad input...). */
export class PolicyEvalError extends Error {
  readonly errors: readonly PolicyError[];
  constructor(errors: readonly PolicyError[]) {
    super(formatErrors('evaluation', errors));
    this.name = 'PolicyEvalError';
    this.errors = errors;
  }
  get code(): string {
    return this.errors[0]?.code ?? 'eval_error';
  }
}

export interface PolicyLimits {
  /** Maximum evaluation steps per evaluate() call (default 1,000,000). */
  maxSteps?: number;
  /** Maximum wall-clock time per evaluate() call in ms (default 1000). */
  timeoutMs?: number;
}

/** Rego sources evaluated by the in-process engine. */
export interface RegoPrepareSpec {
  backend?: 'rego';
  modules: readonly PolicyModule[];
  /** The base `data` document (plain JSON). */
  data?: unknown;
  /** Default syntax for modules that do not `import rego.v1` (default 'v1', as OPA 1.x). */
  regoVersion?: 'v1' | 'v0';
  /** Documents that evaluate() may be asked for, e.g. ['gateway/decision']; default: any document. */
  entrypoints?: readonly string[];
  limits?: PolicyLimits;
  /** OPA's strict-builtin-errors: a builtin error fails the evaluation instead of being undefined. */
  strictBuiltinErrors?: boolean;
  /** Receives print() output; default: discarded. */
  print?: (message: string) => void;
  /** Input is known to be plain JSON (e.g. built by the gateway itself): skip the per-evaluation
   *  check for cycles, non-finite numbers and excessive depth. Default false. */
  trustInput?: boolean;
}

/** A bundle compiled by the OPA toolchain (`opa build -t wasm`). */
export interface WasmPrepareSpec {
  backend: 'wasm';
  /** bundle.tar.gz bytes, or the policy.wasm module bytes alone */
  bundle: Uint8Array;
  /** Extra/overriding base data (merged over the bundle's data.json). */
  data?: unknown;
  entrypoints?: readonly string[];
  limits?: PolicyLimits;
}

export type PrepareSpec = RegoPrepareSpec | WasmPrepareSpec;

export interface PreparedPolicy {
  readonly backend: 'rego' | 'wasm';
  /** e.g. ['gateway/decision'] (slash or dotted form both accepted by evaluate) */
  readonly entrypoints: readonly string[];
  /** Evaluates one entrypoint document against input; undefined when the document is undefined.
   *  The result is plain JSON (OPA's JSON shape). Throws PolicyEvalError. */
  evaluate(entrypoint: string, input: unknown): unknown;
}

export interface PolicyEngine {
  prepare(spec: PrepareSpec): Promise<PreparedPolicy>;
}

/** 'gateway/decision', 'gateway.decision' and 'data.gateway.decision' all name ['gateway', 'decision']. */
export function entrypointPath(entrypoint: string): string[] {
  let s = entrypoint.trim();
  if (s.startsWith('data.')) s = s.slice(5);
  else if (s === 'data') s = '';
  s = s.replace(/^\/+|\/+$/g, '');
  if (s === '') return [];
  return s.includes('/') ? s.split('/') : s.split('.');
}
