import request from 'supertest';
import { createLocalAdmin, SecretBox, totpCode } from '../../../src/identity';
import { upsertOrganisation, upsertWorkspace } from '../../../src/db';
import { startAdminHarness, sessionIdOf, type AdminHarness } from './harness';

let h: AdminHarness;
let box: SecretBox;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  h = await startAdminHarness();
  box = await SecretBox.forInstance(h.pool);
  const org = await upsertOrganisation(h.pool, 'acme', 'Acme');
  await upsertWorkspace(h.pool, org, 'w1', 'W1');
  await createLocalAdmin(h.pool, box, { username: 'root', password: PASSWORD, orgId: null, totp: false });
  await createLocalAdmin(h.pool, box, { username: 'acme-owner', password: PASSWORD, orgId: org.id, totp: false });
});
afterAll(async () => { await h?.close(); });

async function login(agent: ReturnType<typeof request.agent>, username = 'root'): Promise<{ csrf: string; sid: string }> {
  const res = await agent.post('/auth/local').send({ username, password: PASSWORD }).expect(200);
  return { csrf: res.body.csrf_token, sid: sessionIdOf(res.headers['set-cookie'], h.config.cookieName)! };
}

test('the session cookie is HttpOnly and SameSite=Lax, and its id changes at every login', async () => {
  const agent = request.agent(h.url);
  await agent.get('/admin/v1/me').expect(401);
  const res = await agent.post('/auth/local').send({ username: 'root', password: PASSWORD }).expect(200);
  const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${h.config.cookieName}=`))!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  const first = sessionIdOf(res.headers['set-cookie'], h.config.cookieName)!;
  const me = await agent.get('/admin/v1/me').expect(200);
  expect(me.body).toMatchObject({ kind: 'local_admin', platform_admin: true, via: 'session' });

  // Logging in again on the same browser discards the old session id entirely.
  const second = await login(agent, 'acme-owner');
  expect(second.sid).not.toBe(first);
  const { rows } = await h.pool.query('SELECT sid FROM admin_sessions WHERE sid = $1', [first]);
  expect(rows).toHaveLength(0);
  expect((await agent.get('/admin/v1/me').expect(200)).body.label).toBe('break-glass:acme-owner');
});

test('cookie-authenticated changes need the CSRF token; reads do not', async () => {
  const agent = request.agent(h.url);
  const { csrf } = await login(agent);
  await agent.get('/admin/v1/orgs/acme/workspaces').expect(200);
  const refused = await agent.post('/admin/v1/orgs/acme/workspaces').send({ slug: 'w2', name: 'W2' }).expect(403);
  expect(refused.body.error.code).toBe('csrf_failed');
  await agent.post('/admin/v1/orgs/acme/workspaces').set('x-csrf-token', 'x'.repeat(43)).send({ slug: 'w2', name: 'W2' }).expect(403);
  await agent.post('/admin/v1/orgs/acme/workspaces').set('x-csrf-token', csrf).send({ slug: 'w2', name: 'W2' }).expect(201);
  // The token of another session is no good either.
  const other = request.agent(h.url);
  const otherLogin = await login(other);
  await agent.patch('/admin/v1/orgs/acme').set('x-csrf-token', otherLogin.csrf).send({ name: 'Acme 2' }).expect(403);
  expect((await agent.get('/admin/v1/me').expect(200)).body.csrf_token).toBe(csrf);
});

test('idle and absolute timeouts end the session', async () => {
  const idle = request.agent(h.url);
  const a = await login(idle);
  await idle.get('/admin/v1/me').expect(200);
  await h.pool.query(`UPDATE admin_sessions SET expires_at = now() - interval '1 second' WHERE sid = $1`, [a.sid]);
  await idle.get('/admin/v1/me').expect(401);

  const old = request.agent(h.url);
  const b = await login(old);
  await h.pool.query(`UPDATE admin_sessions SET sess = jsonb_set(sess, '{loginAt}', to_jsonb($2::bigint)) WHERE sid = $1`, [b.sid, Date.now() - h.config.sessionAbsoluteMs - 1000]);
  const expired = await old.get('/admin/v1/me').expect(401);
  expect(expired.body.error.code).toBe('session_expired');
  expect((await h.pool.query('SELECT 1 FROM admin_sessions WHERE sid = $1', [b.sid])).rows).toHaveLength(0);
});

test('logout needs the CSRF token, ends the session and is audited', async () => {
  const agent = request.agent(h.url);
  const { csrf, sid } = await login(agent);
  await agent.post('/auth/logout').expect(403);
  await agent.post('/auth/logout').set('x-csrf-token', csrf).expect(204);
  await agent.get('/admin/v1/me').expect(401);
  expect((await h.pool.query('SELECT 1 FROM admin_sessions WHERE sid = $1', [sid])).rows).toHaveLength(0);
  expect(h.audit.some((e) => e.type === 'sso.logout')).toBe(true);
});

test('break-glass: wrong passwords are audited, TOTP codes work once, repeated failures lock the account', async () => {
  const created = await createLocalAdmin(h.pool, box, { username: 'glass', password: PASSWORD, orgId: null, totp: true });
  const secret = created.totp!.secret;
  const before = h.audit.length;
  await request(h.url).post('/auth/local').send({ username: 'glass', password: 'wrong password!!' }).expect(401);
  const failure = h.audit.slice(before).find((e) => e.type === 'sso.login_failed')!;
  expect(failure).toMatchObject({ outcome: 'denied', details: { method: 'break_glass', reason: 'invalid_credentials' } });
  const noCode = await request(h.url).post('/auth/local').send({ username: 'glass', password: PASSWORD }).expect(401);
  expect(noCode.body.error.code).toBe('totp_required');
  const code = totpCode(secret);
  const ok = await request(h.url).post('/auth/local').send({ username: 'glass', password: PASSWORD, totp: code }).expect(200);
  expect(ok.body.break_glass).toBe(true);
  expect(h.audit.some((e) => e.type === 'sso.login' && (e.details as Record<string, unknown>)?.totp === true)).toBe(true);
  // The same code a second time is a replay.
  await request(h.url).post('/auth/local').send({ username: 'glass', password: PASSWORD, totp: code }).expect(401);
  // Unknown users get the same answer as wrong passwords.
  const unknown = await request(h.url).post('/auth/local').send({ username: 'nobody', password: PASSWORD }).expect(401);
  expect(unknown.body.error.code).toBe('invalid_credentials');

  await createLocalAdmin(h.pool, box, { username: 'victim', password: PASSWORD, orgId: null, totp: false });
  for (let i = 0; i < 5; i += 1) await request(h.url).post('/auth/local').send({ username: 'victim', password: `wrong password ${i}` }).expect(401);
  const locked = await request(h.url).post('/auth/local').send({ username: 'victim', password: PASSWORD }).expect(429);
  expect(locked.body.error.code).toBe('locked');
});

test('bad input to the login gets a clear 400', async () => {
  const res = await request(h.url).post('/auth/local').send({ username: 'root' }).expect(400);
  expect(res.body.error.param).toBe('password');
  await request(h.url).post('/auth/local').set('content-type', 'application/json').send('{not json').expect(400);
});
