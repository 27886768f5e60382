import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (no browser download: `.ci/run` installs the
 * `chromium` package when it is missing). The flags keep it from reaching for the network and
 * from hanging on a machine without a display or GPU; playwright gives it a fresh profile.
 */
export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set GATEHOUSE_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Problems the page reported: script errors, CSP violations, failed requests to our own origin. */
export interface PageProblems { errors: string[]; csp: string[] }

export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  // Violations with their source position (the console message alone does not say which code did it).
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`);
    });
  });
  return context;
}

export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], csp: [] };
  page.on('pageerror', (err) => problems.errors.push(err.message));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy/i.test(text)) problems.csp.push(text);
    else if (msg.type() === 'error' && !/Failed to load resource/.test(text)) problems.errors.push(text);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Controls without an accessible name (label, aria-label, aria-labelledby or text). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  // A page whose script loops never answers: fail in seconds rather than at the suite's time limit.
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the page does not respond (a script is busy)')), 10_000); });
  try {
    return await Promise.race([listUnlabelled(page), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

async function listUnlabelled(page: Page): Promise<string[]> {
  return page.locator('input:not([type=hidden]), select, textarea, button, [role=tab], [contenteditable=true]').evaluateAll((els) => els
    .filter((el) => {
      const e = el as HTMLInputElement;
      if (e.labels && e.labels.length > 0) return false;
      if (e.getAttribute('aria-label')?.trim()) return false;
      const by = e.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return false;
      if ((e.tagName === 'BUTTON' || e.getAttribute('role') === 'tab') && e.textContent?.trim()) return false;
      return true;
    })
    .map((el) => el.outerHTML.slice(0, 160)));
}
