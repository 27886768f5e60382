/**
 * Policy evaluation. Offers the backend-neutral PolicyEngine interface and its implementations:
 * - the in-process Rego engine (`createRegoEngine`, synchronous `prepareRego`),
 * - the OPA wasm bundle backend (exported from ./wasm by its owner).
 */
export * from './engine';
export { createRegoEngine, prepareRego } from './rego';
// --- wasm backend exports ---
export { loadWasmBundle, prepareWasm, createWasmEngine, WasmPreparedPolicy, DEFAULT_BUNDLE_LIMITS } from './wasm';
export type { WasmLoadOptions, WasmBundleInfo, WasmBundleSource, WasmBuiltin, BundleLimits } from './wasm';
// --- end wasm backend exports ---
// --- gateway decision path ---
export { PolicyService, loadPolicyModules, DEFAULT_POLICY_DIR, DECISION_ENTRYPOINT, type WorkspacePolicy, type ShadowPolicy, type PolicyServiceOptions } from './service';
export { loadPolicyTests, loadDefaultOrgData } from './builtin';
export { readDecision, DecisionShapeError, type GatewayDecision, type DenyReason } from './decision';
export { decide, decisionCacheStats, type DecisionCacheStats } from './decision-cache';
export { inputReads, type InputReads } from './decision-reads';
export { buildPolicyInput, candidateOf, metadataHeaders, type PolicyInput, type PolicyPrincipal, type PolicyRequestSummary, type PolicyCandidate } from './input';
export { wildcardMatch } from './wildcard';
export { validatePolicyData, unknownEntityTypes, policyDataSchema, policyDataJsonSchema, PolicyDataError, type PolicyData } from './policy-data';
