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
