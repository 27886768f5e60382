import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { generateSigningKeyPem } from '../../../src/audit';
import { findOrganisation, upsertWorkspace, type Organisation } from '../../../src/db';
import { applySsoConfig, SecretBox } from '../../../src/identity';
import { startTestStack, type TestStack } from '../../helpers/stack';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CONSOLE_DIR = path.join(ROOT, 'dist', 'console');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the console when dist/console is missing or older than its sources (`npm test` builds it in pretest). */
export function ensureConsoleBuilt(): void {
  let built = 0;
  try { built = statSync(path.join(CONSOLE_DIR, 'index.html')).mtimeMs; } catch { built = 0; }
  if (built > newestMtime(path.join(ROOT, 'console', 'src'))) return;
  execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'console', 'build.ts')], { cwd: ROOT, stdio: 'pipe' });
}

export interface IdpAccount { email: string; password: string; groups: string[]; name?: string }

export interface ConsoleStack {
  stack: TestStack;
  url: string;
  idpUrl: string;
  org: Organisation;
  close(): Promise<void>;
}

async function startIdp(redirectUris: string[], accounts: IdpAccount[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'idp', 'login-idp.mjs')], {
    env: { ...process.env, REDIRECT_URIS: JSON.stringify(redirectUris), ACCOUNTS: JSON.stringify(accounts), NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`IdP did not start: ${stderr}`)), 15_000);
    createInterface({ input: child.stdout! }).once('line', (line) => { clearTimeout(timer); resolve((JSON.parse(line) as { url: string }).url); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`IdP exited with ${code}: ${stderr}`)); });
  });
  return { url, child };
}

/**
 * The gateway (real PostgreSQL, Redis, mock provider, demo seed, console served at /console), an
 * OIDC IdP with a login page, and the demo organisation signing in through it. IdP groups map to
 * roles: gh-owners → owner; demo-authors → policy_author, demo-approvers → policy_approver,
 * demo-admins → admin (workspace demo).
 */
export async function startConsoleStack(accounts: IdpAccount[]): Promise<ConsoleStack> {
  ensureConsoleBuilt();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-'));
  const keyFile = path.join(tmp, 'audit-signing.pem');
  writeFileSync(keyFile, generateSigningKeyPem().privateKeyPem, { mode: 0o600 });
  const stack = await startTestStack({
    env: {
      GATEHOUSE_ADMIN_COOKIE_SECURE: 'false', GATEHOUSE_AUDIT_EXPORT_DIR: path.join(tmp, 'exports'), GATEHOUSE_AUDIT_SIGNING_KEY_FILE: keyFile,
      GATEHOUSE_AUDIT_CHECKPOINT_EVERY: '5',
    },
  });
  const url = stack.gateway.url;
  let idp: { url: string; child: ChildProcess } | null = null;
  try {
    idp = await startIdp([`${url}/auth/sso/demo/callback`], accounts);
    const org = await findOrganisation(stack.pool, 'demo');
    await upsertWorkspace(stack.pool, org, 'research', 'Research workspace');
    await applySsoConfig(stack.pool, await SecretBox.forInstance(stack.pool), org, {
      protocol: 'oidc', issuer: idp.url, client_id: 'gatehouse', client_secret: 'gatehouse-secret', scopes: ['openid', 'email', 'profile', 'groups'],
      email_claim: 'email', name_claim: 'name', groups_attribute: 'groups', jit: true, enabled: true, email_domains: ['demo.test'],
      role_mappings: [
        { group: 'gh-owners', workspace: null, role: 'owner' },
        { group: 'demo-admins', workspace: 'demo', role: 'admin' },
        { group: 'demo-authors', workspace: 'demo', role: 'policy_author' },
        { group: 'demo-approvers', workspace: 'demo', role: 'policy_approver' },
      ],
    });
    const child = idp.child;
    return {
      stack, url, idpUrl: idp.url, org,
      async close() {
        await new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
        await stack.close();
      },
    };
  } catch (err) {
    idp?.child.kill('SIGTERM');
    await stack.close();
    throw err;
  }
}
