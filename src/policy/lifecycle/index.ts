/**
 * The policy lifecycle (issue #9): versioned policy per organisation and workspace — drafts,
 * validation (schema, Rego, tests, organisation constraints), four-eyes review, atomic publish,
 * rollback, diff, OPA bundle import and shadow drafts. The admin routes (src/admin/routes/policy.ts)
 * and the simulation (src/policy/simulation) build on this.
 */
export * from './types';
export {
  compileScopePolicy, customPackageName, customPackagesOf, decisionData, liveCustomModules, contentHash,
  CUSTOM_PREFIX, LIVE_LIMITS, type CompileScopeInput, type ScopeLevel,
} from './compile';
export {
  loadDraft, listDrafts, insertDraft, transitionDraft, publishVersion, loadShadow, startShadow, stopShadow, TRANSITIONS,
  type NewDraft, type Transition, type PublishOptions, type PublishRefusal, type ShadowRecord,
} from './store';
export { validateDraft, sampleInput, issuesFromErrors, type ValidateInput } from './validate';
export { checkOrgConstraints } from './constraints';
export { checkModules, MODULE_LIMITS } from './modules';
export { diffData, diffModules, diffPolicy } from './diff';
export { importBundle, IMPORT_LIMITS, type ImportResult } from './bundle';
export {
  builtinPolicy, orgLevelInForce, validateContent, createDraft, publishDraft, rollbackTo, broadcastPolicyChange,
  type PolicyScope, type CreateResult, type PublishResult,
} from './operations';
