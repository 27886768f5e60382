/**
 * OPA wasm bundle backend: loads bundles built by the OPA toolchain (`opa build -t wasm -e …`,
 * as tar.gz, tar, bare policy.wasm, a directory or in-memory files) and evaluates them through
 * @open-policy-agent/opa-wasm behind the backend-neutral PreparedPolicy interface.
 */
export { loadWasmBundle, prepareWasm, createWasmEngine, type WasmLoadOptions } from './loader';
export { WasmPreparedPolicy, type WasmBundleInfo } from './prepared';
export type { WasmBundleSource } from './sources';
export type { WasmBuiltin } from './runtime';
export { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from './limits';
