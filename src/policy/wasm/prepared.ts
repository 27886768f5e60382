import { PolicyEvalError, entrypointPath, type PolicyError, type PreparedPolicy } from '../engine';
import { errorMessage } from './archive';
import type { BundleManifest } from './bundle';
import { BuiltinFailure, type WasmModuleRuntime } from './runtime';
import { wasmApi } from './wasm-api';

/** Facts about the loaded bundle, for decision logs and the admin UI. */
export interface WasmBundleInfo {
  readonly revision: string;
  readonly roots: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Wasm modules loaded, by bundle path. */
  readonly modules: readonly string[];
  /** Host builtins the modules import (served by the JS SDK or the caller's `builtins`). */
  readonly hostBuiltins: readonly string[];
  /** Rego sources shipped in the bundle (not evaluated by this backend). */
  readonly regoFiles: readonly string[];
  /** The bundle carries `.signatures.json`; this backend does not verify signatures. */
  readonly signed: boolean;
}

interface EntrypointTarget {
  readonly runtime: WasmModuleRuntime;
  readonly id: number;
  readonly name: string;
}

const encoder = new TextEncoder();

/**
 * A policy backed by OPA-compiled wasm. `evaluate` is synchronous: the wasm instance is never shared
 * across an await, so one instance per module is safe for all callers on this thread. Re-entrant calls
 * (a custom builtin evaluating the same policy) are refused, since they would clobber the instance's heap.
 */
export class WasmPreparedPolicy implements PreparedPolicy {
  readonly backend = 'wasm' as const;
  readonly entrypoints: readonly string[];
  /** The bundle's `.manifest` revision ('' without manifest); record it with each decision. */
  readonly revision: string;
  readonly info: WasmBundleInfo;
  private readonly targets = new Map<string, EntrypointTarget>();
  private busy = false;

  constructor(
    manifest: BundleManifest,
    info: Omit<WasmBundleInfo, 'revision' | 'roots' | 'metadata'>,
    runtimes: readonly WasmModuleRuntime[],
    exposed: readonly string[] | undefined,
    private readonly maxInputBytes: number,
  ) {
    this.revision = manifest.revision;
    this.info = Object.freeze({ ...info, revision: manifest.revision, roots: manifest.roots, metadata: manifest.metadata });
    const all = new Map<string, EntrypointTarget>();
    for (const runtime of runtimes) {
      for (const [name, id] of runtime.entrypointIds) {
        const key = canonicalEntrypoint(name);
        const other = all.get(key);
        if (other) {
          throw new Error(`entrypoint ${name} is defined by both ${other.runtime.path} and ${runtime.path}`);
        }
        all.set(key, { runtime, id, name });
      }
    }
    const chosen = exposed === undefined ? [...all.keys()] : exposed.map(canonicalEntrypoint);
    for (const key of chosen) {
      const target = all.get(key);
      if (!target) {
        throw new Error(`entrypoint ${key} is not compiled into the bundle (it has: ${[...all.keys()].join(', ') || 'none'})`);
      }
      // Index every spelling evaluate() accepts, so the hot path is one Map lookup.
      const dotted = key.split('/').join('.');
      for (const alias of [key, dotted, `data.${dotted}`, `/${key}`]) this.targets.set(alias, target);
    }
    this.entrypoints = Object.freeze([...new Set(chosen)]);
  }

  evaluate(entrypoint: string, input: unknown): unknown {
    const target = this.targets.get(entrypoint) ?? this.targets.get(canonicalEntrypoint(entrypoint));
    if (target === undefined) {
      throw evalError('eval_entrypoint_error', `unknown entrypoint ${JSON.stringify(entrypoint)}; this policy offers: ${this.entrypoints.join(', ')}`);
    }
    if (this.busy) {
      throw evalError('eval_reentrant_error', 're-entrant evaluation of a wasm policy (from inside a builtin) is not supported');
    }
    const payload = this.encodeInput(input);
    this.busy = true;
    let resultSet: unknown;
    try {
      resultSet = target.runtime.evaluate(target.id, payload);
    } catch (err) {
      throw this.mapFailure(err, target);
    } finally {
      this.busy = false;
    }
    return firstResult(resultSet, target.name);
  }

  /** Serialises once here (the SDK would do the same) so size is bounded and falsy inputs survive. */
  private encodeInput(input: unknown): ArrayBuffer | undefined {
    if (input === undefined) return undefined;
    let text: string | undefined;
    try {
      text = JSON.stringify(input);
    } catch (err) {
      throw evalError('eval_input_error', `input is not JSON-serialisable: ${errorMessage(err)}`);
    }
    if (text === undefined) throw evalError('eval_input_error', `input of type ${typeof input} is not a JSON value`);
    // UTF-8 never has fewer bytes than UTF-16 code units, so this rejects early without encoding.
    if (text.length > this.maxInputBytes) throw inputTooLarge(this.maxInputBytes);
    const bytes = encoder.encode(text);
    if (bytes.byteLength > this.maxInputBytes) throw inputTooLarge(this.maxInputBytes);
    const buffer = bytes.buffer as ArrayBuffer;
    return bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength ? buffer : bytes.slice().buffer;
  }

  private tryReset(runtime: WasmModuleRuntime): string | undefined {
    try {
      runtime.reset();
      return undefined;
    } catch (err) {
      return errorMessage(err);
    }
  }

  private mapFailure(err: unknown, target: EntrypointTarget): PolicyEvalError {
    const where = `evaluating ${target.name}`;
    if (err instanceof BuiltinFailure) return evalError('eval_builtin_error', `${where}: ${err.message}`);
    if (typeof err === 'string') return abortError(err, where);
    if (err instanceof wasmApi.RuntimeError || err instanceof RangeError) {
      // The instance may be mid-update; rebuild it before anyone evaluates again.
      const resetFailure = this.tryReset(target.runtime);
      if (resetFailure) return evalError('wasm_trap', `${where}: ${err.message}; rebuilding the instance also failed: ${resetFailure}`);
      const limit = err instanceof RangeError || /memory|stack/i.test(err.message);
      return limit
        ? evalError('eval_limit_error', `${where}: resource limit reached: ${err.message}`)
        : evalError('wasm_trap', `${where}: wasm trapped: ${err.message}`);
    }
    if (err instanceof SyntaxError) {
      return evalError('wasm_result_error', `${where}: the module returned malformed JSON: ${err.message}`);
    }
    return evalError('eval_builtin_error', `${where}: ${errorMessage(err)}`);
  }
}

/** 'gateway.decision', 'data.gateway.decision', '/gateway/decision' → 'gateway/decision'. */
export function canonicalEntrypoint(entrypoint: string): string {
  return entrypointPath(entrypoint).join('/');
}

/** OPA's wasm returns a result set: `[]` when undefined, `[{"result": value}]` otherwise. */
function firstResult(resultSet: unknown, name: string): unknown {
  if (!Array.isArray(resultSet)) {
    throw evalError('wasm_result_error', `evaluating ${name}: expected a result set array, got ${typeof resultSet}`);
  }
  if (resultSet.length === 0) return undefined;
  const first: unknown = resultSet[0];
  if (typeof first !== 'object' || first === null || !('result' in first)) {
    throw evalError('wasm_result_error', `evaluating ${name}: result set entry has no "result" key`);
  }
  return (first as { result: unknown }).result;
}

/**
 * opa_abort messages from OPA's runtime read "file:row:col: reason" (e.g. a conflicting complete
 * rule); keep the location as structured fields.
 */
function abortError(message: string, where: string): PolicyEvalError {
  const m = /^(.+?):(\d+):(\d+): (.*)$/s.exec(message);
  const reason = m ? m[4] : message;
  const code = /conflict|multiple outputs/i.test(reason)
    ? 'eval_conflict_error'
    : /malloc|out of memory/i.test(reason)
      ? 'eval_limit_error'
      : 'wasm_abort';
  const error: PolicyError = { code, message: `${where}: ${reason}` };
  if (m) {
    error.file = m[1];
    error.line = Number(m[2]);
    error.col = Number(m[3]);
  }
  return new PolicyEvalError([error]);
}

function inputTooLarge(limit: number): PolicyEvalError {
  return evalError('eval_input_error', `input exceeds the limit of ${limit} bytes of JSON`);
}

function evalError(code: string, message: string): PolicyEvalError {
  return new PolicyEvalError([{ code, message }]);
}
