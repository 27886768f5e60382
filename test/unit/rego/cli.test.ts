import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerRegoCommands } from '../../../src/cli/commands/rego';

/** Runs `gatehouse rego ...` in process and captures its output and exit code. */
async function cli(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command().exitOverride();
  registerRegoCommands(program);
  let out = '';
  let err = '';
  const w1 = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const w2 = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'gatehouse', ...args]);
  } finally {
    w1.mockRestore();
    w2.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out, err, code };
}

describe('gatehouse rego CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rego-cli-'));
    fs.writeFileSync(path.join(dir, 'p.rego'), 'package p\nimport rego.v1\nallow if input.user == "alice"\nlimit := data.max\n');
    fs.writeFileSync(path.join(dir, 'data.json'), JSON.stringify({ max: 9 }));
    fs.writeFileSync(path.join(dir, 'input.json'), JSON.stringify({ user: 'alice' }));
    fs.writeFileSync(path.join(dir, 'p_test.rego'), 'package p_test\nimport rego.v1\ntest_ok if data.p.allow with input as {"user": "alice"}\ntest_bad if data.p.allow with input as {"user": "bob"}\n');
    fs.mkdirSync(path.join(dir, 'cases'));
    fs.writeFileSync(path.join(dir, 'cases', 'c.yaml'), [
      'cases:',
      '  - note: passes',
      '    modules: ["package t\\nx = 1"]',
      '    query: data.t.x',
      '    want_result: 1',
      '  - note: fails',
      '    modules: ["package t\\nx = 1"]',
      '    query: data.t.x',
      '    want_result: 2',
      '  - note: skipped',
      '    skip: true',
    ].join('\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('eval prints results with bindings, like opa eval', async () => {
    const r = await cli(['rego', 'eval', '-d', dir, '-i', path.join(dir, 'input.json'), 'x := data.p.limit; data.p.allow']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ result: [{ expressions: [{ value: true }, { value: true }], bindings: { x: 9 } }] });
  });

  it('eval reports parse errors with a location and a non-zero exit code', async () => {
    const r = await cli(['rego', 'eval', 'x := [1,']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/query:1:\d+: rego_parse_error/);
  });

  it('test reports failures and exits non-zero', async () => {
    const r = await cli(['rego', 'test', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/data\.p_test\.test_bad: FAIL/);
    expect(r.out).toMatch(/PASS: 1\/2/);
    expect(r.out).toMatch(/FAIL: 1\/2/);
  });

  it('conformance prints each failing case and the summary line, and writes a JSON report', async () => {
    const report = path.join(dir, 'report.json');
    const r = await cli(['rego', 'conformance', path.join(dir, 'cases'), '--json', report]);
    expect(r.out).toMatch(/FAIL c\.yaml: fails/);
    expect(r.out).toMatch(/expected: \[2\]/);
    expect(r.out.trim().split('\n').pop()).toBe('passed 1, failed 1, skipped 1');
    expect(r.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toMatchObject({ passed: 1, failed: 1, skipped: 1, total: 3 });
  });
});
