import type { Pool } from 'pg';
import { currentPolicyData, findKeyByLookupId, insertPolicyData, upsertOrganisation, upsertWorkspace, type Workspace } from '../db';
import { createApiKey, lookupIdOf } from '../identity';
import { upsertCatalog, type CatalogEndpointSpec } from '../catalog';

/** The demo workspace's starting rules: personal data tokenized or redacted, so the demo shows them act. */
export const DEMO_POLICY_DATA = {
  pii: {
    input: { EMAIL_ADDRESS: 'tokenize', PHONE_NUMBER: 'tokenize', CREDIT_CARD: 'redact', IBAN_CODE: 'redact', US_SSN: 'redact', PRIVATE_KEY: 'block' },
    output: { CREDIT_CARD: 'redact' },
  },
};

export interface DemoSeedResult {
  workspace: Workspace;
  /** The demo key in clear when this run created it; null when a preset key already existed. */
  apiKey: string | null;
  keyReused: boolean;
}

/**
 * Seeds the demo: organisation and workspace `demo`, the demo catalog endpoints (always
 * rewritten, since the mock's address may change between runs) and a demo API key.
 */
export async function seedDemo(pool: Pool, demoEndpoints: readonly CatalogEndpointSpec[], presetKey?: string): Promise<DemoSeedResult> {
  const org = await upsertOrganisation(pool, 'demo', 'Demo organisation');
  const workspace = await upsertWorkspace(pool, org, 'demo', 'Demo workspace');
  await upsertCatalog(pool, demoEndpoints);
  if (!(await currentPolicyData(pool, org.id, workspace.id))) await insertPolicyData(pool, org.id, workspace.id, DEMO_POLICY_DATA, 'demo');
  // Demo endpoints of earlier versions (all named mock-*) would otherwise linger in the catalog.
  await pool.query(`DELETE FROM catalog_endpoints WHERE id LIKE 'mock-%' AND NOT (id = ANY($1::text[]))`, [demoEndpoints.map((e) => e.id)]);
  if (presetKey) {
    const lookupId = lookupIdOf(presetKey);
    if (!lookupId) throw new Error('GATEHOUSE_DEMO_API_KEY must look like gh_ followed by 32-128 letters, digits, - or _');
    const existing = await findKeyByLookupId(pool, lookupId);
    if (existing) {
      if (existing.workspaceId !== workspace.id) throw new Error('GATEHOUSE_DEMO_API_KEY is already used by another workspace');
      return { workspace, apiKey: presetKey, keyReused: true };
    }
    const created = await createApiKey(pool, { workspace, name: 'demo key', presetKey });
    return { workspace, apiKey: created.key, keyReused: false };
  }
  const created = await createApiKey(pool, { workspace, name: 'demo key' });
  return { workspace, apiKey: created.key, keyReused: false };
}
