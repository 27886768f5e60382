/** State stores: the PostgreSQL pool and migrations, Redis connections, and the repositories. */
export { createPool, ensureDatabase, dropDatabase, inTransaction, type Pool, type PoolClient } from './pool';
export { migrate, DEFAULT_MIGRATIONS_DIR, type MigrationResult } from './migrate';
export { createRedis, createSubscriber, type Redis } from './redis';
export { upsertOrganisation, upsertWorkspace, findWorkspace, findOrganisation, listWorkspaces, type Organisation, type Workspace } from './repositories/tenants';
export {
  findKeyByLookupId, insertKey, listKeys, revokeKey, touchKeys,
  type ApiKeyRecord, type ApiKeyListing, type InsertKeyInput,
} from './repositories/api-keys';
export {
  currentPolicyData, policyDataVersion, listPolicyDataVersions, policyDataVersions, insertPolicyData, instanceSecret,
  type PolicyDataVersion, type StoredPolicyModule,
} from './repositories/policy-data';
