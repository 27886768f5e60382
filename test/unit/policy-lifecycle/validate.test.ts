import { loadPolicyModules, loadPolicyTests, loadDefaultOrgData, readDecision } from '../../../src/policy';
import { compileScopePolicy, importBundle, sampleInput, validateDraft, type PolicyContent, type Validation } from '../../../src/policy/lifecycle';
import { wasmBundle } from './fixtures';

const builtin = loadPolicyModules();
const builtinTests = loadPolicyTests();
const orgDefaults = loadDefaultOrgData();

const validate = (content: Partial<PolicyContent>, opts: { slug?: string | null; org?: Record<string, unknown>; orgModules?: PolicyContent['modules'] } = {}): Promise<Validation> =>
  validateDraft({
    workspaceSlug: opts.slug === undefined ? 'pay-ments' : opts.slug,
    content: { data: {}, modules: [], wasm: null, ...content },
    orgInForce: { data: opts.org ?? orgDefaults, modules: opts.orgModules ?? [] },
    builtin, builtinTests,
  });

const CUSTOM = `package gateway.custom.pay_ments

import rego.v1

deny contains "echo is not for payments" if input.request.model == "demo-echo"

deny contains {"code": "too_long", "message": "keep it short"} if input.request.max_tokens > 100
`;

test('valid data and custom Rego pass, and the built-in tests ran against the draft', async () => {
  const v = await validate({ data: { pii: { input: { EMAIL_ADDRESS: 'block' } } }, modules: [{ path: 'deny.rego', source: CUSTOM }] });
  expect(v.errors).toEqual([]);
  expect(v.ok).toBe(true);
  expect(v.tests.failed).toBe(0);
  expect(v.tests.passed).toBeGreaterThan(10);
  expect(v.tests.results.every((r) => r.package === 'gateway_test')).toBe(true);
});

test('schema errors name the JSON path; unknown entity types are warnings', async () => {
  const v = await validate({ data: { pii: { input: { EMAIL_ADDRESS: 'shred', CUSTOM_THING: 'block' } }, limits: { max_tokens: -1 } } });
  expect(v.ok).toBe(false);
  expect(v.errors).toEqual(expect.arrayContaining([
    expect.objectContaining({ kind: 'schema', path: 'pii.input.EMAIL_ADDRESS' }),
    expect.objectContaining({ kind: 'schema', path: 'limits.max_tokens' }),
  ]));
  const ok = await validate({ data: { pii: { input: { CUSTOM_THING: 'block' } } } });
  expect(ok.ok).toBe(true);
  expect(ok.warnings).toEqual([expect.objectContaining({ kind: 'schema', code: 'unknown_entity_type', message: expect.stringContaining('CUSTOM_THING') })]);
});

test('a Rego parse error reports file, line and column', async () => {
  const source = 'package gateway.custom.pay_ments\n\nimport rego.v1\n\ndeny contains "x" if {\n  input.request.model ==\n}\n';
  const v = await validate({ modules: [{ path: 'rules/broken.rego', source }] });
  expect(v.ok).toBe(false);
  expect(v.errors[0]).toMatchObject({ kind: 'parse', file: 'rules/broken.rego', line: 7, code: 'rego_parse_error' });
  expect(v.errors[0].col).toEqual(expect.any(Number));
});

test('compile errors (unsafe variables) carry the author\'s file name and position', async () => {
  const source = 'package gateway.custom.pay_ments\n\nimport rego.v1\n\ndeny contains msg if {\n  x > 1\n}\n';
  const v = await validate({ modules: [{ path: 'unsafe.rego', source }] });
  expect(v.ok).toBe(false);
  expect(v.errors[0]).toMatchObject({ kind: 'compile', file: 'unsafe.rego', line: expect.any(Number) });
});

test('a module outside gateway.custom.<workspace> is a constraint error (cannot touch the built-in decision)', async () => {
  for (const pkg of ['gateway', 'gateway.custom.other_ws', 'gateway.custom.pay_ments.sub', 'evil']) {
    const source = `package ${pkg}\n\nimport rego.v1\n\ndecision := {"allow": true}\n`;
    const v = await validate({ modules: [{ path: 'takeover.rego', source }] });
    expect(v.errors).toEqual([expect.objectContaining({ kind: 'constraint', code: 'package_not_allowed', file: 'takeover.rego', line: 1 })]);
  }
  const org = await validate({ modules: [{ path: 'org.rego', source: 'package gateway.custom.org\n\nimport rego.v1\n\ndeny contains "x" if false\n' }] }, { slug: null });
  expect(org.ok).toBe(true);
  const bad = await validate({ modules: [{ path: '../escape.rego', source: 'package gateway.custom.pay_ments\n' }] });
  expect(bad.errors).toEqual([expect.objectContaining({ kind: 'schema', code: 'invalid_module_path' })]);
});

test("the workspace's *_test.rego run against the draft; a failing test is an error naming it", async () => {
  const tests = `package gateway.custom.pay_ments_test

import rego.v1

import data.gateway.custom.pay_ments

test_echo_denied if {
  "echo is not for payments" in pay_ments.deny with input as {"request": {"model": "demo-echo"}}
}

test_chat_denied_too if {
  "echo is not for payments" in pay_ments.deny with input as {"request": {"model": "demo-chat"}}
}
`;
  const v = await validate({ modules: [{ path: 'deny.rego', source: CUSTOM }, { path: 'deny_test.rego', source: tests }] });
  expect(v.ok).toBe(false);
  expect(v.errors).toEqual([expect.objectContaining({ kind: 'test', code: 'test_failed', file: 'deny_test.rego', message: expect.stringContaining('test_chat_denied_too') })]);
  expect(v.tests.results).toEqual(expect.arrayContaining([
    { name: 'data.gateway.custom.pay_ments_test.test_echo_denied', package: 'gateway.custom.pay_ments_test', pass: true },
    expect.objectContaining({ name: 'data.gateway.custom.pay_ments_test.test_chat_denied_too', pass: false }),
  ]));
});

test('loosening the organisation is reported with the path', async () => {
  const org = { providers: { require_zdr: true }, pii: { input: { EMAIL_ADDRESS: 'redact' } } };
  const v = await validate({ data: { providers: { require_zdr: false }, pii: { input: { EMAIL_ADDRESS: 'mask' } } } }, { org });
  expect(v.ok).toBe(false);
  expect(v.errors.map((e) => [e.kind, e.path])).toEqual([['constraint', 'providers.require_zdr'], ['constraint', 'pii.input.EMAIL_ADDRESS']]);
  // The organisation's own draft is not checked against itself.
  expect((await validate({ data: { providers: { require_zdr: false } } }, { slug: null, org })).ok).toBe(true);
});

test('custom deny rules join the decision with strings normalised to code custom_policy', async () => {
  const policy = await compileScopePolicy({ builtin, org: { data: orgDefaults }, workspace: { data: {}, modules: [{ path: 'deny.rego', source: CUSTOM }] } });
  const echo = readDecision(policy.evaluate('gateway/decision', sampleInput('demo-echo')));
  expect(echo.allow).toBe(false);
  expect(echo.deny).toEqual([{ code: 'custom_policy', message: 'echo is not for payments', rule: 'custom.pay_ments' }]);
  const long = sampleInput('demo-chat');
  long.request.max_tokens = 500;
  expect(readDecision(policy.evaluate('gateway/decision', long)).deny).toEqual([{ code: 'too_long', message: 'keep it short', rule: 'custom.pay_ments' }]);
  expect(readDecision(policy.evaluate('gateway/decision', sampleInput('demo-chat'))).allow).toBe(true);
  // Test files never reach the live policy.
  const withTest = await compileScopePolicy({ builtin, org: { data: orgDefaults }, workspace: { data: {}, modules: [{ path: 'x_test.rego', source: 'package gateway.custom.pay_ments\n\nimport rego.v1\n\ndeny contains "t" if true\n' }] } });
  expect(readDecision(withTest.evaluate('gateway/decision', sampleInput('demo-echo'))).allow).toBe(true);
});

test('organisation and workspace custom rules both apply', async () => {
  const orgRule = { path: 'org.rego', source: 'package gateway.custom.org\n\nimport rego.v1\n\ndeny contains {"code": "org_rule", "message": "no gpt"} if startswith(input.request.model, "gpt")\n' };
  const policy = await compileScopePolicy({ builtin, org: { data: {}, modules: [orgRule] }, workspace: { data: {}, modules: [{ path: 'deny.rego', source: CUSTOM }] } });
  expect(readDecision(policy.evaluate('gateway/decision', sampleInput('gpt-4o'))).deny.map((d) => d.code)).toEqual(['org_rule']);
  expect(readDecision(policy.evaluate('gateway/decision', sampleInput('demo-echo'))).deny.map((d) => d.code)).toEqual(['custom_policy']);
});

test('a wasm policy must provide gateway/decision; it is evaluated on a sample and Rego tests are skipped', async () => {
  const imported = await importBundle(await wasmBundle({}, ['demo-chat']));
  if (!imported.ok) throw new Error('import failed');
  const v = await validate(imported.content);
  expect(v.errors).toEqual([]);
  expect(v.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['tests_skipped', 'no_endpoint_allowed']));
  const atOrg = await validate(imported.content, { slug: null });
  expect(atOrg.errors).toEqual([expect.objectContaining({ kind: 'bundle', code: 'wasm_not_allowed' })]);
  const notWasm = await validate({ wasm: Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]) });
  expect(notWasm.ok).toBe(false);
  expect(notWasm.errors[0]).toMatchObject({ kind: 'bundle' });
});
