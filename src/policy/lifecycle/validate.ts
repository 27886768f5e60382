/**
 * Validation on save: schema, custom Rego (parse/compile errors with file, line and column), the
 * scope's `*_test.rego` files and the built-in policy tests run against the draft, organisation
 * constraints ("tighten, never loosen"), and for a wasm policy its `gateway/decision` entrypoint
 * evaluated on a sample request. Nothing is stored here; the result is the contract's Validation.
 */
import { PolicyCompileError, PolicyEvalError, type PolicyError, type PolicyModule, type PreparedPolicy } from '../engine';
import { DecisionShapeError, readDecision } from '../decision';
import { DECISION_ENTRYPOINT } from '../builtin';
import type { PolicyInput } from '../input';
import { PolicyDataError, unknownEntityTypes, validatePolicyData, type PolicyData } from '../policy-data';
import { runRegoTests } from '../rego';
import { capsFromPolicyData } from '../../spend';
import { compileScopePolicy, customPackagesOf, decisionData, liveCustomModules, CUSTOM_PREFIX, type ScopeLevel } from './compile';
import { checkOrgConstraints } from './constraints';
import { checkModules } from './modules';
import { isTestModule, type Issue, type PolicyContent, type TestResult, type Validation } from './types';

export interface ValidateInput {
  /** null for the organisation's defaults. */
  workspaceSlug: string | null;
  content: PolicyContent;
  /** The organisation level in force (for a workspace draft: constraints and compilation with its custom rules). */
  orgInForce: { data: Record<string, unknown>; modules: PolicyModule[] };
  builtin: readonly PolicyModule[];
  builtinTests: readonly PolicyModule[];
}

/** A request as the gateway would describe it, with one endpoint of each common shape. */
export function sampleInput(model = 'demo-chat'): PolicyInput {
  const candidate = (id: string, jurisdiction: string, region: string, zdr: boolean, priority: number) => ({
    id, provider: 'openai', jurisdiction, data_regions: [region], zero_data_retention: zdr, trains_on_data: false, retention_days: zdr ? 0 : 30,
    certifications: [], priority, price: { input: 1, output: 2 },
  });
  return {
    principal: { org: 'sample', workspace: 'sample', key_id: 'sample', user_id: null, roles: [], groups: [] },
    request: { endpoint: 'chat.completions', model, stream: false, max_tokens: null, headers: {} },
    pii: { input: {} },
    candidates: [candidate('sample-eu', 'DE', 'eu', true, 10), candidate('sample-us', 'US', 'us', false, 20)],
    spend: {},
    time: { now_ns: Date.now() * 1e6 },
  };
}

const PARSE_CODES = new Set(['rego_parse_error']);

/** Compile/bundle errors as issues, with custom-module paths shown as the author wrote them. */
export function issuesFromErrors(errors: readonly PolicyError[], kind: 'compile' | 'bundle'): Issue[] {
  return errors.map((e) => {
    const issue: Issue = { kind: PARSE_CODES.has(e.code) ? 'parse' : kind, code: e.code, message: e.message };
    if (e.file !== undefined) issue.file = stripPrefix(e.file);
    if (e.line !== undefined) issue.line = e.line;
    if (e.col !== undefined) issue.col = e.col;
    return issue;
  });
}

function stripPrefix(file: string): string {
  for (const p of [CUSTOM_PREFIX.workspace, CUSTOM_PREFIX.org, 'custom/tests/']) if (file.startsWith(p)) return file.slice(p.length);
  return file;
}

export async function validateDraft(input: ValidateInput): Promise<Validation> {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const tests: Validation['tests'] = { passed: 0, failed: 0, results: [] };
  const done = (): Validation => ({ ok: errors.length === 0, errors, warnings, tests });
  const { content } = input;
  const isOrg = input.workspaceSlug === null;

  let data: PolicyData | null = null;
  try {
    data = validatePolicyData(content.data);
    capsFromPolicyData(data.spend);
  } catch (err) {
    if (err instanceof PolicyDataError) errors.push(...err.issues.map((i): Issue => ({ kind: 'schema', path: i.path, message: i.message })));
    else errors.push({ kind: 'schema', path: 'spend', message: (err as Error).message });
  }
  if (data) {
    for (const t of unknownEntityTypes(data)) warnings.push({ kind: 'schema', code: 'unknown_entity_type', path: `pii.*.${t}`, message: `no recognizer produces entity type ${t}` });
    if (!isOrg) errors.push(...checkOrgConstraints(data, input.orgInForce.data));
  }
  const packageName = isOrg ? 'org' : input.workspaceSlug!.replace(/-/g, '_');
  if (!isOrg && packageName === 'org') errors.push({ kind: 'constraint', code: 'package_not_allowed', message: 'a workspace named "org" cannot have custom Rego (the name is the organisation\'s package)' });
  errors.push(...checkModules(content.modules, packageName));

  if (content.wasm) {
    if (isOrg) errors.push({ kind: 'bundle', code: 'wasm_not_allowed', message: 'a wasm policy replaces the decision of one workspace; organisation defaults are data and Rego only' });
    if (content.modules.some((m) => !isTestModule(m.path))) {
      errors.push({ kind: 'bundle', code: 'wasm_with_rego', message: 'a wasm policy replaces the Rego decision: custom Rego modules would never run (ship them inside the wasm build)' });
    }
  }
  // Compiling needs well-formed parts; stop at the first layer that fails.
  if (errors.length > 0) return done();

  const org: ScopeLevel = { data: input.orgInForce.data, modules: input.orgInForce.modules };
  const level: ScopeLevel = { data: content.data, modules: content.modules, wasm: content.wasm };
  const scope = isOrg ? { org: level, workspace: null } : { org, workspace: level };
  let policy: PreparedPolicy;
  try {
    policy = await compileScopePolicy({ builtin: input.builtin, ...scope });
  } catch (err) {
    if (err instanceof PolicyCompileError) errors.push(...issuesFromErrors(err.errors, content.wasm ? 'bundle' : 'compile'));
    else throw err;
    return done();
  }
  checkSample(policy, !!content.wasm, errors, warnings);
  if (content.wasm) {
    warnings.push({ kind: 'test', code: 'tests_skipped', message: 'Rego tests are not run against a wasm policy (run them where the bundle is built)' });
    return done();
  }
  runTests(input, scope, tests, errors);
  return done();
}

/** The decision on a sample request: must evaluate and have the decision's shape. */
function checkSample(policy: PreparedPolicy, wasm: boolean, errors: Issue[], warnings: Issue[]): void {
  try {
    const decision = readDecision(policy.evaluate(DECISION_ENTRYPOINT, sampleInput()));
    if (decision.allowedEndpoints.length === 0) {
      warnings.push({ kind: wasm ? 'bundle' : 'compile', code: 'no_endpoint_allowed', message: 'on a sample request (model demo-chat, an EU and a US endpoint) the decision allows no endpoint' });
    }
  } catch (err) {
    const kind = wasm ? 'bundle' : 'compile';
    if (err instanceof DecisionShapeError) errors.push({ kind, code: 'decision_shape', message: `data.gateway.decision on a sample request: ${err.message}` });
    else if (err instanceof PolicyEvalError) errors.push(...issuesFromErrors(err.errors, kind).map((i) => ({ ...i, message: `evaluating a sample request: ${i.message}` })));
    else throw err;
  }
}

function runTests(input: ValidateInput, scope: { org: ScopeLevel; workspace: ScopeLevel | null }, tests: Validation['tests'], errors: Issue[]): void {
  const custom = liveCustomModules(scope);
  const own = input.content.modules.filter((m) => isTestModule(m.path)).map((m) => ({ path: `custom/tests/${m.path}`, source: m.source }));
  const modules = [...input.builtin, ...custom, ...input.builtinTests, ...own];
  let report;
  try {
    report = runRegoTests(modules, decisionData(scope, customPackagesOf(custom)), { regoVersion: 'v1', limits: { maxSteps: 5_000_000, timeoutMs: 5_000 } });
  } catch (err) {
    if (err instanceof PolicyCompileError) errors.push(...issuesFromErrors(err.errors, 'compile'));
    else throw err;
    return;
  }
  for (const r of report.results) {
    const pkg = r.name.replace(/\.[^.]+$/, '').replace(/^data\./, '');
    const result: TestResult = { name: r.name, package: pkg, pass: r.status === 'pass' };
    if (r.status !== 'pass') {
      result.message = r.status === 'error' ? `error: ${r.error ?? 'evaluation failed'}` : 'failed';
      errors.push({ kind: 'test', code: r.status === 'error' ? 'test_error' : 'test_failed', file: stripPrefix(r.file), line: r.line, message: `${r.name} ${result.message}` });
    }
    tests.results.push(result);
  }
  tests.passed = report.passed;
  tests.failed = report.failed + report.errored;
}
