/**
 * SAML sign-in through passport-saml against a samlify IdP signing with a selfsigned key: IdP
 * metadata import, signed assertions, group → roles; refused: bad signature (other key and
 * tampered content), wrong audience, wrong recipient, wrong issuer, expired assertion, replay,
 * unsolicited response, and XML signature wrapping.
 */
import request from 'supertest';
import { upsertOrganisation, upsertWorkspace, type Organisation, type Workspace } from '../../../src/db';
import { applySsoConfig, SecretBox } from '../../../src/identity';
import { startAdminHarness, type AdminHarness } from './harness';
import { createSamlIdp, type AnswerOptions, type SamlIdp, type SamlUser } from './idp/saml-idp';

let h: AdminHarness;
let idp: SamlIdp;
let org: Organisation;
let w1: Workspace;
const SP_ENTITY = 'gatehouse:acme';
let acsUrl: string;

beforeAll(async () => {
  h = await startAdminHarness();
  org = await upsertOrganisation(h.pool, 'acme', 'Acme');
  w1 = await upsertWorkspace(h.pool, org, 'w1', 'W1');
  acsUrl = `${h.url}/auth/sso/acme/acs`;
  idp = await createSamlIdp(SP_ENTITY, acsUrl);
  await applySsoConfig(h.pool, await SecretBox.forInstance(h.pool), org, {
    protocol: 'saml', idp_metadata_xml: idp.metadata, sp_entity_id: SP_ENTITY, email_attribute: 'email', name_attribute: 'name',
    groups_attribute: 'groups', jit: true, enabled: true, email_domains: ['acme.test'],
    role_mappings: [{ group: 'auditors', workspace: 'w1', role: 'auditor' }, { group: 'owners', workspace: null, role: 'owner' }],
  });
}, 30_000);
afterAll(async () => { await h?.close(); });

const USER: SamlUser = { email: 'sam@acme.test', name: 'Sam', groups: ['auditors'] };

/** Starts a login at the gateway, lets the IdP answer, posts the answer to the ACS. */
async function signIn(user: SamlUser = USER, options: AnswerOptions = {}, idpToUse: SamlIdp = idp) {
  const agent = request.agent(h.url);
  const start = await agent.get('/auth/login?org=acme&return_to=/admin/v1/orgs').redirects(0).expect(302);
  expect(start.headers.location.startsWith(idp.ssoUrl)).toBe(true);
  const answer = await idpToUse.answer(start.headers.location, user, options);
  const res = await agent.post('/auth/sso/acme/acs').type('form').send(answer).redirects(0);
  return { agent, res, answer };
}

test('the IdP metadata was imported (entity id, SSO URL, certificate) and SP metadata is served', async () => {
  const { rows } = await h.pool.query('SELECT settings FROM sso_connections WHERE org_id = $1', [org.id]);
  expect(rows[0].settings).toMatchObject({ idpIssuer: idp.entityId, entryPoint: idp.ssoUrl, spEntityId: SP_ENTITY });
  expect(idp.certPem.replace(/-----[^-]+-----|\s/g, '')).toBe(rows[0].settings.idpCerts[0]);
  const md = await request(h.url).get('/auth/sso/acme/metadata').expect(200);
  expect(md.text).toContain(`entityID="${SP_ENTITY}"`);
  expect(md.text).toContain(acsUrl);
});

test('a signed assertion signs the user in: JIT user, roles from groups, RelayState honoured, audited', async () => {
  const { agent, res } = await signIn();
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/admin/v1/orgs');
  const me = await agent.get('/admin/v1/me').expect(200);
  expect(me.body).toMatchObject({ kind: 'user', label: 'sam@acme.test' });
  expect(me.body.grants).toEqual([{ role: 'auditor', org_id: org.id, workspace_id: w1.id }]);
  await agent.get('/admin/v1/orgs/acme/workspaces/w1/spend').expect(200);
  await agent.get('/admin/v1/orgs/acme/workspaces/w1/members').expect(403);
  expect(h.audit.some((e) => e.type === 'sso.login' && e.actor.label === 'sam@acme.test' && (e.details as Record<string, unknown>).protocol === 'saml')).toBe(true);
});

async function expectRefused(options: AnswerOptions, pattern: RegExp, idpToUse: SamlIdp = idp, user: SamlUser = { ...USER, groups: ['owners'] }): Promise<void> {
  const before = h.audit.length;
  const { agent, res } = await signIn(user, options, idpToUse);
  expect([res.status, res.body?.error?.code]).toEqual([401, 'sso_failed']);
  expect(res.body.error.message).toMatch(pattern);
  await agent.get('/admin/v1/me').expect(401);
  expect(h.audit.slice(before).some((e) => e.type === 'sso.login_failed')).toBe(true);
}

test('an assertion signed by another key is refused', async () => {
  const impostor = await createSamlIdp(SP_ENTITY, acsUrl, idp.entityId);
  await expectRefused({}, /signature/i, impostor);
});

test('an assertion changed after signing is refused', async () => {
  await expectRefused({ rewrite: (xml) => xml.replace('>auditors<', '>owners<') }, /signature/i, idp, USER);
});

test('an assertion for another audience is refused', async () => {
  await expectRefused({ values: { Audience: 'gatehouse:other-org' } }, /audience/i);
});

test('an assertion for another recipient is refused', async () => {
  await expectRefused({ values: { SubjectRecipient: 'https://elsewhere.test/acs' } }, /recipient|subject confirmation/i);
});

test('an assertion from another issuer is refused', async () => {
  await expectRefused({ values: { Issuer: 'https://evil.test/saml' } }, /issuer/i);
});

test('an expired assertion is refused', async () => {
  const past = (ms: number) => new Date(Date.now() - ms).toISOString();
  await expectRefused({
    values: { IssueInstant: past(3_600_000), ConditionsNotBefore: past(3_600_000), ConditionsNotOnOrAfter: past(1_800_000), SubjectConfirmationDataNotOnOrAfter: past(1_800_000) },
  }, /expired|NotOnOrAfter|subject confirmation/i);
});

test('a replayed response is refused', async () => {
  const { res, answer } = await signIn({ ...USER, email: 'replay@acme.test' });
  expect(res.status).toBe(303);
  const again = await request(h.url).post('/auth/sso/acme/acs').type('form').send(answer).redirects(0);
  expect(again.status).toBe(401);
  expect(again.body.error.code).toBe('sso_failed');
});

test('an unsolicited response (no matching AuthnRequest) is refused', async () => {
  await expectRefused({ inResponseTo: '_never-issued-request' }, /InResponseTo/i);
});

test('XML signature wrapping: a forged unsigned assertion beside or around the signed one is refused', async () => {
  const forge = (xml: string, placement: 'sibling' | 'extensions' | 'inside') => {
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
    const evil = signed.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '').replace(/ID="[^"]+"/, 'ID="_evil"')
      .replace(/sam@acme\.test/g, 'mallory@acme.test').replace('>auditors<', '>owners<');
    if (placement === 'sibling') return xml.replace(signed, evil + signed);
    if (placement === 'extensions') return xml.replace(signed, evil).replace('<samlp:Status>', `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
    // The signed assertion hidden inside the forged one's Subject.
    return xml.replace(signed, evil.replace('</saml:Subject>', `${signed}</saml:Subject>`));
  };
  for (const placement of ['sibling', 'extensions', 'inside'] as const) {
    const before = h.audit.length;
    const { agent, res } = await signIn(USER, { rewrite: (xml) => forge(xml, placement) });
    expect([placement, res.status]).toEqual([placement, 401]);
    await agent.get('/admin/v1/me').expect(401);
    expect(h.audit.slice(before).some((e) => e.type === 'sso.login_failed')).toBe(true);
  }
  expect((await h.pool.query(`SELECT 1 FROM users WHERE email = 'mallory@acme.test'`)).rows).toHaveLength(0);
});

test('a POST without SAMLResponse is a 400, not a new login', async () => {
  await request(h.url).post('/auth/sso/acme/acs').type('form').send({}).expect(400);
});
