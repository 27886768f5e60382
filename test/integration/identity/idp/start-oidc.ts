import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface OidcIdp {
  url: string;
  /** Chooses who logs in next at the IdP (and their groups). */
  setAccount(account: { id: string; email: string; groups: string[]; name?: string }): Promise<void>;
  close(): Promise<void>;
}

/** Starts test/integration/identity/idp/oidc-idp.mjs (real oidc-provider) in its own process. */
export async function startOidcIdp(redirectUris: string[]): Promise<OidcIdp> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'oidc-idp.mjs')], {
    env: { ...process.env, REDIRECT_URIS: JSON.stringify(redirectUris), NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`IdP did not start: ${stderr}`)), 15_000);
    createInterface({ input: child.stdout! }).once('line', (line) => { clearTimeout(timer); resolve((JSON.parse(line) as { url: string }).url); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`IdP exited with ${code}: ${stderr}`)); });
  });
  return {
    url,
    async setAccount(account) {
      const res = await fetch(`${url}/__test/account`, { method: 'POST', body: JSON.stringify(account) });
      if (res.status !== 204) throw new Error(`IdP control failed: ${res.status}`);
    },
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
