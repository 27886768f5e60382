/**
 * The RBAC matrix: every admin route × every role × own workspace / other workspace of the same
 * organisation / another organisation → exactly the allowed set. The table below is the
 * specification; the test also checks that it covers every route the API serves, and that every
 * change that went through emitted an audit event (and every refused one did not change anything
 * worth auditing).
 */
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { startAdminHarness, type AdminHarness } from '../identity/harness';
import { ADMIN_ROUTES } from '../../../src/admin';
import { ROLES, type Role } from '../../../src/authz';
import { createApiKey, generateToken, insertAdminToken, insertScimToken, putSsoConnection } from '../../../src/identity';
import { adminTokenFor, bearer, createTenant, createUser, unique, type Tenant } from './fixtures';
import { randomUUID } from 'node:crypto';
import { currentPolicyData, insertPolicyData } from '../../../src/db';
import { insertDraft, startShadow, type DraftStatus } from '../../../src/policy/lifecycle';
import { tarGz } from '../../unit/policy-lifecycle/fixtures';

type Actor = Role | 'outsider';
type Target = 'own' | 'otherWs' | 'otherOrg';
const ACTORS: Actor[] = [...ROLES, 'outsider'];
const TARGETS: Target[] = ['own', 'otherWs', 'otherOrg'];

interface Place { orgSlug: string; orgId: string; wsSlug: string; wsId: string }
interface Caller { actor: Actor; userId: string; token: string }
interface Call { path: string; body?: unknown }

interface Row {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  route: string;
  /** Builds the concrete request for a caller and a place (creating what it acts on). */
  call: (caller: Caller, place: Place) => Promise<Call>;
  /** Roles allowed per target; for organisation-level routes otherWs equals own. */
  allowed: Record<Target, readonly Actor[]>;
  /** A POST that changes nothing (e.g. validation) and therefore emits no audit event. */
  notAudited?: boolean;
}

const ALL_ROLES: readonly Actor[] = ROLES;
const OWNER = ['owner'] as const;
const OWNER_ADMIN = ['owner', 'admin'] as const;
const NONE: readonly Actor[] = [];
const orgWide = (roles: readonly Actor[]): Record<Target, readonly Actor[]> => ({ own: roles, otherWs: roles, otherOrg: NONE });
const wsScoped = (roles: readonly Actor[]): Record<Target, readonly Actor[]> => ({ own: roles, otherWs: ['owner'], otherOrg: NONE });

let stack: AdminHarness;
let acme: Tenant;
let globex: Tenant;
const callers = new Map<Actor, Caller>();
let globexOwner: { id: string };

const oidcBody = { protocol: 'oidc', issuer: 'https://idp.example.com', client_id: 'gatehouse', client_secret: 's3cret', email_domains: [] };

async function ensureSso(orgId: string): Promise<void> {
  await putSsoConnection(stack.pool, orgId, {
    sso: { protocol: 'oidc', settings: { issuer: 'https://idp.example.com', clientId: 'x', scopes: ['openid'], emailClaim: 'email', nameClaim: 'name' } },
    secretSealed: null, groupsAttribute: 'groups', jit: true, enabled: true,
  });
}

/** The user an "own object" belongs to: the caller in its own organisation, globex's owner elsewhere. */
const objectOwner = (caller: Caller, place: Place): string => (place.orgId === acme.org.id ? caller.userId : globexOwner.id);

async function keyIn(caller: Caller, place: Place): Promise<string> {
  const ws = place.orgId === acme.org.id ? Object.values(acme.workspaces).find((w) => w.id === place.wsId)! : globex.workspaces.b1;
  const created = await createApiKey(stack.pool, { workspace: ws, name: 'matrix' });
  await stack.pool.query('UPDATE api_keys SET user_id = $2 WHERE id = $1', [created.record.id, objectOwner(caller, place)]);
  return created.record.id;
}

const VALID = { ok: true, errors: [], warnings: [], tests: { passed: 0, failed: 0, results: [] } };

/** A draft of the place's organisation (ws false) or workspace, by `author`, moved to `status`. */
async function policyDraft(p: Place, ws: boolean, author: string, status: DraftStatus = 'draft'): Promise<number> {
  const wsId = ws ? p.wsId : null;
  const inForce = (await currentPolicyData(stack.pool, p.orgId, wsId))?.version ?? 0;
  const draft = await insertDraft(stack.pool, {
    orgId: p.orgId, workspaceId: wsId, baseVersion: inForce, data: {}, modules: [], wasm: null, note: null, author: { userId: author, label: 'matrix' }, validation: VALID,
  });
  const steps: Record<string, string[]> = { draft: [], submitted: ['submitted'], approved: ['submitted', 'approved'] };
  for (const s of steps[status]) await stack.pool.query('UPDATE policy_drafts SET status = $2 WHERE id = $1', [draft.id, s]);
  return draft.id;
}

/**
 * Policy lifecycle routes, organisation scope (owners only) and workspace scope: admins everything,
 * policy authors read/create/update, policy approvers read/approve/publish.
 */
function policyLifecycleRows(): Row[] {
  const READ = ['owner', 'admin', 'policy_author', 'policy_approver'] as const;
  const WRITE = ['owner', 'admin', 'policy_author'] as const;
  const REVIEW = ['owner', 'admin', 'policy_approver'] as const;
  const rows: Row[] = [];
  for (const ws of [false, true]) {
    const route = (sub: string) => `${ws ? '/orgs/:org/workspaces/:ws' : '/orgs/:org'}/policy${sub}`;
    const base = (p: Place) => `/admin/v1/orgs/${p.orgSlug}${ws ? `/workspaces/${p.wsSlug}` : ''}/policy`;
    const allowed = (roles: readonly Actor[]) => (ws ? wsScoped(roles) : orgWide(OWNER));
    const published = async (p: Place) => insertPolicyData(stack.pool, p.orgId, ws ? p.wsId : null, {}, 'matrix');
    rows.push(
      { method: 'get', route: route(''), allowed: allowed(READ), call: async (_c, p) => ({ path: base(p) }) },
      { method: 'get', route: route('/versions'), allowed: allowed(READ), call: async (_c, p) => ({ path: `${base(p)}/versions` }) },
      { method: 'get', route: route('/versions/:version'), allowed: allowed(READ), call: async (_c, p) => ({ path: `${base(p)}/versions/${await published(p)}` }) },
      { method: 'post', route: route('/validate'), allowed: allowed(READ), notAudited: true, call: async (_c, p) => ({ path: `${base(p)}/validate`, body: { data: {} } }) },
      { method: 'get', route: route('/drafts'), allowed: allowed(READ), call: async (_c, p) => ({ path: `${base(p)}/drafts` }) },
      { method: 'post', route: route('/drafts'), allowed: allowed(WRITE), call: async (_c, p) => ({ path: `${base(p)}/drafts`, body: { data: {} } }) },
      { method: 'get', route: route('/drafts/:id'), allowed: allowed(READ), call: async (c, p) => ({ path: `${base(p)}/drafts/${await policyDraft(p, ws, objectOwner(c, p))}` }) },
      { method: 'post', route: route('/drafts/:id/submit'), allowed: allowed(WRITE), call: async (c, p) => ({ path: `${base(p)}/drafts/${await policyDraft(p, ws, objectOwner(c, p))}/submit` }) },
      { method: 'post', route: route('/drafts/:id/withdraw'), allowed: allowed(WRITE), call: async (c, p) => ({ path: `${base(p)}/drafts/${await policyDraft(p, ws, objectOwner(c, p))}/withdraw` }) },
      { method: 'post', route: route('/drafts/:id/approve'), allowed: allowed(REVIEW), call: async (_c, p) => ({ path: `${base(p)}/drafts/${await policyDraft(p, ws, randomUUID(), 'submitted')}/approve`, body: {} }) },
      { method: 'post', route: route('/drafts/:id/reject'), allowed: allowed(REVIEW), call: async (_c, p) => ({ path: `${base(p)}/drafts/${await policyDraft(p, ws, randomUUID(), 'submitted')}/reject`, body: { comment: 'no' } }) },
      { method: 'post', route: route('/drafts/:id/publish'), allowed: allowed(REVIEW), call: async (_c, p) => ({ path: `${base(p)}/drafts/${await policyDraft(p, ws, randomUUID(), 'approved')}/publish` }) },
      { method: 'post', route: route('/versions/:version/rollback'), allowed: allowed(REVIEW), call: async (_c, p) => ({ path: `${base(p)}/versions/${await published(p)}/rollback`, body: {} }) },
      { method: 'post', route: route('/import'), allowed: allowed(WRITE), call: async (_c, p) => ({ path: `${base(p)}/import`, body: await tarGz({ '/data.json': '{}' }) }) },
    );
    if (ws) {
      rows.push(
        { method: 'post', route: route('/drafts/:id/shadow'), allowed: allowed(REVIEW), call: async (c, p) => ({ path: `${base(p)}/drafts/${await policyDraft(p, ws, objectOwner(c, p))}/shadow` }) },
        {
          method: 'delete', route: route('/shadow'), allowed: allowed(REVIEW),
          call: async (c, p) => {
            await startShadow(stack.pool, p.orgId, p.wsId, await policyDraft(p, ws, objectOwner(c, p)), 'matrix');
            return { path: `${base(p)}/shadow` };
          },
        },
      );
    }
  }
  return rows;
}

const ROWS: Row[] = [
  { method: 'get', route: '/me', call: async () => ({ path: '/admin/v1/me' }), allowed: { own: ACTORS, otherWs: ACTORS, otherOrg: ACTORS } },
  { method: 'get', route: '/orgs', call: async () => ({ path: '/admin/v1/orgs' }), allowed: { own: ACTORS, otherWs: ACTORS, otherOrg: ACTORS } },
  { method: 'post', route: '/orgs', call: async () => ({ path: '/admin/v1/orgs', body: { slug: unique('o'), name: 'New' } }), allowed: { own: NONE, otherWs: NONE, otherOrg: NONE } },
  { method: 'get', route: '/orgs/:org', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}` }), allowed: orgWide(ALL_ROLES) },
  { method: 'patch', route: '/orgs/:org', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}`, body: { name: 'Renamed' } }), allowed: orgWide(OWNER) },
  { method: 'get', route: '/orgs/:org/workspaces', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces` }), allowed: orgWide(ALL_ROLES) },
  { method: 'post', route: '/orgs/:org/workspaces', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces`, body: { slug: unique('w'), name: 'W' } }), allowed: orgWide(OWNER) },
  { method: 'get', route: '/orgs/:org/workspaces/:ws', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}` }), allowed: wsScoped(ALL_ROLES) },
  { method: 'patch', route: '/orgs/:org/workspaces/:ws', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}`, body: { name: 'W2' } }), allowed: wsScoped(OWNER_ADMIN) },
  { method: 'get', route: '/orgs/:org/users', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/users` }), allowed: orgWide(OWNER) },
  {
    method: 'patch', route: '/orgs/:org/users/:userId', allowed: orgWide(OWNER),
    call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/users/${(await createUser(stack.pool, p.orgId, `${unique('u')}@x.test`)).id}`, body: { active: false } }),
  },
  { method: 'get', route: '/orgs/:org/owners', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/owners` }), allowed: orgWide(OWNER) },
  { method: 'post', route: '/orgs/:org/owners', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/owners`, body: { email: `${unique('o')}@x.test` } }), allowed: orgWide(OWNER) },
  {
    method: 'delete', route: '/orgs/:org/owners/:userId', allowed: orgWide(OWNER),
    call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/owners/${(await createUser(stack.pool, p.orgId, `${unique('o')}@x.test`, [{ role: 'owner', workspaceId: null }])).id}` }),
  },
  { method: 'get', route: '/orgs/:org/workspaces/:ws/members', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/members` }), allowed: wsScoped(OWNER_ADMIN) },
  {
    method: 'post', route: '/orgs/:org/workspaces/:ws/members', allowed: wsScoped(OWNER_ADMIN),
    call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/members`, body: { email: `${unique('m')}@x.test`, role: 'developer' } }),
  },
  {
    method: 'delete', route: '/orgs/:org/workspaces/:ws/members/:userId/roles/:role', allowed: wsScoped(OWNER_ADMIN),
    call: async (_c, p) => {
      const user = await createUser(stack.pool, p.orgId, `${unique('m')}@x.test`, [{ role: 'developer', workspaceId: p.wsId }]);
      return { path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/members/${user.id}/roles/developer` };
    },
  },
  { method: 'get', route: '/orgs/:org/sso', call: async (_c, p) => { await ensureSso(p.orgId); return { path: `/admin/v1/orgs/${p.orgSlug}/sso` }; }, allowed: orgWide(OWNER) },
  { method: 'put', route: '/orgs/:org/sso', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/sso`, body: oidcBody }), allowed: orgWide(OWNER) },
  { method: 'delete', route: '/orgs/:org/sso', call: async (_c, p) => { await ensureSso(p.orgId); return { path: `/admin/v1/orgs/${p.orgSlug}/sso` }; }, allowed: orgWide(OWNER) },
  { method: 'get', route: '/orgs/:org/scim-tokens', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/scim-tokens` }), allowed: orgWide(OWNER) },
  { method: 'post', route: '/orgs/:org/scim-tokens', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/scim-tokens`, body: { name: 'idp' } }), allowed: orgWide(OWNER) },
  {
    method: 'delete', route: '/orgs/:org/scim-tokens/:id', allowed: orgWide(OWNER),
    call: async (_c, p) => {
      const t = generateToken('ghs_');
      return { path: `/admin/v1/orgs/${p.orgSlug}/scim-tokens/${(await insertScimToken(stack.pool, p.orgId, 'x', t.lookupId, t.hash)).id}` };
    },
  },
  { method: 'get', route: '/orgs/:org/admin-tokens', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/admin-tokens` }), allowed: orgWide(ALL_ROLES) },
  { method: 'post', route: '/orgs/:org/admin-tokens', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/admin-tokens`, body: { name: 'ci', scopes: ['organisations:read'] } }), allowed: orgWide(ALL_ROLES) },
  {
    // The caller's own token: every role may revoke its own tokens (owners any token of the org).
    method: 'delete', route: '/orgs/:org/admin-tokens/:id', allowed: orgWide(ALL_ROLES),
    call: async (c, p) => {
      const t = generateToken('gha_');
      const rec = await insertAdminToken(stack.pool, { orgId: p.orgId, owner: { userId: objectOwner(c, p) }, name: 'x', lookupId: t.lookupId, hash: t.hash, scopes: ['organisations:read'], expiresAt: null });
      return { path: `/admin/v1/orgs/${p.orgSlug}/admin-tokens/${rec.id}` };
    },
  },
  { method: 'get', route: '/orgs/:org/workspaces/:ws/keys', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/keys` }), allowed: wsScoped(['owner', 'admin', 'developer']) },
  { method: 'post', route: '/orgs/:org/workspaces/:ws/keys', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/keys`, body: { name: 'k' } }), allowed: wsScoped(['owner', 'admin', 'developer']) },
  { method: 'delete', route: '/orgs/:org/workspaces/:ws/keys/:id', call: async (c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/keys/${await keyIn(c, p)}` }), allowed: wsScoped(['owner', 'admin', 'developer']) },
  { method: 'post', route: '/orgs/:org/workspaces/:ws/keys/:id/rotate', call: async (c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/keys/${await keyIn(c, p)}/rotate` }), allowed: wsScoped(['owner', 'admin', 'developer']) },
  { method: 'get', route: '/orgs/:org/catalog', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/catalog` }), allowed: orgWide(OWNER_ADMIN) },
  {
    method: 'put', route: '/orgs/:org/catalog/endpoints/:id', allowed: orgWide(OWNER),
    call: async (_c, p) => ({
      path: `/admin/v1/orgs/${p.orgSlug}/catalog/endpoints/${unique('ep-')}`,
      body: { provider: 'openai', display_name: 'Private', base_url: 'https://llm.example.com/v1', models: [{ model: 'm1', kind: 'chat' }] },
    }),
  },
  {
    method: 'delete', route: '/orgs/:org/catalog/endpoints/:id', allowed: orgWide(OWNER),
    call: async (_c, p) => {
      const id = unique('ep-');
      await stack.pool.query(`INSERT INTO catalog_endpoints (id, org_id, provider, display_name, base_url) VALUES ($1, $2, 'openai', 'x', 'https://x.test')`, [id, p.orgId]);
      return { path: `/admin/v1/orgs/${p.orgSlug}/catalog/endpoints/${id}` };
    },
  },
  { method: 'get', route: '/orgs/:org/workspaces/:ws/spend', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/spend?window=day` }), allowed: wsScoped(['owner', 'admin', 'auditor']) },
  // Policy simulation (read Policy on the scope); a replay of the last requests needs no catalog.
  { method: 'post', route: '/orgs/:org/policy/simulate', call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/policy/simulate`, body: { draft: { data: {} }, replay: { last: 5 } } }), allowed: orgWide(OWNER) },
  {
    method: 'post', route: '/orgs/:org/workspaces/:ws/policy/simulate', allowed: wsScoped(['owner', 'admin', 'policy_author', 'policy_approver']),
    call: async (_c, p) => ({ path: `/admin/v1/orgs/${p.orgSlug}/workspaces/${p.wsSlug}/policy/simulate`, body: { draft: { data: {} }, replay: { last: 5 } } }),
  },
  ...policyLifecycleRows(),
];

beforeAll(async () => {
  stack = await startAdminHarness();
  acme = await createTenant(stack.pool, 'acme', ['w1', 'w2']);
  globex = await createTenant(stack.pool, 'globex', ['b1']);
  for (const actor of ACTORS) {
    const grants = actor === 'outsider' ? [] : [{ role: actor, workspaceId: actor === 'owner' ? null : acme.workspaces.w1.id }];
    const user = await createUser(stack.pool, acme.org.id, `${actor}@acme.test`, grants);
    callers.set(actor, { actor, userId: user.id, token: (await adminTokenFor(stack.pool, acme.org.id, user.id)).token });
  }
  globexOwner = await createUser(stack.pool, globex.org.id, `owner@globex.test`, [{ role: 'owner', workspaceId: null }]);
});

afterAll(async () => {
  await stack?.close();
});

test('the table covers every admin route exactly once', () => {
  const served = ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`).sort();
  const specified = ROWS.map((r) => `${r.method} ${r.route}`).sort();
  expect(specified).toEqual(served);
});

test('every route × role × target answers exactly as the table says', async () => {
  const places: Record<Target, Place> = {
    own: { orgSlug: 'acme', orgId: acme.org.id, wsSlug: 'w1', wsId: acme.workspaces.w1.id },
    otherWs: { orgSlug: 'acme', orgId: acme.org.id, wsSlug: 'w2', wsId: acme.workspaces.w2.id },
    otherOrg: { orgSlug: 'globex', orgId: globex.org.id, wsSlug: 'b1', wsId: globex.workspaces.b1.id },
  };
  const expectedTable: string[] = [];
  const actualTable: string[] = [];
  const statusOf = new Map<string, number>();
  const auditTable: string[] = [];
  const expectedAudit: string[] = [];
  for (const row of ROWS) {
    const served = ADMIN_ROUTES.find((r) => r.method === row.method && r.path === row.route)!;
    for (const target of TARGETS) {
      for (const actor of ACTORS) {
        const caller = callers.get(actor)!;
        const call = await row.call(caller, places[target]);
        let req = request(stack.url)[row.method](call.path).set(bearer(caller.token));
        if (call.body !== undefined) req = req.send(call.body as object);
        const auditBefore = stack.audit.length;
        const res = await req;
        const audited = stack.audit.length > auditBefore;
        const key = `${row.method.toUpperCase()} ${row.route} as ${actor} on ${target}`;
        const allowed = row.allowed[target].includes(actor);
        expectedTable.push(`${key}: ${allowed ? 'allowed' : 'denied'}`);
        actualTable.push(`${key}: ${res.status === served.status ? 'allowed' : [403, 404].includes(res.status) ? 'denied' : `status ${res.status} ${JSON.stringify(res.body)}`}`);
        statusOf.set(key, res.status);
        if (row.method !== 'get') {
          auditTable.push(`${key}: ${audited ? 'audited' : 'not audited'}`);
          expectedAudit.push(`${key}: ${res.status < 300 && !row.notAudited ? 'audited' : 'not audited'}`);
        }
        // Another organisation is never even confirmed to exist.
        if (target === 'otherOrg' && !allowed && row.route.startsWith('/orgs/:org')) expect([key, res.status]).toEqual([key, 404]);
      }
    }
  }
  expect(actualTable).toEqual(expectedTable);
  expect(auditTable).toEqual(expectedAudit);
  console.log(`RBAC matrix: ${expectedTable.length} cells (${ROWS.length} routes × ${ACTORS.length} callers × ${TARGETS.length} targets), ${expectedTable.filter((l) => l.endsWith('allowed')).length} allowed`);
  // Cross-organisation access never succeeds, whatever the route.
  const crossOrgSuccesses = [...statusOf].filter(([k, s]) => k.endsWith('on otherOrg') && k.includes(':org') && s < 400);
  expect(crossOrgSuccesses).toEqual([]);
});

test('a developer sees only its own keys; a token narrowed by scopes loses the rest', async () => {
  const dev = callers.get('developer')!;
  const admin = callers.get('admin')!;
  await request(stack.url).post('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(admin.token)).send({ name: 'admins' }).expect(201);
  const mine = await request(stack.url).post('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(dev.token)).send({ name: 'mine' }).expect(201);
  const list = await request(stack.url).get('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(dev.token)).expect(200);
  expect(list.body.data.length).toBeGreaterThan(0);
  expect(list.body.data.every((k: { user_id: string }) => k.user_id === dev.userId)).toBe(true);
  expect(list.body.data.some((k: { id: string }) => k.id === mine.body.id)).toBe(true);
  // A developer cannot create a key on someone else's behalf.
  await request(stack.url).post('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(dev.token)).send({ name: 'x', user_email: 'admin@acme.test' }).expect(403);

  const owner = callers.get('owner')!;
  const readOnly = await adminTokenFor(stack.pool, acme.org.id, owner.userId, ['keys:read', 'organisations:read', 'workspaces:read']);
  await request(stack.url).get('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(readOnly.token)).expect(200);
  await request(stack.url).post('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(readOnly.token)).send({ name: 'x' }).expect(403);
  await request(stack.url).get('/admin/v1/orgs/acme/users').set(bearer(readOnly.token)).expect(403);
  // A token cannot mint a broader token.
  const minted = await request(stack.url).post('/admin/v1/orgs/acme/admin-tokens').set(bearer(readOnly.token)).send({ name: 'x', scopes: ['keys:write'] });
  expect(minted.status).toBe(403);
});

test('admin tokens are stored as hashes and stop working when revoked or when the owner is deactivated', async () => {
  const owner = callers.get('owner')!;
  const created = await request(stack.url).post('/admin/v1/orgs/acme/admin-tokens').set(bearer(owner.token))
    .send({ name: 'automation', scopes: ['organisations:read', 'members:read'] }).expect(201);
  const token: string = created.body.token;
  expect(token).toMatch(/^gha_[0-9A-Za-z]{48}$/);
  const { rows } = await stack.pool.query('SELECT token_hash, scopes FROM admin_tokens WHERE id = $1', [created.body.id]);
  expect(rows[0].token_hash.length).toBe(32);
  expect(JSON.stringify(rows[0])).not.toContain(token.slice(4));
  await request(stack.url).get('/admin/v1/orgs/acme').set(bearer(token)).expect(200);
  await request(stack.url).delete(`/admin/v1/orgs/acme/admin-tokens/${created.body.id}`).set(bearer(owner.token)).expect(204);
  const refused = await request(stack.url).get('/admin/v1/orgs/acme').set(bearer(token)).expect(401);
  expect(refused.body.error.code).toBe('token_revoked');
  await request(stack.url).get('/admin/v1/orgs/acme').set(bearer(`gha_${randomBytes(10).toString('hex')}`)).expect(401);

  const temp = await createUser(stack.pool, acme.org.id, `${unique('t')}@acme.test`, [{ role: 'admin', workspaceId: acme.workspaces.w1.id }]);
  const tempToken = await adminTokenFor(stack.pool, acme.org.id, temp.id);
  await request(stack.url).get('/admin/v1/orgs/acme/workspaces/w1/members').set(bearer(tempToken.token)).expect(200);
  await request(stack.url).patch(`/admin/v1/orgs/acme/users/${temp.id}`).set(bearer(owner.token)).send({ active: false }).expect(200);
  const gone = await request(stack.url).get('/admin/v1/orgs/acme/workspaces/w1/members').set(bearer(tempToken.token)).expect(401);
  expect(gone.body.error.code).toBe('token_owner_inactive');
});
