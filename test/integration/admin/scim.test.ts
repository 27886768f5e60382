/**
 * SCIM 2.0 provisioning with a per-organisation bearer token: Users (create, filter, patch,
 * deactivate, delete) and Groups (members → roles through the organisation's group mappings).
 */
import request from 'supertest';
import { upsertOrganisation, upsertWorkspace, type Organisation, type Workspace } from '../../../src/db';
import { applySsoConfig, createApiKey, SecretBox } from '../../../src/identity';
import { startAdminHarness, type AdminHarness } from '../identity/harness';
import { adminTokenFor, bearer, createUser } from './fixtures';

let h: AdminHarness;
let acme: Organisation;
let globex: Organisation;
let w1: Workspace;
let ownerToken: string;
let scimToken: string;
const SCIM = 'application/scim+json';

beforeAll(async () => {
  h = await startAdminHarness();
  acme = await upsertOrganisation(h.pool, 'acme', 'Acme');
  globex = await upsertOrganisation(h.pool, 'globex', 'Globex');
  w1 = await upsertWorkspace(h.pool, acme, 'w1', 'W1');
  await applySsoConfig(h.pool, await SecretBox.forInstance(h.pool), acme, {
    protocol: 'oidc', issuer: 'https://idp.example.test', client_id: 'x', scopes: ['openid'], email_claim: 'email', name_claim: 'name',
    groups_attribute: 'groups', jit: false, enabled: true, email_domains: [], role_mappings: [{ group: 'Engineering', workspace: 'w1', role: 'developer' }],
  });
  const owner = await createUser(h.pool, acme.id, 'owner@acme.test', [{ role: 'owner', workspaceId: null }]);
  ownerToken = (await adminTokenFor(h.pool, acme.id, owner.id)).token;
  const created = await request(h.url).post('/admin/v1/orgs/acme/scim-tokens').set(bearer(ownerToken)).send({ name: 'okta' }).expect(201);
  scimToken = created.body.token;
  expect(scimToken).toMatch(/^ghs_/);
});
afterAll(async () => { await h?.close(); });

const scim = () => ({ authorization: `Bearer ${scimToken}`, 'content-type': SCIM });

test('without a valid SCIM token nothing is served', async () => {
  const res = await request(h.url).get('/scim/v2/Users').expect(401);
  expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  await request(h.url).get('/scim/v2/Users').set(bearer(ownerToken)).expect(401);
  await request(h.url).get('/scim/v2/Users').set(bearer(`ghs_${'A'.repeat(48)}`)).expect(401);
});

test('users: create, filter by userName, patch, and refuse duplicates', async () => {
  const created = await request(h.url).post('/scim/v2/Users').set(scim())
    .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'Jane@acme.test', externalId: 'okta-1', name: { givenName: 'Jane', familyName: 'Doe' }, active: true }).expect(201);
  expect(created.headers['content-type']).toMatch(/application\/scim\+json/);
  expect(created.body).toMatchObject({ userName: 'jane@acme.test', externalId: 'okta-1', displayName: 'Jane Doe', active: true });
  const dup = await request(h.url).post('/scim/v2/Users').set(scim()).send({ userName: 'jane@acme.test' }).expect(409);
  expect(dup.body.scimType).toBe('uniqueness');
  const found = await request(h.url).get('/scim/v2/Users').query({ filter: 'userName eq "jane@acme.test"' }).set(scim()).expect(200);
  expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: created.body.id }] });
  const patched = await request(h.url).patch(`/scim/v2/Users/${created.body.id}`).set(scim())
    .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { displayName: 'Jane D.' } }] }).expect(200);
  expect(patched.body.displayName).toBe('Jane D.');
  await request(h.url).get('/scim/v2/Users').query({ filter: 'password eq "x"' }).set(scim()).expect(400);
});

test('tenant isolation: another organisation\'s users are invisible to this token', async () => {
  const stranger = await createUser(h.pool, globex.id, 'someone@globex.test');
  await request(h.url).get(`/scim/v2/Users/${stranger.id}`).set(scim()).expect(404);
  const all = await request(h.url).get('/scim/v2/Users').set(scim()).expect(200);
  expect(all.body.Resources.map((u: { userName: string }) => u.userName)).not.toContain('someone@globex.test');
  const g = await request(h.url).post('/scim/v2/Groups').set(scim()).send({ displayName: 'Cross', members: [{ value: stranger.id }] }).expect(400);
  expect(g.body.detail).toMatch(/not a user of this organisation/);
});

test('groups map to roles; leaving the group removes the role; deactivation revokes keys and access', async () => {
  const user = await request(h.url).post('/scim/v2/Users').set(scim()).send({ userName: 'dev@acme.test' }).expect(201);
  const group = await request(h.url).post('/scim/v2/Groups').set(scim())
    .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering', members: [{ value: user.body.id }] }).expect(201);
  expect(group.body.members).toEqual([expect.objectContaining({ value: user.body.id })]);
  const roles = async () => (await h.pool.query('SELECT role, source FROM memberships WHERE user_id = $1', [user.body.id])).rows;
  expect(await roles()).toEqual([{ role: 'developer', source: 'scim' }]);

  await request(h.url).patch(`/scim/v2/Groups/${group.body.id}`).set(scim())
    .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: `members[value eq "${user.body.id}"]` }] }).expect(200);
  expect(await roles()).toEqual([]);
  await request(h.url).patch(`/scim/v2/Groups/${group.body.id}`).set(scim())
    .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] }).expect(200);
  expect(await roles()).toEqual([{ role: 'developer', source: 'scim' }]);

  // The developer has an API key and an admin token; deprovisioning ends both.
  const key = await createApiKey(h.pool, { workspace: w1, name: 'dev key' });
  await h.pool.query('UPDATE api_keys SET user_id = $2 WHERE id = $1', [key.record.id, user.body.id]);
  const devToken = (await adminTokenFor(h.pool, acme.id, user.body.id)).token;
  await request(h.url).get('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(devToken)).expect(200);
  await request(h.url).patch(`/scim/v2/Users/${user.body.id}`).set(scim())
    .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }).expect(200);
  expect(h.invalidated).toContain(key.record.lookupId);
  expect((await h.pool.query('SELECT revoked_at FROM api_keys WHERE id = $1', [key.record.id])).rows[0].revoked_at).not.toBeNull();
  await request(h.url).get('/admin/v1/orgs/acme/workspaces/w1/keys').set(bearer(devToken)).expect(401);
  expect(h.audit.some((e) => e.type === 'member.deactivated' && e.target?.id === user.body.id)).toBe(true);

  await request(h.url).delete(`/scim/v2/Users/${user.body.id}`).set(scim()).expect(204);
  await request(h.url).get(`/scim/v2/Users/${user.body.id}`).set(scim()).expect(404);
  expect(h.audit.some((e) => e.type === 'member.deprovisioned')).toBe(true);
});

test('a revoked SCIM token stops working', async () => {
  const created = await request(h.url).post('/admin/v1/orgs/acme/scim-tokens').set(bearer(ownerToken)).send({ name: 'tmp' }).expect(201);
  await request(h.url).get('/scim/v2/Groups').set(bearer(created.body.token)).expect(200);
  await request(h.url).delete(`/admin/v1/orgs/acme/scim-tokens/${created.body.id}`).set(bearer(ownerToken)).expect(204);
  await request(h.url).get('/scim/v2/Groups').set(bearer(created.body.token)).expect(401);
});
