import { loadPolicySync, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { errorMessage } from './archive';
import { SDK_HOST_BUILTINS } from './abi';
import { wasmApi, type WasmGlobal, type WasmMemory, type WasmModule } from './wasm-api';

/** The parts of the SDK's LoadedPolicy read here (its .d.ts types them with DOM-only names). */
interface LoadedPolicyView {
  readonly wasmInstance: { readonly exports: Record<string, unknown> } | { readonly instance: { readonly exports: Record<string, unknown> } };
  readonly mem: WasmMemory;
  readonly entrypoints: unknown;
}

/** A host builtin for policies whose wasm imports one the SDK lacks; receives and returns plain JSON. */
export type WasmBuiltin = (...args: unknown[]) => unknown;

export interface WasmMemoryOptions {
  /** Initial linear memory in 64 KiB pages (default 5, as the SDK; grows on demand). */
  readonly initialPages: number;
  /** Hard ceiling in 64 KiB pages; evaluation past it fails instead of taking the process's memory. */
  readonly maximumPages: number;
}

/** Thrown by a custom builtin wrapper, so evaluation errors can name the builtin that failed. */
export class BuiltinFailure extends Error {
  override readonly name = 'BuiltinFailure';
  constructor(readonly builtin: string, cause: unknown) {
    super(`builtin ${builtin} failed: ${errorMessage(cause)}`);
  }
}

/** Why instantiation failed; converted into a PolicyCompileError by the loader. */
export class RuntimeSetupError extends Error {
  override readonly name = 'RuntimeSetupError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * One instantiated policy module: the SDK's LoadedPolicy plus what is needed to rebuild it.
 * Evaluation is synchronous, so a single instance serves every caller on this thread; after a VM-level
 * failure (trap, memory limit) the instance is rebuilt from the compiled module rather than trusted.
 */
export class WasmModuleRuntime {
  private policy: LoadedPolicy;
  /** Entrypoint name → id, exactly as the module's `entrypoints()` reports them. */
  readonly entrypointIds: ReadonlyMap<string, number>;
  /** Names of host builtins the module imports (informational). */
  readonly hostBuiltins: readonly string[];

  constructor(
    readonly path: string,
    private readonly module: WasmModule,
    private readonly memory: WasmMemoryOptions,
    private readonly builtins: Readonly<Record<string, WasmBuiltin>>,
    private readonly data: ArrayBuffer,
  ) {
    this.policy = this.instantiate();
    this.hostBuiltins = this.checkHostBuiltins();
    this.entrypointIds = readEntrypoints(this.policy);
    this.policy.setData(this.data);
  }

  /** Evaluates entrypoint `id`; `input` is serialised JSON or undefined (no input document). Returns the SDK's result set. */
  evaluate(id: number, input: ArrayBuffer | undefined): unknown {
    return this.policy.evaluate(input, id);
  }

  /** Replaces a possibly corrupted instance with a fresh one (same module, same data). */
  reset(): void {
    this.policy = this.instantiate();
    this.policy.setData(this.data);
  }

  private instantiate(): LoadedPolicy {
    try {
      return loadPolicySync(
        this.module,
        { initial: this.memory.initialPages, maximum: this.memory.maximumPages },
        this.builtins as Record<string, (...args: unknown[]) => unknown>,
      );
    } catch (err) {
      if (typeof err === 'string' && err.startsWith('unsupported ABI version')) {
        throw new RuntimeSetupError('wasm_abi_error', `${this.path}: ${err} (this SDK supports OPA wasm ABI 1.x)`);
      }
      throw new RuntimeSetupError('wasm_instantiate_error', `${this.path} cannot be instantiated: ${errorMessage(err)}`);
    }
  }

  /** Every builtin the module imports must be implemented by the SDK or passed in `builtins`. */
  private checkHostBuiltins(): string[] {
    const names = Object.keys(dumpExport(this.policy, 'builtins'));
    const missing = names.filter((n) => !SDK_HOST_BUILTINS.has(n) && !Object.prototype.hasOwnProperty.call(this.builtins, n));
    if (missing.length > 0) {
      throw new RuntimeSetupError(
        'wasm_builtin_missing',
        `${this.path} needs host builtins that neither OPA's wasm nor the JS SDK implement: ${missing.join(', ')}; ` +
          'pass implementations in the `builtins` option or avoid them in the policy',
      );
    }
    const minor = readGlobal(this.policy, 'opa_wasm_abi_minor_version');
    if (minor >= 2 && typeof exportsOf(this.policy).opa_eval !== 'function') {
      throw new RuntimeSetupError('wasm_abi_error', `${this.path} declares ABI 1.${minor} but does not export opa_eval`);
    }
    return names;
  }
}

function exportsOf(policy: LoadedPolicy): Record<string, unknown> {
  const inst = (policy as unknown as LoadedPolicyView).wasmInstance;
  return ('instance' in inst ? inst.instance : inst).exports;
}

function readGlobal(policy: LoadedPolicy, name: string): number {
  const g = exportsOf(policy)[name];
  return g instanceof wasmApi.Global ? Number((g as WasmGlobal).value) : typeof g === 'number' ? g : 0;
}

/**
 * Dumps the JSON value returned by a zero-argument export. The heap pointer is restored afterwards,
 * so the scratch string does not stay between the SDK's data and input regions.
 */
function dumpExport(policy: LoadedPolicy, name: 'builtins' | 'entrypoints'): Record<string, unknown> {
  const exp = exportsOf(policy) as Record<string, (...args: number[]) => number>;
  const mem = (policy as unknown as LoadedPolicyView).mem;
  const heap = exp.opa_heap_ptr_get();
  try {
    const addr = exp.opa_json_dump(exp[name]());
    const bytes = new Uint8Array(mem.buffer);
    let end = addr;
    while (end < bytes.length && bytes[end] !== 0) end++;
    const parsed: unknown = JSON.parse(Buffer.from(bytes.buffer, addr, end - addr).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${name}() did not return a JSON object`);
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new RuntimeSetupError('wasm_abi_error', `reading ${name}() failed: ${errorMessage(err)}`);
  } finally {
    exp.opa_heap_ptr_set(heap);
  }
}

function readEntrypoints(policy: LoadedPolicy): ReadonlyMap<string, number> {
  const raw = (policy as unknown as LoadedPolicyView).entrypoints;
  const out = new Map<string, number>();
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [name, id] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof id === 'number' && Number.isInteger(id)) out.set(name, id);
  }
  return out;
}
