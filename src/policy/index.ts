/**
 * Policy evaluation. Offers the backend-neutral PolicyEngine interface and its implementations:
 * - the in-process Rego engine (`createRegoEngine`, synchronous `prepareRego`),
 * - the OPA wasm bundle backend (exported from ./wasm by its owner).
 */
export * from './engine';
export { createRegoEngine, prepareRego } from './rego';
// --- wasm backend exports ---
// --- end wasm backend exports ---
