/** The operator CLI of the admin plane (compiled, as operators run it): break-glass admins, SSO and members. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { upsertOrganisation, upsertWorkspace } from '../../../src/db';
import { totpCode } from '../../../src/identity';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../../helpers/database';
import { startAdminHarness, type AdminHarness } from '../identity/harness';

// Each case spawns several CLI processes; on a loaded 2-core machine that takes a while.
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'gatehouse.js');
let h: AdminHarness;

function gatehouse(args: string[], extraEnv: NodeJS.ProcessEnv = {}, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: h.databaseUrl, REDIS_URL: TEST_REDIS_URL, GATEHOUSE_REDIS_PREFIX: uniqueRedisPrefix(), ...extraEnv },
    }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    if (stdin !== undefined) child.stdin!.end(stdin); else child.stdin!.end();
  });
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'commands', 'admin.js'))) throw new Error('dist/ is missing the admin commands: run `npm run build`');
  h = await startAdminHarness();
  const org = await upsertOrganisation(h.pool, 'acme', 'Acme');
  await upsertWorkspace(h.pool, org, 'w1', 'W1');
});
afterAll(async () => { await h?.close(); });

test('admin create with TOTP: the printed secret signs in through /auth/local; the password never comes from argv', async () => {
  const created = await gatehouse(['admin', 'create', '--username', 'oncall', '--org', 'acme', '--totp', '--password-stdin', '--json'], {}, 'a very long passphrase\n');
  expect(created.code).toBe(0);
  const out = JSON.parse(created.stdout) as { username: string; totp_secret: string; totp_uri: string; platform_admin: boolean };
  expect(out).toMatchObject({ username: 'oncall', platform_admin: false });
  expect(out.totp_uri).toMatch(/^otpauth:\/\/totp\/Gatehouse%3Aoncall\?secret=/);
  const { rows } = await h.pool.query(`SELECT password_hash, totp_sealed FROM local_admins WHERE username = 'oncall'`);
  expect(rows[0].password_hash).toMatch(/^scrypt\$/);
  expect(rows[0].totp_sealed.toString('latin1')).not.toContain(out.totp_secret);

  const agent = request.agent(h.url);
  await agent.post('/auth/local').send({ username: 'oncall', password: 'a very long passphrase', totp: totpCode(out.totp_secret) }).expect(200);
  const me = await agent.get('/admin/v1/me').expect(200);
  expect(me.body.grants).toEqual([expect.objectContaining({ role: 'owner', workspace_id: null })]);

  const noPassword = await gatehouse(['admin', 'create', '--username', 'x2'], { GATEHOUSE_ADMIN_PASSWORD: '' });
  expect(noPassword.code).not.toBe(0);
  expect(noPassword.stderr).toMatch(/password-stdin|GATEHOUSE_ADMIN_PASSWORD/);
  const weak = await gatehouse(['admin', 'create', '--username', 'x3'], { GATEHOUSE_ADMIN_PASSWORD: 'short' });
  expect(weak.stderr).toMatch(/at least 12/);
  const disabled = await gatehouse(['admin', 'disable', 'oncall']);
  expect(disabled.code).toBe(0);
  await agent.get('/admin/v1/me').expect(401);
});

test('sso set-oidc / set-saml / show and members add / list', async () => {
  const oidc = await gatehouse(['sso', 'set-oidc', '--org', 'acme', '--issuer', 'https://idp.example.test', '--client-id', 'gh', '--client-secret-env', 'IDP_SECRET',
    '--domains', 'acme.test', '--map', 'eng=w1:developer', '--map', 'admins=owner', '--json'], { IDP_SECRET: 'top-secret' });
  expect(oidc.code).toBe(0);
  expect(JSON.parse(oidc.stdout)).toMatchObject({ protocol: 'oidc', mappings: 2 });
  const shown = await gatehouse(['sso', 'show', '--org', 'acme']);
  expect(shown.stdout).toContain('"has_client_secret": true');
  expect(shown.stdout).not.toContain('top-secret');

  const dir = await mkdtemp(path.join(tmpdir(), 'gh-saml-'));
  const certFile = path.join(dir, 'idp.pem');
  await writeFile(certFile, `-----BEGIN CERTIFICATE-----\n${'MIIB'.padEnd(120, 'A')}\n-----END CERTIFICATE-----\n`);
  const samlCmd = await gatehouse(['sso', 'set-saml', '--org', 'acme', '--entry-point', 'https://idp.example.test/sso', '--idp-issuer', 'https://idp.example.test', '--idp-cert-file', certFile, '--json']);
  expect(samlCmd.code).toBe(0);
  expect(JSON.parse(samlCmd.stdout)).toMatchObject({ protocol: 'saml', settings: { spEntityId: 'gatehouse:acme' } });
  const badMap = await gatehouse(['sso', 'set-oidc', '--org', 'acme', '--issuer', 'https://i.test', '--client-id', 'x', '--map', 'eng=nowhere:developer']);
  expect(badMap.stderr).toMatch(/unknown workspace/);

  expect((await gatehouse(['members', 'add', '--org', 'acme', '--workspace', 'w1', '--email', 'Dev@acme.test', '--role', 'developer'])).code).toBe(0);
  expect((await gatehouse(['members', 'add', '--org', 'acme', '--email', 'boss@acme.test', '--role', 'owner'])).code).toBe(0);
  const wrong = await gatehouse(['members', 'add', '--org', 'acme', '--email', 'x@acme.test', '--role', 'admin']);
  expect(wrong.stderr).toMatch(/needs one/);
  const listed = JSON.parse((await gatehouse(['members', 'list', '--org', 'acme', '--json'])).stdout) as Array<{ email: string; role: string; workspace: string | null }>;
  expect(listed).toEqual(expect.arrayContaining([
    expect.objectContaining({ email: 'dev@acme.test', role: 'developer', workspace: 'w1' }),
    expect.objectContaining({ email: 'boss@acme.test', role: 'owner', workspace: null }),
  ]));
});
