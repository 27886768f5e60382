/**
 * Typed access to Node's global `WebAssembly`. The project compiles with `lib: ES2023` and no DOM lib,
 * which is where TypeScript declares `WebAssembly`; pulling the DOM lib into every folder for one
 * backend would be worse than describing the few members used here.
 */

/** Opaque compiled module. */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export type WasmExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmGlobal {
  readonly value: unknown;
}

export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  readonly Module: {
    exports(module: WasmModule): { name: string; kind: WasmExternKind }[];
    imports(module: WasmModule): { module: string; name: string; kind: WasmExternKind }[];
  };
  readonly RuntimeError: new (message?: string) => Error;
  readonly CompileError: new (message?: string) => Error;
  readonly LinkError: new (message?: string) => Error;
  readonly Global: new (descriptor: { value: string; mutable?: boolean }, value?: unknown) => WasmGlobal;
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
