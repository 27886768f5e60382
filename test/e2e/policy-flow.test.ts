/**
 * The policy lifecycle in the console, end to end in Chromium: a policy author signs in through
 * the IdP, edits a PII rule, sees the server's validation error inline, fixes it in the form,
 * saves and submits the draft; a second user, the approver, reviews the diff, simulates it,
 * approves and publishes — and a request through the gateway changes behaviour (the e-mail that
 * was tokenized is now blocked). Rolling back from the history restores the previous behaviour.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newContext, screenshot, unlabelledControls, watchProblems, type PageProblems } from './helpers/browser';
import { startConsoleStack, type ConsoleStack } from './helpers/console-stack';
import { signIn } from './helpers/sign-in';

jest.setTimeout(180_000);

const AUTHOR = { email: 'alice@demo.test', password: 'author-pass-1', groups: ['demo-authors'], name: 'Alice Author' };
const APPROVER = { email: 'bob@demo.test', password: 'approver-pass-1', groups: ['demo-approvers'], name: 'Bob Approver' };
const PROMPT = 'Please write to jane.doe@example.com about the invoice.';

let env: ConsoleStack;
let browser: Browser;
const sessions: Array<{ context: BrowserContext; page: Page; problems: PageProblems }> = [];

beforeAll(async () => {
  env = await startConsoleStack([AUTHOR, APPROVER]);
  browser = await launchChromium();
});
afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
  await env?.close();
});
afterEach(async () => {
  for (const s of sessions) {
    expect(s.problems.csp).toEqual([]);
    expect(s.problems.errors).toEqual([]);
    expect(await unlabelledControls(s.page)).toEqual([]);
  }
});

async function browse(): Promise<Page> {
  const context = await newContext(browser);
  const page = await context.newPage();
  sessions.push({ context, page, problems: watchProblems(page) });
  return page;
}

const chat = () => fetch(`${env.url}/v1/chat/completions`, {
  method: 'POST', headers: { authorization: `Bearer ${env.stack.apiKey}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'demo-echo', messages: [{ role: 'user', content: PROMPT }] }),
});

/** Every gateway instance switches on the Redis broadcast; wait for it without assuming how long it takes. */
async function waitForStatus(expected: number): Promise<Response> {
  for (let i = 0; ; i += 1) {
    const res = await chat();
    if (res.status === expected || i >= 50) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let author: Page;
let approver: Page;

test('before: the demo policy tokenizes e-mail addresses, the request goes through', async () => {
  const res = await chat();
  expect(res.status).toBe(200);
  const body = await res.json() as { choices: Array<{ message: { content: string } }> };
  // demo-echo repeats what reached the provider: the address was replaced, and restored in the answer.
  expect(body.choices[0].message.content).toContain('jane.doe@example.com');
});

test('the author edits the PII rule, sees the validation error inline, fixes it in the form, saves and submits', async () => {
  author = await browse();
  await signIn(author, env.url, AUTHOR, { shots: 'author' });
  await author.goto(`${env.url}/console/o/demo/w/demo/policy`);
  await author.getByRole('heading', { level: 1, name: 'Policy of workspace demo' }).waitFor();
  await author.getByTestId('validation-ok').waitFor();
  const emailRule = author.getByLabel('input action for EMAIL_ADDRESS');
  await expect(emailRule.inputValue()).resolves.toBe('tokenize');
  await screenshot(author, 'policy-editor-form');

  // In the JSON editor, a value the schema does not allow.
  await author.getByRole('tab', { name: 'Data (JSON)' }).click();
  const editor = author.getByRole('textbox', { name: 'Policy data (JSON)' });
  await editor.click();
  await author.keyboard.press('Control+a');
  const published = await author.evaluate(() => document.querySelector('.cm-content')?.textContent ?? '');
  expect(published).toContain('"EMAIL_ADDRESS": "tokenize"');
  const edited = JSON.stringify({
    pii: {
      input: { EMAIL_ADDRESS: 'scramble', PHONE_NUMBER: 'tokenize', CREDIT_CARD: 'redact', IBAN_CODE: 'redact', US_SSN: 'redact', PRIVATE_KEY: 'block' },
      output: { CREDIT_CARD: 'redact' },
    },
  }, null, 2);
  await author.keyboard.insertText(edited);
  const errors = author.getByTestId('validation-errors');
  await errors.waitFor();
  await expect(errors.textContent()).resolves.toMatch(/pii\.input\.EMAIL_ADDRESS/);
  // The offending value is underlined in the editor.
  await author.locator('.cm-lintRange-error').first().waitFor();
  await expect(author.locator('.cm-lintRange-error').first().textContent()).resolves.toMatch(/EMAIL_ADDRESS|scramble/);
  await expect(author.getByRole('button', { name: 'Save as draft' }).isEnabled()).resolves.toBe(true);
  await screenshot(author, 'policy-validation-error');

  // The form shows the same error next to the rule; choosing "block" fixes it.
  await author.getByRole('tab', { name: 'Form' }).click();
  await expect(emailRule.getAttribute('aria-invalid')).resolves.toBe('true');
  await emailRule.selectOption('block');
  await author.getByTestId('validation-ok').waitFor();
  await expect(emailRule.getAttribute('aria-invalid')).resolves.toBeNull();

  // The change, before saving.
  await author.getByRole('tab', { name: 'Changes' }).click();
  await author.getByRole('cell', { name: 'pii.input.EMAIL_ADDRESS' }).waitFor();
  await expect(author.locator('.diff-table tbody tr').count()).resolves.toBe(1);

  await author.getByLabel('Note for the reviewers').fill('Block e-mail addresses in prompts');
  await author.getByRole('button', { name: 'Save as draft' }).click();
  await author.getByText(/Draft #\d+ saved/).waitFor();
  await author.getByRole('heading', { name: /Draft #\d+ draft/ }).waitFor();
  await author.getByRole('button', { name: 'Submit for review' }).click();
  await author.getByText(/Draft #\d+ submitted for review/).waitFor();
  await author.getByRole('heading', { name: /Draft #\d+ submitted/ }).waitFor();
  // An author cannot approve or publish.
  await expect(author.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
  await expect(author.getByRole('button', { name: 'Publish' }).count()).resolves.toBe(0);
  await screenshot(author, 'policy-submitted');
});

test('the approver reviews the diff, simulates, approves and publishes; the gateway blocks the e-mail', async () => {
  approver = await browse();
  await signIn(approver, env.url, APPROVER, { shots: 'approver' });
  await approver.goto(`${env.url}/console/o/demo/w/demo/policy`);
  await approver.getByRole('tab', { name: /Drafts and review \(1\)/ }).click();
  await approver.getByRole('button', { name: /Open draft #\d+/ }).click();
  await approver.getByRole('heading', { name: /Draft #\d+ submitted/ }).waitFor();
  const change = approver.getByRole('row', { name: /pii\.input\.EMAIL_ADDRESS/ });
  await expect(change.textContent()).resolves.toMatch(/changed.*"tokenize".*"block"/);
  // The approver cannot edit (no "Save as draft" in the editor) but can simulate.
  await approver.getByText('Simulate this draft').click();
  await approver.getByLabel('Replay the last N requests').fill('20');
  await approver.getByLabel('Sample request message').fill(PROMPT);
  await approver.getByRole('button', { name: 'Run simulation' }).click();
  const summary = approver.getByTestId('simulation-summary');
  await summary.waitFor();
  await expect(summary.textContent()).resolves.toMatch(/^[1-9]\d* of \d+ decisions would change/);
  await approver.getByRole('row', { name: /sample/ }).locator('strong.deny').waitFor();
  await screenshot(approver, 'policy-review-simulation');

  await approver.getByLabel('Review comment').fill('Agreed: no e-mail addresses leave the building.');
  await approver.getByRole('button', { name: 'Approve' }).click();
  await approver.getByRole('heading', { name: /Draft #\d+ approved/ }).waitFor();
  await approver.getByRole('button', { name: 'Publish' }).click();
  await approver.getByText(/Published as version (\d+)/).waitFor();
  await screenshot(approver, 'policy-published');

  const after = await waitForStatus(403);
  expect(after.status).toBe(403);
  const body = await after.json() as { error: { message: string } };
  expect(JSON.stringify(body)).toMatch(/EMAIL_ADDRESS|block/i);
});

test('the history lists the new version; rolling back restores tokenization at the gateway', async () => {
  await approver.getByRole('tab', { name: 'History' }).click();
  await approver.getByRole('cell', { name: /\(in force\)/ }).waitFor();
  const rows = approver.locator('table tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(2);
  await screenshot(approver, 'policy-history');
  approver.once('dialog', (d) => { void d.accept(); });
  await approver.getByRole('button', { name: /^Roll back to version \d+$/ }).first().click();
  await approver.getByText(/Rolled back: version \d+ \(a copy of \d+\) is in force/).waitFor();
  expect((await waitForStatus(200)).status).toBe(200);
});

test('Rego modules: highlighted, a syntax error is marked at its line, the fixed module is saved as a draft with its diff', async () => {
  await author.goto(`${env.url}/console/o/demo/w/demo/policy`);
  await author.getByTestId('validation-ok').waitFor();
  await author.getByRole('tab', { name: 'Rego modules (0)' }).click();
  await author.getByLabel('New module file').fill('preview.rego');
  await author.getByRole('button', { name: 'Add module' }).click();
  const editor = author.getByRole('textbox', { name: 'Rego module preview.rego' });
  await editor.waitFor();
  // codemirror-rego's tokens are styled: the keyword `package` sits in a highlighted span.
  const keyword = author.locator('.cm-content span', { hasText: /^package$/ }).first();
  await expect(keyword.getAttribute('class')).resolves.toMatch(/\S/);
  expect(await author.locator('.cm-content span', { hasText: /^package$/ }).first().evaluate((el) => getComputedStyle(el).color))
    .not.toBe(await author.locator('.cm-content').evaluate((el) => getComputedStyle(el).color));

  await editor.click();
  await author.keyboard.press('Control+a');
  // Cleared first: typing over a selection that starts in a highlighted token makes Chromium wrap
  // the new text in a <span style=…> (its "typing style"), which the CSP refuses and CodeMirror redraws anyway.
  await author.keyboard.press('Delete');
  await author.keyboard.insertText([
    'package gateway.custom.demo', '', 'import rego.v1', '',
    'deny contains {"code": "no_preview_models", "message": "preview models are not allowed"} if {',
    '  endswith(input.request.model, "-preview"',
    '}', '',
  ].join('\n'));
  const errors = author.getByTestId('validation-errors');
  await errors.waitFor();
  await expect(errors.textContent()).resolves.toMatch(/preview\.rego:[67]/);
  await author.locator('.cm-lintRange-error').first().waitFor();
  await screenshot(author, 'policy-rego-error');

  // Fix the missing parenthesis.
  await author.keyboard.press('Control+End');
  await author.keyboard.press('ArrowUp');
  await author.keyboard.press('ArrowUp');
  await author.keyboard.press('End');
  await author.keyboard.insertText(')');
  await author.getByTestId('validation-ok').waitFor();
  await author.getByRole('tab', { name: 'Changes' }).click();
  await author.getByRole('heading', { name: 'preview.rego' }).waitFor();
  await author.locator('.merge .cm-mergeView, .merge .cm-merge-b, .merge').first().waitFor();
  await screenshot(author, 'policy-rego-diff');

  await author.getByLabel('Note for the reviewers').fill('No preview models');
  await author.getByRole('button', { name: 'Save as draft' }).click();
  await author.getByRole('heading', { name: /Draft #\d+ draft/ }).waitFor();
  await author.getByRole('heading', { name: /preview\.rego added/ }).waitFor();
  await expect(author.locator('pre.unified .ins').count()).resolves.toBeGreaterThan(3);
  await screenshot(author, 'policy-draft-with-module');
});
