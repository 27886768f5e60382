import type { Page } from 'playwright-core';
import { screenshot } from './browser';

/**
 * Signs in the way a person does: /console sends the visitor to the console's sign-in page, the
 * organisation is typed there, the IdP's login form gets the e-mail and password, and the browser
 * comes back to the console with a session.
 */
export async function signIn(page: Page, base: string, account: { email: string; password: string }, options: { org?: string; shots?: string } = {}): Promise<void> {
  await page.goto(`${base}/console`);
  await page.waitForURL(/\/console\/login\?next=/);
  await page.getByRole('heading', { name: 'Sign in to Gatehouse' }).waitFor();
  if (options.shots) await screenshot(page, `${options.shots}-sign-in`);
  await page.getByLabel('Organisation or work e-mail').fill(options.org ?? 'demo');
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();
  await page.waitForURL(/\/interaction\//);
  if (options.shots) await screenshot(page, `${options.shots}-idp-login`);
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === base && url.pathname.startsWith('/console') && !url.pathname.startsWith('/console/login'));
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
