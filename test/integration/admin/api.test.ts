/**
 * Admin API behaviour on the full gateway: API keys created, rotated and revoked through the API
 * take effect at once on every gateway instance (Redis broadcast), validation errors are clear,
 * the OpenAPI document describes every route.
 */
process.env.GATEHOUSE_ADMIN_COOKIE_SECURE = 'false';
import request from 'supertest';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { ADMIN_ROUTES } from '../../../src/admin';
import { findOrganisation } from '../../../src/db';
import { adminTokenFor, bearer, createUser } from './fixtures';

let stack: TestStack;
let token: string;

beforeAll(async () => {
  stack = await startTestStack();
  const org = await findOrganisation(stack.pool, 'demo');
  const owner = await createUser(stack.pool, org.id, 'owner@demo.test', [{ role: 'owner', workspaceId: null }]);
  token = (await adminTokenFor(stack.pool, org.id, owner.id)).token;
}, 60_000);
afterAll(async () => { await stack?.close(); });

const models = (url: string, key: string) => request(url).get('/v1/models').set('authorization', `Bearer ${key}`);

test('a key revoked through the admin API is refused at once by every gateway instance', async () => {
  const second = await stack.startAnotherGateway();
  const created = await request(stack.gateway.url).post('/admin/v1/orgs/demo/workspaces/demo/keys').set(bearer(token))
    .send({ name: 'ci', allowed_models: ['gpt-4o*'], expires_in_days: 30, scopes: ['chat', 'models'], limits: { rpm: 100 } }).expect(201);
  expect(created.body.key).toMatch(/^gh_/);
  expect(created.body).toMatchObject({ scopes: ['chat', 'models'], allowed_models: ['gpt-4o*'], limits: { rpm: 100 } });
  // Both instances now hold the key in their caches.
  await models(stack.gateway.url, created.body.key).expect(200);
  await models(second.url, created.body.key).expect(200);

  const listed = await request(stack.gateway.url).get('/admin/v1/orgs/demo/workspaces/demo/keys').set(bearer(token)).expect(200);
  const row = listed.body.data.find((k: { id: string }) => k.id === created.body.id);
  expect(row.prefix).toMatch(/^gh_[0-9A-Za-z]{12}…$/);
  expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

  await request(stack.gateway.url).delete(`/admin/v1/orgs/demo/workspaces/demo/keys/${created.body.id}`).set(bearer(token)).expect(204);
  // The revocation reaches the other instance through Redis pub/sub (its cache TTL is a minute).
  let refused = 0;
  for (let i = 0; i < 50 && refused === 0; i += 1) {
    const res = await models(second.url, created.body.key);
    if (res.status === 401) refused += 1;
    else await new Promise((r) => setTimeout(r, 20));
  }
  expect(refused).toBe(1);
  await models(stack.gateway.url, created.body.key).expect(401);
});

test('rotation issues a new key with the same settings and retires the old one', async () => {
  const created = await request(stack.gateway.url).post('/admin/v1/orgs/demo/workspaces/demo/keys').set(bearer(token)).send({ name: 'svc', limits: { budget_usd: 5 } }).expect(201);
  await models(stack.gateway.url, created.body.key).expect(200);
  const rotated = await request(stack.gateway.url).post(`/admin/v1/orgs/demo/workspaces/demo/keys/${created.body.id}/rotate`).set(bearer(token)).expect(201);
  expect(rotated.body).toMatchObject({ name: 'svc', rotated_from: created.body.id, limits: { budget_usd: 5, budget_window: 'month' } });
  expect(rotated.body.key).not.toBe(created.body.key);
  await models(stack.gateway.url, created.body.key).expect(401);
  await models(stack.gateway.url, rotated.body.key).expect(200);
  await request(stack.gateway.url).post(`/admin/v1/orgs/demo/workspaces/demo/keys/${created.body.id}/rotate`).set(bearer(token)).expect(400);
});

test('bad input gets a 400 naming the field; unknown objects a 404', async () => {
  const bad = await request(stack.gateway.url).post('/admin/v1/orgs/demo/workspaces/demo/keys').set(bearer(token)).send({ name: 'x', scopes: ['everything'] }).expect(400);
  expect(bad.body.error.param).toBe('scopes.0');
  const extra = await request(stack.gateway.url).post('/admin/v1/orgs/demo/workspaces').set(bearer(token)).send({ slug: 'Bad Slug', name: 'x' }).expect(400);
  expect(extra.body.error.param).toBe('slug');
  await request(stack.gateway.url).post('/admin/v1/orgs/demo/workspaces').set(bearer(token)).set('content-type', 'application/json').send('{"slug":').expect(400);
  await request(stack.gateway.url).delete('/admin/v1/orgs/demo/workspaces/demo/keys/not-a-uuid').set(bearer(token)).expect(404);
  await request(stack.gateway.url).get('/admin/v1/orgs/demo/workspaces/nope').set(bearer(token)).expect(404);
  await request(stack.gateway.url).get('/admin/v1/nothing-here').set(bearer(token)).expect(404);
  const dup = await request(stack.gateway.url).post('/admin/v1/orgs/demo/workspaces').set(bearer(token)).send({ slug: 'demo', name: 'again' }).expect(409);
  expect(dup.body.error.code).toBe('duplicate');
  await request(stack.gateway.url).delete(`/admin/v1/orgs/demo/owners/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`).set(bearer(token)).expect(404);
});

test('the last owner cannot be removed', async () => {
  const me = await request(stack.gateway.url).get('/admin/v1/me').set(bearer(token)).expect(200);
  const res = await request(stack.gateway.url).delete(`/admin/v1/orgs/demo/owners/${me.body.id}`).set(bearer(token)).expect(409);
  expect(res.body.error.code).toBe('last_owner');
});

test('the OpenAPI document is public and describes every route with its permission', async () => {
  const res = await request(stack.gateway.url).get('/admin/v1/openapi.json').expect(200);
  expect(res.body.openapi).toBe('3.1.0');
  const operations = Object.entries(res.body.paths as Record<string, Record<string, { 'x-gatehouse-permission'?: string; operationId: string }>>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
  expect(operations).toEqual(ADMIN_ROUTES.map((r) => `${r.method} /admin/v1${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`).sort());
  const keyCreate = res.body.paths['/admin/v1/orgs/{org}/workspaces/{ws}/keys'].post;
  expect(keyCreate['x-gatehouse-permission']).toBe('create ApiKey');
  expect(keyCreate.requestBody.content['application/json'].schema.properties.scopes.items.enum).toEqual(['chat', 'embeddings', 'models', 'messages']);
  const ids = operations.length;
  expect(new Set(Object.values(res.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((o) => Object.values(o).map((x) => x.operationId))).size).toBe(ids);
  // Everything else needs credentials.
  await request(stack.gateway.url).get('/admin/v1/orgs').expect(401);
});
