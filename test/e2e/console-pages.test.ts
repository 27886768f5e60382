/**
 * The web console in Chromium (playwright-core, headless Debian Chromium): SSO sign-in through a
 * real OIDC IdP's login form, then every main page as an organisation owner — workspaces,
 * members (grant and withdraw), API keys (create → use through the gateway → rotate → revoke),
 * catalog, spend charts, audit search and export with verification. Each page is checked for
 * unlabelled controls, CSP violations and script errors, and screenshotted to test/e2e/artifacts.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLocalAdmin, SecretBox } from '../../src/identity';
import { launchChromium, newContext, screenshot, unlabelledControls, watchProblems, type PageProblems } from './helpers/browser';
import { startConsoleStack, type ConsoleStack } from './helpers/console-stack';
import { signIn } from './helpers/sign-in';

jest.setTimeout(180_000);

const OWNER = { email: 'olivia@demo.test', password: 'owner-pass-1', groups: ['gh-owners'], name: 'Olivia Owner' };
let env: ConsoleStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  env = await startConsoleStack([OWNER]);
  browser = await launchChromium();
  context = await newContext(browser);
  page = await context.newPage();
  problems = watchProblems(page);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await env?.close();
});
afterEach(async () => {
  expect(problems.csp).toEqual([]);
  expect(problems.errors).toEqual([]);
  expect(await unlabelledControls(page)).toEqual([]);
});

const chat = (key: string, content: string) => fetch(`${env.url}/v1/chat/completions`, {
  method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content }] }),
});

test('an organisation that does not exist is explained on the sign-in page', async () => {
  await page.goto(`${env.url}/console/login`);
  await page.getByLabel('Organisation or work e-mail').fill('no-such-org');
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();
  await page.getByRole('alert').getByText('Unknown organisation.').waitFor();
  await page.getByLabel('Organisation or work e-mail').fill('someone@elsewhere.test');
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();
  await page.getByRole('alert').getByText('No organisation signs in with this e-mail domain.').waitFor();
});

test('an unauthenticated visitor is sent to sign-in, signs in at the IdP and lands on the workspaces of the organisation', async () => {
  await signIn(page, env.url, OWNER, { shots: 'owner' });
  // One organisation: the picker opens it directly.
  await page.waitForURL(`${env.url}/console/o/demo`);
  await page.getByRole('heading', { level: 1, name: 'Demo organisation' }).waitFor();
  await page.getByRole('link', { name: 'research' }).waitFor();
  await page.getByRole('row', { name: /demo/ }).first().waitFor();
  await screenshot(page, 'workspaces');
});

test('keyboard: the skip link comes first, focus is visible, navigation works with Enter', async () => {
  await page.goto(`${env.url}/console/o/demo`);
  await page.getByRole('heading', { level: 1, name: 'Demo organisation' }).waitFor();
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ text: document.activeElement?.textContent, outline: getComputedStyle(document.activeElement!).outlineStyle }));
  expect(first.text).toBe('Skip to content');
  expect(first.outline).not.toBe('none');
  // Tab to the "Catalog" navigation link and follow it with Enter.
  for (let i = 0; i < 20; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.textContent === 'Catalog')) break;
  }
  await page.keyboard.press('Enter');
  await page.waitForURL(`${env.url}/console/o/demo/catalog`);
  await page.getByRole('heading', { level: 1, name: 'Catalog endpoints' }).waitFor();
  // The page heading takes focus after a navigation (announced by screen readers).
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
  await page.getByRole('cell', { name: /mock-eu/ }).waitFor();
  await screenshot(page, 'catalog');
});

test('members: grant a role by e-mail, see it listed, withdraw it', async () => {
  await page.goto(`${env.url}/console/o/demo/w/demo/members`);
  await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
  await page.getByLabel('E-mail').fill('dev@demo.test');
  await page.getByLabel('Role', { exact: true }).selectOption('developer');
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await page.getByText('dev@demo.test is now developer.').waitFor();
  await page.getByRole('cell', { name: 'dev@demo.test', exact: true }).waitFor();
  await screenshot(page, 'members');
  page.once('dialog', (d) => { void d.accept(); });
  await page.getByRole('button', { name: 'Withdraw developer from dev@demo.test' }).click();
  await page.getByText('developer withdrawn from dev@demo.test.').waitFor();
  await page.getByRole('cell', { name: 'dev@demo.test', exact: true }).waitFor({ state: 'detached' });
});

test('API keys: created and shown once, it works through the gateway; rotated, the old one stops; revoked, the new one stops', async () => {
  await page.goto(`${env.url}/console/o/demo/w/demo/keys`);
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  await page.getByLabel('Name').fill('console e2e');
  await page.getByLabel('Allowed models').fill('demo-*');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByRole('textbox', { name: 'New key console e2e' });
  await secret.waitFor();
  const key = await secret.inputValue();
  expect(key).toMatch(/^gh_/);
  await screenshot(page, 'api-key-created');
  expect((await chat(key, 'hello from the console test')).status).toBe(200);
  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.getByRole('textbox', { name: 'New key console e2e' }).waitFor({ state: 'detached' });

  page.once('dialog', (d) => { void d.accept(); });
  await page.getByRole('button', { name: 'Rotate console e2e' }).click();
  const rotated = await page.getByRole('textbox', { name: 'Rotated key console e2e' }).inputValue();
  expect(rotated).not.toBe(key);
  expect((await chat(key, 'old key')).status).toBe(401);
  expect((await chat(rotated, 'new key')).status).toBe(200);
  await page.getByRole('button', { name: 'I have saved it' }).click();

  page.once('dialog', (d) => { void d.accept(); });
  await page.getByRole('button', { name: 'Revoke console e2e' }).click();
  await expect(page.getByRole('button', { name: 'Revoke console e2e' }).waitFor({ state: 'detached' })).resolves.toBeUndefined();
  expect((await chat(rotated, 'revoked')).status).toBe(401);
  await page.getByLabel('Show revoked keys').check();
  await page.getByRole('cell', { name: /^revoked/ }).nth(1).waitFor();
  await screenshot(page, 'api-keys');
});

test('spend: charts per period, user and key, and the numbers in a table', async () => {
  expect((await chat(env.stack.apiKey, 'something to spend on')).status).toBe(200);
  await page.goto(`${env.url}/console/o/demo/w/demo/spend`);
  await page.getByRole('heading', { level: 1, name: 'Spend' }).waitFor();
  await page.locator('figure.chart canvas').first().waitFor();
  expect(await page.locator('figure.chart canvas').count()).toBeGreaterThanOrEqual(3);
  await page.getByRole('cell', { name: 'demo key' }).first().waitFor();
  const caption = await page.locator('figure.chart figcaption').nth(2).textContent();
  expect(caption).toMatch(/Spend per key, this month \(USD\) — total \$/);
  await page.getByLabel('Window').selectOption('total');
  await page.getByRole('table').getByText(/all time/).waitFor();
  await screenshot(page, 'spend');
});

test('audit: search with a type filter, page through, verify the chain, export and check the file against its manifest', async () => {
  await page.goto(`${env.url}/console/o/demo/audit`);
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  await page.getByLabel('Event type', { exact: true }).fill('key.*');
  await page.getByLabel('Per page').selectOption('25');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('cell', { name: 'key.revoked' }).first().waitFor();
  const types = await page.locator('tbody td.mono').allTextContents();
  expect(types.length).toBeGreaterThan(0);
  expect(types.every((t) => t.startsWith('key.'))).toBe(true);
  await page.getByRole('button', { name: /Details of event/ }).first().click();
  await page.locator('pre.json').waitFor();
  await screenshot(page, 'audit-search');

  await page.getByRole('button', { name: "Verify this organisation's chain" }).click();
  await page.getByText(/Chain intact/).waitFor();

  await page.getByLabel('Format').selectOption('jsonl');
  await page.getByRole('button', { name: 'Start export' }).click();
  await page.getByText('Export finished.').waitFor({ timeout: 30_000 });
  await expect(page.getByRole('progressbar').getAttribute('value')).resolves.toBe('100');
  await page.getByRole('button', { name: 'Verify file against manifest' }).click();
  await page.getByText(/The file matches its manifest: \d+ events/).waitFor();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /^Download .*\.jsonl$/ }).click();
  expect((await download).suggestedFilename()).toMatch(/\.jsonl$/);
  await screenshot(page, 'audit-export');
});

test('organisation policy: owners edit the defaults every workspace inherits', async () => {
  await page.goto(`${env.url}/console/o/demo/policy`);
  await page.getByRole('heading', { level: 1, name: /Organisation policy/ }).waitFor();
  await page.getByTestId('validation-ok').waitFor();
  await page.getByLabel('input action for AWS_SECRET_KEY').waitFor();
  await page.getByRole('button', { name: 'Save as draft' }).waitFor();
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByRole('heading', { name: 'History' }).waitFor();
  await screenshot(page, 'org-policy');
});

test('signing out ends the session: the console sends the visitor back to sign-in', async () => {
  await page.goto(`${env.url}/console/o/demo`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/console\/login/);
  expect((await page.request.get(`${env.url}/admin/v1/me`)).status()).toBe(401);
  await page.goto(`${env.url}/console/o/demo/w/demo/keys`);
  await page.waitForURL(`${env.url}/console/login?next=${encodeURIComponent('/console/o/demo/w/demo/keys')}`);
});

test('break-glass: a local administrator signs in with user name and password (wrong password explained)', async () => {
  await createLocalAdmin(env.stack.pool, await SecretBox.forInstance(env.stack.pool), { username: 'rescue', password: 'a-long-rescue-password', orgId: env.org.id, totp: false });
  const other = await newContext(browser);
  try {
    const p = await other.newPage();
    const seen = watchProblems(p);
    await p.goto(`${env.url}/console/o/demo/w/demo/spend`);
    await p.waitForURL(/\/console\/login\?next=/);
    await p.getByText('Break-glass administrator').click();
    await p.getByLabel('User name').fill('rescue');
    await p.getByLabel('Password', { exact: true }).fill('wrong-password');
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('alert').getByText('Wrong user name, password or code.').waitFor();
    await p.getByLabel('Password', { exact: true }).fill('a-long-rescue-password');
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Back where the visitor was going.
    await p.waitForURL(`${env.url}/console/o/demo/w/demo/spend`);
    await p.getByText('Signed in as').getByText('break-glass:rescue').waitFor();
    await p.getByRole('heading', { level: 1, name: 'Spend' }).waitFor();
    expect(seen.csp).toEqual([]);
    expect(seen.errors).toEqual([]);
  } finally {
    await other.close();
  }
});
