import { abilityFor, can, rulesFor, ROLES, ROLE_PERMISSIONS, SUBJECT_ACTIONS, ADMIN_SCOPES, SCOPE_GRANTS, type Principal, type Role } from '../../../src/authz';

const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER_ORG = '22222222-2222-4222-8222-222222222222';
const WS = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const OTHER_WS = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const ME = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const SOMEONE = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';

const principal = (role: Role, extra: Partial<Principal> = {}): Principal => ({
  kind: 'user', id: ME, label: 'me@x.test', orgId: ORG, platformAdmin: false,
  grants: [{ role, orgId: ORG, workspaceId: role === 'owner' ? null : WS }], ...extra,
});

test('no role reaches another organisation, for any subject or action', () => {
  for (const role of ROLES) {
    const ability = abilityFor(principal(role));
    for (const [subject, actions] of Object.entries(SUBJECT_ACTIONS)) {
      for (const action of actions) {
        for (const fields of [{ orgId: OTHER_ORG }, { orgId: OTHER_ORG, workspaceId: WS, userId: ME }]) {
          expect([role, subject, action, can(ability, action, subject as never, fields)]).toEqual([role, subject, action, false]);
        }
      }
    }
  }
});

test('workspace roles stay in their workspace; owners reach all of their organisation', () => {
  for (const role of ROLES) {
    const ability = abilityFor(principal(role));
    const inOther = can(ability, 'read', 'Workspace', { orgId: ORG, workspaceId: OTHER_WS });
    expect([role, inOther]).toEqual([role, role === 'owner']);
  }
});

test('developers manage their own keys only; admins any key of their workspace', () => {
  const dev = abilityFor(principal('developer'));
  expect(can(dev, 'delete', 'ApiKey', { orgId: ORG, workspaceId: WS, userId: ME })).toBe(true);
  expect(can(dev, 'delete', 'ApiKey', { orgId: ORG, workspaceId: WS, userId: SOMEONE })).toBe(false);
  expect(can(dev, 'delete', 'ApiKey', { orgId: ORG, workspaceId: WS, userId: null })).toBe(false);
  const admin = abilityFor(principal('admin'));
  expect(can(admin, 'delete', 'ApiKey', { orgId: ORG, workspaceId: WS, userId: SOMEONE })).toBe(true);
  expect(can(admin, 'delete', 'ApiKey', { orgId: ORG, workspaceId: OTHER_WS, userId: SOMEONE })).toBe(false);
});

test('auditors read spend and audit and may export; policy roles split authoring from approval', () => {
  const auditor = abilityFor(principal('auditor'));
  const at = { orgId: ORG, workspaceId: WS };
  expect([can(auditor, 'read', 'Spend', at), can(auditor, 'export', 'AuditLog', at), can(auditor, 'read', 'ApiKey', at)]).toEqual([true, true, false]);
  const author = abilityFor(principal('policy_author'));
  const approver = abilityFor(principal('policy_approver'));
  expect([can(author, 'update', 'Policy', at), can(author, 'publish', 'Policy', at)]).toEqual([true, false]);
  expect([can(approver, 'update', 'Policy', at), can(approver, 'approve', 'Policy', at), can(approver, 'publish', 'Policy', at)]).toEqual([false, true, true]);
});

test('an admin cannot grant or remove organisation ownership', () => {
  const admin = abilityFor(principal('admin'));
  expect(can(admin, 'create', 'Member', { orgId: ORG, workspaceId: WS })).toBe(true);
  expect(can(admin, 'create', 'Member', { orgId: ORG, workspaceId: null })).toBe(false);
});

test('token scopes narrow the rights and never widen them', () => {
  const owner = principal('owner', { token: { id: 't', scopes: ['keys:read'] } });
  const ability = abilityFor(owner);
  expect(can(ability, 'read', 'ApiKey', { orgId: ORG, workspaceId: WS })).toBe(true);
  expect(can(ability, 'create', 'ApiKey', { orgId: ORG, workspaceId: WS })).toBe(false);
  expect(can(ability, 'read', 'Organisation', { orgId: ORG })).toBe(false);
  const dev = abilityFor(principal('developer', { token: { id: 't', scopes: [...ADMIN_SCOPES] } }));
  expect(can(dev, 'read', 'User', { orgId: ORG })).toBe(false);
});

test('platform administrators may do everything; the tables are consistent', () => {
  const platform = abilityFor({ kind: 'local_admin', id: ME, label: 'root', orgId: null, platformAdmin: true, grants: [] });
  expect(can(platform, 'create', 'Organisation', { orgId: null })).toBe(true);
  expect(can(platform, 'delete', 'SsoConnection', { orgId: OTHER_ORG })).toBe(true);
  for (const permissions of Object.values(ROLE_PERMISSIONS)) {
    for (const p of permissions) if (p.actions !== 'all') for (const a of p.actions) expect(SUBJECT_ACTIONS[p.subject]).toContain(a);
  }
  for (const grants of Object.values(SCOPE_GRANTS)) for (const [subject, actions] of grants) for (const a of actions) expect(SUBJECT_ACTIONS[subject]).toContain(a);
  expect(rulesFor({ ...principal('owner'), grants: [] })).toEqual([]);
});
