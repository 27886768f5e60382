/**
 * OIDC sign-in against a real OpenID Provider (oidc-provider) on loopback: the full authorization
 * code flow with PKCE driven by supertest agents following the redirects (one cookie jar per
 * origin, like a browser), JIT provisioning, group → role mapping and its withdrawal, and the
 * refusals: state mismatch, nonce mismatch, replayed code, unknown organisation.
 */
import request from 'supertest';
import { upsertOrganisation, upsertWorkspace, type Organisation, type Workspace } from '../../../src/db';
import { applySsoConfig, SecretBox } from '../../../src/identity';
import { startAdminHarness, type AdminHarness } from './harness';
import { startOidcIdp, type OidcIdp } from './idp/start-oidc';

type Agent = ReturnType<typeof request.agent>;
let h: AdminHarness;
let idp: OidcIdp;
let org: Organisation;
let w1: Workspace;

beforeAll(async () => {
  h = await startAdminHarness();
  org = await upsertOrganisation(h.pool, 'acme', 'Acme');
  w1 = await upsertWorkspace(h.pool, org, 'w1', 'W1');
  await upsertWorkspace(h.pool, org, 'w2', 'W2');
  idp = await startOidcIdp([`${h.url}/auth/sso/acme/callback`]);
  await applySsoConfig(h.pool, await SecretBox.forInstance(h.pool), org, {
    protocol: 'oidc', issuer: idp.url, client_id: 'gatehouse', client_secret: 'gatehouse-secret', scopes: ['openid', 'email', 'profile', 'groups'],
    email_claim: 'email', name_claim: 'name', groups_attribute: 'groups', jit: true, enabled: true, email_domains: ['acme.test'],
    role_mappings: [
      { group: 'gh-owners', workspace: null, role: 'owner' },
      { group: 'eng-admins', workspace: 'w1', role: 'admin' },
      { group: 'eng', workspace: 'w1', role: 'developer' },
    ],
  });
}, 30_000);
afterAll(async () => { await idp?.close(); await h?.close(); });

interface Browser { gw: Agent; idp: Agent }
const browser = (): Browser => ({ gw: request.agent(h.url), idp: request.agent(idp.url) });

/**
 * Follows redirects from the login start to the gateway callback and returns the callback's
 * answer. `tamper` may rewrite the callback URL; `beforeCallback` runs just before it is fetched.
 */
async function signIn(b: Browser, start: string, options: { tamper?: (u: URL) => URL; beforeCallback?: () => Promise<void> } = {}): Promise<{ res: request.Response; callback: URL }> {
  let res = await b.gw.get(start).redirects(0);
  for (let hops = 0; hops < 10; hops += 1) {
    if (res.status !== 302 && res.status !== 303) throw new Error(`unexpected ${res.status} ${res.text.slice(0, 300)}`);
    let next = new URL(res.headers.location, idp.url);
    if (next.origin === h.url && next.pathname.endsWith('/callback')) {
      if (options.tamper) next = options.tamper(next);
      await options.beforeCallback?.();
      return { res: await b.gw.get(next.pathname + next.search).redirects(0), callback: next };
    }
    if (next.origin !== idp.url) throw new Error(`unexpected redirect to ${next.href}`);
    res = await b.idp.get(next.pathname + next.search).redirects(0);
  }
  throw new Error('too many redirects');
}

test('code flow with PKCE: JIT provisioning, roles from groups, a rotated session and an audit event', async () => {
  await idp.setAccount({ id: 'sub-alice', email: 'Alice@acme.test', name: 'Alice', groups: ['eng-admins', 'unmapped'] });
  const b = browser();
  const first = await b.gw.get('/auth/login?email=alice@acme.test').redirects(0).expect(302);
  const authorize = new URL(first.headers.location);
  expect(authorize.origin).toBe(idp.url);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('state')).toBeTruthy();
  expect(authorize.searchParams.get('nonce')).toBeTruthy();
  const preLogin = (first.headers['set-cookie'] as unknown as string[] | undefined)?.[0]?.split(';')[0];

  const { res } = await signIn(b, '/auth/login?org=acme');
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/admin/v1/me');
  const postLogin = (res.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
  expect(postLogin).not.toBe(preLogin);

  const me = await b.gw.get('/admin/v1/me').expect(200);
  expect(me.body).toMatchObject({ kind: 'user', label: 'alice@acme.test', org_id: org.id });
  expect(me.body.grants).toEqual([{ role: 'admin', org_id: org.id, workspace_id: w1.id }]);
  const { rows } = await h.pool.query('SELECT idp_subject, display_name, idp_groups FROM users WHERE org_id = $1 AND email = $2', [org.id, 'alice@acme.test']);
  expect(rows[0]).toEqual({ idp_subject: 'sub-alice', display_name: 'Alice', idp_groups: ['eng-admins', 'unmapped'] });
  const login = h.audit.find((e) => e.type === 'sso.login' && e.actor.label === 'alice@acme.test')!;
  expect(login).toMatchObject({ orgId: org.id, outcome: 'success', details: { protocol: 'oidc', jit_created: true, roles_added: [`admin@${w1.id}`] } });
  // The admin role works: members of w1 can be listed with the session.
  await b.gw.get('/admin/v1/orgs/acme/workspaces/w1/members').expect(200);
});

test('removed from the IdP group, the user loses the role at the next login (roles granted by hand stay)', async () => {
  await idp.setAccount({ id: 'sub-bob', email: 'bob@acme.test', groups: ['eng-admins', 'eng'] });
  const b = browser();
  await signIn(b, '/auth/login?org=acme');
  let me = await b.gw.get('/admin/v1/me').expect(200);
  expect(me.body.grants.map((g: { role: string }) => g.role).sort()).toEqual(['admin', 'developer']);
  const bobId: string = me.body.id;
  await h.pool.query(`INSERT INTO memberships (org_id, workspace_id, user_id, role, source) SELECT org_id, id, $2, 'auditor', 'manual' FROM workspaces WHERE org_id = $1 AND slug = 'w2'`, [org.id, bobId]);

  await idp.setAccount({ id: 'sub-bob', email: 'bob@acme.test', groups: ['eng'] });
  const again = browser();
  await signIn(again, '/auth/login?org=acme');
  me = await again.gw.get('/admin/v1/me').expect(200);
  expect(me.body.grants.map((g: { role: string }) => g.role).sort()).toEqual(['auditor', 'developer']);
  // The first browser's session follows at once: its admin rights are gone.
  await b.gw.get('/admin/v1/orgs/acme/workspaces/w1/members').expect(403);
  const event = h.audit.filter((e) => e.type === 'sso.login' && e.actor.id === bobId).at(-1)!;
  expect(event.details).toMatchObject({ roles_removed: [`admin@${w1.id}`], roles_added: [] });
});

test('a tampered state is refused and audited', async () => {
  await idp.setAccount({ id: 'sub-carol', email: 'carol@acme.test', groups: [] });
  const before = h.audit.length;
  const { res } = await signIn(browser(), '/auth/login?org=acme', { tamper: (u) => { u.searchParams.set('state', 'forged-state'); return u; } });
  expect(res.status).toBe(401);
  expect(res.body.error.code).toBe('sso_failed');
  expect(res.body.error.message).toMatch(/state mismatch/);
  expect(h.audit.slice(before).some((e) => e.type === 'sso.login_failed' && e.outcome === 'failure')).toBe(true);
});

test('a nonce that does not match the ID token is refused', async () => {
  await idp.setAccount({ id: 'sub-dave', email: 'dave@acme.test', groups: [] });
  const b = browser();
  const { res } = await signIn(b, '/auth/login?org=acme', {
    // The session's remembered nonce is changed: the ID token (bound to the original) no longer matches.
    beforeCallback: async () => {
      await h.pool.query(`UPDATE admin_sessions SET sess = jsonb_set(sess, ARRAY['oidc:' || $1, 'nonce'], '"forged-nonce"') WHERE sess ? ('oidc:' || $1)`, [org.id]);
    },
  });
  expect(res.status).toBe(401);
  expect(res.body.error.message).toMatch(/nonce mismatch/);
});

test('a callback replayed (same code, same state) is refused; so is a callback without a login in progress', async () => {
  await idp.setAccount({ id: 'sub-erin', email: 'erin@acme.test', groups: [] });
  const b = browser();
  const { res, callback } = await signIn(b, '/auth/login?org=acme');
  expect(res.status).toBe(303);
  const replay = await b.gw.get(callback.pathname + callback.search).redirects(0);
  expect(replay.status).toBe(401);
  const stranger = await request(h.url).get(callback.pathname + callback.search).redirects(0);
  expect(stranger.status).toBe(401);
  await request(h.url).get('/auth/sso/acme/callback').expect(400);
});

test('unknown organisations and domains, and e-mails outside the organisation domains, are refused', async () => {
  await request(h.url).get('/auth/login?org=nope').expect(404);
  await request(h.url).get('/auth/login?email=x@elsewhere.test').expect(404);
  await request(h.url).get('/auth/login').expect(400);
  await idp.setAccount({ id: 'sub-mallory', email: 'mallory@evil.test', groups: ['gh-owners'] });
  const { res } = await signIn(browser(), '/auth/login?org=acme');
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('email_domain');
  expect((await h.pool.query(`SELECT 1 FROM users WHERE email = 'mallory@evil.test'`)).rows).toHaveLength(0);
});

test('an unreachable IdP answers 503 and the next login tries discovery again', async () => {
  const other = await upsertOrganisation(h.pool, 'offline', 'Offline');
  await applySsoConfig(h.pool, await SecretBox.forInstance(h.pool), other, {
    protocol: 'oidc', issuer: 'http://127.0.0.1:9/unreachable', client_id: 'x', scopes: ['openid'], email_claim: 'email', name_claim: 'name',
    groups_attribute: 'groups', jit: true, enabled: true, email_domains: [], role_mappings: [],
  });
  const first = await request(h.url).get('/auth/login?org=offline').expect(503);
  expect(first.body.error.code).toBe('idp_unavailable');
  await request(h.url).get('/auth/login?org=offline').expect(503);
});
