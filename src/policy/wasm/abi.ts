import { wasmApi, type WasmExternKind, type WasmModule } from './wasm-api';

/**
 * Static checks of a compiled module against the OPA wasm ABI 1.x, as driven by
 * @open-policy-agent/opa-wasm 1.10 (read from its src/opa.js). Checking before instantiation turns
 * "exports.opa_malloc is not a function" deep inside the SDK into a clear load error.
 */

/** Exports the SDK calls on every ABI 1.x module. `opa_eval` (ABI ≥ 1.2) is checked after instantiation. */
const REQUIRED_FUNCTIONS = [
  'opa_malloc',
  'opa_json_parse',
  'opa_json_dump',
  'opa_heap_ptr_get',
  'opa_heap_ptr_set',
  'builtins',
  'entrypoints',
  'opa_eval_ctx_new',
  'opa_eval_ctx_set_input',
  'opa_eval_ctx_set_data',
  'opa_eval_ctx_set_entrypoint',
  'opa_eval_ctx_get_result',
  'eval',
] as const;

const REQUIRED_GLOBALS = ['opa_wasm_abi_version', 'opa_wasm_abi_minor_version'] as const;

/** What the SDK's import object offers; a module importing anything else cannot be linked. */
const PROVIDED_IMPORTS: ReadonlyMap<string, WasmExternKind> = new Map([
  ['memory', 'memory'],
  ['opa_abort', 'function'],
  ['opa_println', 'function'],
  ['opa_builtin0', 'function'],
  ['opa_builtin1', 'function'],
  ['opa_builtin2', 'function'],
  ['opa_builtin3', 'function'],
  ['opa_builtin4', 'function'],
]);

/**
 * Builtins the JS SDK implements on the host side (its src/builtins: json, strings, regex, yaml).
 * OPA's wasm implements most builtins natively; only the rest are imported through `builtins()`.
 */
export const SDK_HOST_BUILTINS: ReadonlySet<string> = new Set([
  'json.is_valid',
  'sprintf',
  'regex.split',
  'yaml.is_valid',
  'yaml.marshal',
  'yaml.unmarshal',
]);

/** Returns every ABI problem of the module (empty when it looks like an OPA policy module). */
export function checkModuleAbi(module: WasmModule): string[] {
  const problems: string[] = [];
  const exports = new Map(wasmApi.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const name of REQUIRED_FUNCTIONS) {
    if (exports.get(name) !== 'function') problems.push(`missing exported function ${name}`);
  }
  for (const name of REQUIRED_GLOBALS) {
    if (exports.get(name) !== 'global') problems.push(`missing exported global ${name}`);
  }
  let importsMemory = false;
  for (const imp of wasmApi.Module.imports(module)) {
    const expected = imp.module === 'env' ? PROVIDED_IMPORTS.get(imp.name) : undefined;
    if (expected !== imp.kind) {
      problems.push(`imports ${imp.module}.${imp.name} (${imp.kind}), which the OPA JS SDK does not provide`);
    }
    if (imp.module === 'env' && imp.name === 'memory' && imp.kind === 'memory') importsMemory = true;
  }
  if (!importsMemory) problems.push('does not import env.memory (OPA policy modules use host-provided memory)');
  return problems;
}
