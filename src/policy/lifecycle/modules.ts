/**
 * Checks on a scope's custom Rego modules before anything is compiled: safe file names, sizes,
 * syntax (with line and column) and the package. A custom module may only define rules in its own
 * package `gateway.custom.<name>` (rule heads are package-relative, so it cannot redefine
 * data.gateway.decision or another scope's rules); tests may also use `gateway.custom.<name>_test`.
 */
import type { PolicyModule } from '../engine';
import { parseModule, ParseError } from '../rego';
import type { Issue } from './types';
import { isTestModule } from './types';

export const MODULE_LIMITS = { maxModules: 50, maxModuleBytes: 256 * 1024, maxTotalBytes: 1024 * 1024 } as const;
const PATH_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\.rego$/;

/** Problems with the module set itself and each module's syntax and package; empty when all are fine. */
export function checkModules(modules: readonly PolicyModule[], packageName: string): Issue[] {
  const issues: Issue[] = [];
  if (modules.length > MODULE_LIMITS.maxModules) {
    issues.push({ kind: 'schema', code: 'too_many_modules', path: 'modules', message: `at most ${MODULE_LIMITS.maxModules} Rego files per policy` });
  }
  let total = 0;
  const seen = new Set<string>();
  for (const m of modules) {
    const bytes = Buffer.byteLength(m.source, 'utf8');
    total += bytes;
    if (!PATH_RE.test(m.path) || m.path.length > 200 || m.path.split('/').some((s) => s === '..' || s === '.')) {
      issues.push({ kind: 'schema', code: 'invalid_module_path', file: m.path, message: 'a module path is a relative name like "rules/deny.rego" (letters, digits, ".", "_", "-")' });
      continue;
    }
    if (seen.has(m.path)) issues.push({ kind: 'schema', code: 'duplicate_module', file: m.path, message: `${m.path} is given more than once` });
    seen.add(m.path);
    if (bytes > MODULE_LIMITS.maxModuleBytes) {
      issues.push({ kind: 'schema', code: 'module_too_large', file: m.path, message: `${m.path} is larger than ${MODULE_LIMITS.maxModuleBytes} bytes` });
      continue;
    }
    issues.push(...checkModule(m, packageName));
  }
  if (total > MODULE_LIMITS.maxTotalBytes) {
    issues.push({ kind: 'schema', code: 'modules_too_large', path: 'modules', message: `the Rego files together exceed ${MODULE_LIMITS.maxTotalBytes} bytes` });
  }
  return issues;
}

function checkModule(m: PolicyModule, packageName: string): Issue[] {
  let parsed;
  try {
    parsed = parseModule(m.path, m.source, { regoVersion: 'v1' });
  } catch (err) {
    if (err instanceof ParseError) return [{ kind: 'parse', code: 'rego_parse_error', file: m.path, line: err.line, col: err.col, message: err.detail }];
    throw err;
  }
  const want = ['gateway', 'custom', packageName];
  const pkg = parsed.pkg;
  const own = pkg.length === 3 && pkg.every((s, i) => s === want[i]);
  const testPkg = isTestModule(m.path) && pkg.length === 3 && pkg[0] === 'gateway' && pkg[1] === 'custom' && pkg[2] === `${packageName}_test`;
  if (own || testPkg) return [];
  const loc = parsed.rules[0]?.loc;
  return [{
    kind: 'constraint', code: 'package_not_allowed', file: m.path, line: lineOfPackage(m.source) ?? loc?.line ?? 1, col: 1,
    message: `package ${pkg.join('.')} is not allowed here: custom rules live in package gateway.custom.${packageName}` +
      (isTestModule(m.path) ? ` (tests: gateway.custom.${packageName} or gateway.custom.${packageName}_test)` : ''),
  }];
}

function lineOfPackage(source: string): number | null {
  const lines = source.split('\n');
  const i = lines.findIndex((l) => /^\s*package\s/.test(l));
  return i < 0 ? null : i + 1;
}
