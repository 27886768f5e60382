import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPaths, runRegoTests } from '../../../src/policy/rego';

describe('opa-test-style runner', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rego-test-'));
    fs.mkdirSync(path.join(dir, 'limits'));
    fs.writeFileSync(path.join(dir, 'policy.rego'), 'package app\nimport rego.v1\nallow if input.user == "alice"\nmax := data.limits.max\n');
    fs.writeFileSync(path.join(dir, 'limits', 'data.json'), JSON.stringify({ max: 3 }));
    fs.writeFileSync(path.join(dir, 'policy_test.rego'), `package app_test
import rego.v1
import data.app
test_alice_allowed if app.allow with input as {"user": "alice"}
test_bob_denied if not app.allow with input as {"user": "bob"}
test_wrong if app.allow with input as {"user": "bob"}
test_error if { print("about to fail"); x := 1 / 0; x > 0 }
test_data if app.max == 3
`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads modules and data.json at their directory path, and reports pass / fail / error per test', () => {
    const { modules, data } = loadPaths([dir]);
    expect(modules).toHaveLength(2);
    const report = runRegoTests(modules, data, { strictBuiltinErrors: true });
    const status = Object.fromEntries(report.results.map((r) => [r.name, r.status]));
    expect(status).toEqual({
      'data.app_test.test_alice_allowed': 'pass',
      'data.app_test.test_bob_denied': 'pass',
      'data.app_test.test_wrong': 'fail',
      'data.app_test.test_error': 'error',
      'data.app_test.test_data': 'pass',
    });
    const err = report.results.find((r) => r.status === 'error')!;
    expect(err.error).toMatch(/divide by zero/);
    expect(err.output).toEqual(['about to fail']);
    expect([report.passed, report.failed, report.errored]).toEqual([3, 1, 1]);
  });
});
