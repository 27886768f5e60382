import {
  PolicyCompileError,
  type PolicyEngine,
  type PolicyError,
  type PreparedPolicy,
  type PrepareSpec,
  type WasmPrepareSpec,
} from '../engine';
import { checkModuleAbi } from './abi';
import { errorMessage } from './archive';
import { isPlainObject, parseBundle, type ParsedBundle } from './bundle';
import { BundleError } from './bundle-error';
import { resolveLimits, type BundleLimits } from './limits';
import { WasmPreparedPolicy } from './prepared';
import { BuiltinFailure, RuntimeSetupError, WasmModuleRuntime, type WasmBuiltin, type WasmMemoryOptions } from './runtime';
import { readBundleSource, type WasmBundleSource } from './sources';
import { wasmApi, type WasmModule } from './wasm-api';

const PAGE_BYTES = 64 * 1024;

export interface WasmLoadOptions {
  /** Base data merged over the bundle's data files (these values win where both set a leaf). */
  readonly data?: unknown;
  /** Entrypoints evaluate() may be asked for; each must be compiled into the bundle. Default: all of them. */
  readonly entrypoints?: readonly string[];
  readonly bundleLimits?: Partial<BundleLimits>;
  /** Initial wasm memory in bytes (default 320 KiB, the SDK's default; grows on demand). */
  readonly initialMemoryBytes?: number;
  /** Ceiling on each module's wasm memory (default 256 MiB). */
  readonly maxMemoryBytes?: number;
  /** Largest accepted input, as JSON bytes (default 8 MiB). */
  readonly maxInputBytes?: number;
  /** Host implementations of builtins the module imports and the SDK lacks (e.g. custom functions). */
  readonly builtins?: Readonly<Record<string, WasmBuiltin>>;
}

const DEFAULTS = {
  initialMemoryBytes: 5 * PAGE_BYTES,
  maxMemoryBytes: 256 * 1024 * 1024,
  maxInputBytes: 8 * 1024 * 1024,
};

/**
 * Loads an OPA wasm bundle (`opa build -t wasm -e …`) and prepares it for synchronous evaluation.
 * Every problem with the bundle surfaces as a PolicyCompileError naming the file and the cause.
 */
export async function loadWasmBundle(source: WasmBundleSource, options: WasmLoadOptions = {}): Promise<WasmPreparedPolicy> {
  const limits = guard(() => resolveLimits(options.bundleLimits), 'wasm_options_error');
  const memory = memoryOptions(options);
  const maxInputBytes = positive(options.maxInputBytes ?? DEFAULTS.maxInputBytes, 'maxInputBytes');
  const builtins = wrapBuiltins(options.builtins ?? {});

  let parsed: ParsedBundle;
  try {
    parsed = parseBundle(await readBundleSource(source, limits));
  } catch (err) {
    throw toCompileError(err);
  }
  const data = guard(() => mergedData(parsed.data, options.data), 'wasm_options_error');
  const dataJson = encodeData(data);

  const runtimes: WasmModuleRuntime[] = [];
  for (const wasm of parsed.wasmModules) {
    let module: WasmModule;
    try {
      module = await wasmApi.compile(wasm.bytes);
    } catch (err) {
      throw compileError('wasm_compile_error', `${wasm.path} is not a valid WebAssembly module: ${errorMessage(err)}`, wasm.path);
    }
    const problems = checkModuleAbi(module);
    if (problems.length > 0) {
      throw new PolicyCompileError(
        problems.map((p) => ({ code: 'wasm_abi_error', message: `${wasm.path} is not an OPA policy module: ${p}`, file: wasm.path })),
      );
    }
    runtimes.push(guard(() => new WasmModuleRuntime(wasm.path, module, memory, builtins, dataJson), 'wasm_instantiate_error', wasm.path));
  }

  return guard(
    () =>
      new WasmPreparedPolicy(
        parsed.manifest,
        {
          modules: parsed.wasmModules.map((m) => m.path),
          hostBuiltins: [...new Set(runtimes.flatMap((r) => r.hostBuiltins))],
          regoFiles: parsed.regoFiles,
          signed: parsed.signed,
        },
        runtimes,
        options.entrypoints,
        maxInputBytes,
      ),
    'wasm_entrypoint_error',
  );
}

/** Adapter for the backend-neutral `PrepareSpec` (bundle bytes: tar.gz, tar or bare policy.wasm). */
export function prepareWasm(spec: WasmPrepareSpec, options: Omit<WasmLoadOptions, 'data' | 'entrypoints'> = {}): Promise<WasmPreparedPolicy> {
  if (!(spec.bundle instanceof Uint8Array)) {
    return Promise.reject(compileError('wasm_options_error', 'wasm prepare spec needs `bundle` as a Uint8Array'));
  }
  return loadWasmBundle({ kind: 'bytes', bytes: spec.bundle }, { ...options, data: spec.data, entrypoints: spec.entrypoints });
}

/**
 * A PolicyEngine serving `backend: 'wasm'` specs; other specs go to `fallback` (typically the Rego
 * engine) when given, so one engine can serve both backends. `limits.maxSteps/timeoutMs` cannot be
 * enforced inside a synchronous wasm call; bound inputs (`maxInputBytes`) and memory instead (see README).
 */
export function createWasmEngine(options: Omit<WasmLoadOptions, 'data' | 'entrypoints'> = {}, fallback?: PolicyEngine): PolicyEngine {
  return {
    prepare(spec: PrepareSpec): Promise<PreparedPolicy> {
      if (spec.backend === 'wasm') return prepareWasm(spec, options);
      if (fallback) return fallback.prepare(spec);
      return Promise.reject(compileError('wasm_options_error', 'the wasm engine only prepares specs with backend: "wasm"'));
    },
  };
}

function memoryOptions(options: WasmLoadOptions): WasmMemoryOptions {
  const initial = positive(options.initialMemoryBytes ?? DEFAULTS.initialMemoryBytes, 'initialMemoryBytes');
  const max = positive(options.maxMemoryBytes ?? DEFAULTS.maxMemoryBytes, 'maxMemoryBytes');
  const initialPages = Math.ceil(initial / PAGE_BYTES);
  const maximumPages = Math.min(65536, Math.ceil(max / PAGE_BYTES));
  if (initialPages > maximumPages) {
    throw compileError('wasm_options_error', `initialMemoryBytes (${initial}) exceeds maxMemoryBytes (${max})`);
  }
  return { initialPages, maximumPages };
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw compileError('wasm_options_error', `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Tags a custom builtin's failures so evaluation errors say which builtin broke. */
function wrapBuiltins(builtins: Readonly<Record<string, WasmBuiltin>>): Record<string, WasmBuiltin> {
  const out: Record<string, WasmBuiltin> = {};
  for (const [name, fn] of Object.entries(builtins)) {
    if (typeof fn !== 'function') throw compileError('wasm_options_error', `builtin ${name} must be a function`);
    out[name] = (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (err) {
        throw new BuiltinFailure(name, err);
      }
    };
  }
  return out;
}

/** Caller data wins over bundle data leaf by leaf; objects merge. Neither input is mutated. */
function mergedData(bundleData: Record<string, unknown>, extra: unknown): Record<string, unknown> {
  if (extra === undefined) return bundleData;
  if (!isPlainObject(extra)) throw new Error('`data` must be a JSON object');
  return overlay(bundleData, extra);
}

function overlay(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) define(out, key, base[key]);
  for (const key of Object.keys(top)) {
    const below = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    const above = top[key];
    define(out, key, isPlainObject(below) && isPlainObject(above) ? overlay(below, above) : above);
  }
  return out;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function encodeData(data: Record<string, unknown>): ArrayBuffer {
  let text: string;
  try {
    text = JSON.stringify(data);
  } catch (err) {
    throw compileError('wasm_options_error', `policy data is not JSON-serialisable: ${errorMessage(err)}`);
  }
  return new TextEncoder().encode(text).slice().buffer;
}

function guard<T>(fn: () => T, code: string, file?: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PolicyCompileError) throw err;
    if (err instanceof RuntimeSetupError) throw compileError(err.code, err.message, file);
    throw compileError(code, errorMessage(err), file);
  }
}

function toCompileError(err: unknown): PolicyCompileError {
  if (err instanceof PolicyCompileError) return err;
  if (err instanceof BundleError) return compileError(err.code, err.message, err.file);
  return compileError('bundle_io', `cannot load bundle: ${errorMessage(err)}`);
}

function compileError(code: string, message: string, file?: string): PolicyCompileError {
  const error: PolicyError = { code, message };
  if (file !== undefined) error.file = file;
  return new PolicyCompileError([error]);
}
