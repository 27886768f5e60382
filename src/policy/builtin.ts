import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PolicyModule } from './engine';

/** The built-in policy (policies/): Rego modules, their tests and the baseline organisation data. */
export const DEFAULT_POLICY_DIR = path.resolve(__dirname, '..', '..', 'policies');
export const DECISION_ENTRYPOINT = 'gateway/decision';

const isTest = (name: string): boolean => name.endsWith('_test.rego');

function walkRego(dir: string, keep: (name: string) => boolean): PolicyModule[] {
  const out: PolicyModule[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.rego') && keep(name)) out.push({ path: path.relative(dir, full), source: readFileSync(full, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/** The policy's .rego files (tests excluded), read once at start. */
export function loadPolicyModules(dir: string = DEFAULT_POLICY_DIR): PolicyModule[] {
  const out = walkRego(dir, (n) => !isTest(n));
  if (out.length === 0) throw new Error(`no Rego policy found in ${dir}`);
  return out;
}

/** The built-in policy's own tests (`*_test.rego`); run against every draft before it is saved. */
export function loadPolicyTests(dir: string = DEFAULT_POLICY_DIR): PolicyModule[] {
  return walkRego(dir, isTest);
}

/** Baseline organisation data used until an organisation writes its own (secrets redacted). */
export function loadDefaultOrgData(dir: string = DEFAULT_POLICY_DIR): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, 'defaults', 'org.json'), 'utf8')) as Record<string, unknown>;
}
