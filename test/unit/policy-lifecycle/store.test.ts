/**
 * The store on a real PostgreSQL: drafts are immutable and only move forward (trigger), transitions are
 * compare-and-set, publishing is serialised per scope (one of two racing drafts on the same base wins,
 * the other is stale), and PolicyService swaps whole compiled policies (published modules included).
 */
import { createPool, createRedis, createSubscriber, migrate, upsertOrganisation, upsertWorkspace, type Pool, type Redis } from '../../../src/db';
import { PolicyService, readDecision } from '../../../src/policy';
import { insertDraft, loadDraft, publishVersion, sampleInput, startShadow, transitionDraft, type DraftRecord } from '../../../src/policy/lifecycle';
import { TEST_REDIS_URL, createTestDatabase, uniqueRedisPrefix } from '../../helpers/database';

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let orgId: string;
let wsId: string;
const VALID = { ok: true, errors: [], warnings: [], tests: { passed: 0, failed: 0, results: [] } };

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 6 });
  await migrate(pool);
  const org = await upsertOrganisation(pool, 'acme', 'Acme');
  orgId = org.id;
  wsId = (await upsertWorkspace(pool, org, 'pay', 'Pay')).id;
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const draft = (data: Record<string, unknown> = {}, baseVersion = 0, modules: DraftRecord['modules'] = []) =>
  insertDraft(pool, { orgId, workspaceId: wsId, baseVersion, data, modules, wasm: null, note: null, author: { userId: null, label: 'a' }, validation: VALID });

const approved = async (data: Record<string, unknown> = {}, baseVersion = 0, modules: DraftRecord['modules'] = []): Promise<DraftRecord> => {
  const d = await draft(data, baseVersion, modules);
  const s = await transitionDraft(pool, d, 'submit');
  return (await transitionDraft(pool, s!, 'approve', { person: { userId: null, label: 'r' }, comment: null }))!;
};

test('draft content is immutable, statuses only move forward, drafts are never deleted', async () => {
  const d = await draft({ limits: { max_tokens: 10 } });
  await expect(pool.query(`UPDATE policy_drafts SET data = '{}' WHERE id = $1`, [d.id])).rejects.toThrow(/immutable/);
  await expect(pool.query(`UPDATE policy_drafts SET status = 'approved' WHERE id = $1`, [d.id])).rejects.toThrow(/cannot move from draft to approved/);
  await expect(pool.query('DELETE FROM policy_drafts WHERE id = $1', [d.id])).rejects.toThrow(/kept for the record/);
  const submitted = await transitionDraft(pool, d, 'submit');
  expect(submitted?.status).toBe('submitted');
  await expect(pool.query(`UPDATE policy_drafts SET status = 'draft' WHERE id = $1`, [d.id])).rejects.toThrow(/cannot move/);
  // Compare-and-set: a second reviewer acting on the same submitted draft gets nothing.
  const [a, b] = await Promise.all([
    transitionDraft(pool, submitted!, 'approve', { person: { userId: null, label: 'r1' }, comment: null }),
    transitionDraft(pool, submitted!, 'reject', { person: { userId: null, label: 'r2' }, comment: 'no' }),
  ]);
  expect([a, b].filter((x) => x !== null)).toHaveLength(1);
  // Another scope never sees the draft.
  expect(await loadDraft(pool, orgId, null, d.id)).toBeNull();
});

test('publishing: only approved drafts, only onto their base version, one winner when two race', async () => {
  const notApproved = await draft();
  expect(await publishVersion(pool, { orgId, workspaceId: wsId, content: notApproved, publishedBy: 'p', note: null, draftId: notApproved.id }))
    .toEqual({ reason: 'not_approved', status: 'draft' });
  const [x, y] = [await approved({ limits: { max_tokens: 1 } }), await approved({ limits: { max_tokens: 2 } })];
  const results = await Promise.all([x, y].map((d) => publishVersion(pool, { orgId, workspaceId: wsId, content: d, publishedBy: 'p', note: null, draftId: d.id })));
  const won = results.filter((r) => !('reason' in r));
  expect(won).toHaveLength(1);
  expect(results.filter((r) => 'reason' in r)).toEqual([{ reason: 'stale_draft', inForce: 1, base: 0 }]);
  const { rows } = await pool.query('SELECT status, published_version FROM policy_drafts WHERE id = ANY($1) ORDER BY published_version NULLS LAST', [[x.id, y.id]]);
  expect(rows).toEqual([{ status: 'published', published_version: 1 }, { status: 'approved', published_version: null }]);
  await expect(pool.query('UPDATE policy_data_versions SET note = $1', ['x'])).rejects.toThrow(/immutable/);
});

describe('PolicyService', () => {
  let redis: Redis;
  let subscriber: Redis;
  let service: PolicyService;
  beforeAll(async () => {
    redis = createRedis(TEST_REDIS_URL);
    subscriber = createSubscriber(TEST_REDIS_URL);
    // A channel nobody publishes on: only the version check can notice changes here.
    service = new PolicyService({ pool, redis, subscriber, channel: `${uniqueRedisPrefix()}policy:changed`, recheckMs: 0 });
    await service.start();
  });
  afterAll(async () => {
    await Promise.allSettled([redis.quit(), subscriber.quit()]);
  });

  test('a held policy stays whole while a new version (with custom Rego) is swapped in; the shadow comes with it', async () => {
    const before = await service.get(orgId, wsId);
    const held = before.policy;
    const rule = { path: 'deny.rego', source: 'package gateway.custom.pay\n\nimport rego.v1\n\ndeny contains "no echo" if input.request.model == "demo-echo"\n' };
    const d = await approved({}, before.workspaceVersion, [rule]);
    await publishVersion(pool, { orgId, workspaceId: wsId, content: d, publishedBy: 'p', note: null, draftId: d.id });
    const shadowDraft = await draft({ pii: { input: { EMAIL_ADDRESS: 'block' } } });
    await startShadow(pool, orgId, wsId, shadowDraft.id, 'tester');
    let after = await service.get(orgId, wsId);
    for (let i = 0; i < 100 && after.workspaceVersion === before.workspaceVersion; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      after = await service.get(orgId, wsId);
    }
    expect(after.workspaceVersion).toBe(before.workspaceVersion + 1);
    expect(after.version).toMatch(new RegExp(`/ws:v${before.workspaceVersion + 1}$`));
    expect(after.policy).not.toBe(held);
    // The request that started with the old object still decides with the old rules.
    expect(readDecision(held.evaluate('gateway/decision', sampleInput('demo-echo'))).allow).toBe(true);
    expect(readDecision(after.policy.evaluate('gateway/decision', sampleInput('demo-echo'))).deny).toEqual([{ code: 'custom_policy', message: 'no echo', rule: 'custom.pay' }]);
    expect(after.shadow).toMatchObject({ version: `draft:${shadowDraft.id}`, draftId: shadowDraft.id });
    const mail = sampleInput('demo-chat');
    mail.pii.input = { EMAIL_ADDRESS: 1 };
    expect(readDecision(after.shadow!.policy.evaluate('gateway/decision', mail)).deny.map((x) => x.code)).toEqual(['pii_blocked']);
    expect(readDecision(after.policy.evaluate('gateway/decision', mail)).allow).toBe(true);
  });
});
