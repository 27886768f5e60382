/** `gatehouse rego eval|test|conformance`: the Rego engine from the command line (like `opa eval` / `opa test`). */
import * as fs from 'node:fs';
import { Command } from 'commander';
import { PolicyCompileError, PolicyEvalError } from '../../policy/engine';
import { RegoProgram, toJSON } from '../../policy/rego';
import { runConformance } from '../../policy/rego/conformance';
import { LoadError, loadPaths } from '../../policy/rego/loader';
import { runRegoTests } from '../../policy/rego/tester';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function fail(message: string, code = 1): void {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exitCode = code;
}

function readInput(file: string | undefined): unknown {
  if (!file) return undefined;
  const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LoadError(`${file}: invalid JSON input: ${(e as Error).message}`);
  }
}

function handle(e: unknown): void {
  if (e instanceof PolicyCompileError || e instanceof PolicyEvalError || e instanceof LoadError) fail(e.message);
  else throw e;
}

export function registerRegoCommands(program: Command): void {
  const rego = program.command('rego').description('evaluate, test and measure Rego policies with the built-in engine');

  rego
    .command('eval')
    .description('evaluate a Rego query (like `opa eval`)')
    .argument('<query>', 'e.g. data.gateway.decision or "x := data.a.b; x > 1"')
    .option('-d, --data <path>', '.rego / data.json file or directory (repeatable)', collect, [] as string[])
    .option('-i, --input <file>', 'input JSON document ("-" for stdin)')
    .option('--v0', 'parse modules as Rego v0 (unless they import rego.v1)')
    .option('--strict-builtin-errors', 'builtin errors fail the evaluation')
    .option('--timeout <ms>', 'evaluation time limit in ms', '5000')
    .action((query: string, o: { data: string[]; input?: string; v0?: boolean; strictBuiltinErrors?: boolean; timeout: string }) => {
      try {
        const { modules, data } = loadPaths(o.data);
        const prog = new RegoProgram(modules, data, {
          regoVersion: o.v0 ? 'v0' : 'v1',
          strictBuiltinErrors: o.strictBuiltinErrors ?? false,
          limits: { timeoutMs: Number(o.timeout) || 5000, maxSteps: 100_000_000 },
          print: (m) => process.stderr.write(m + '\n'),
        });
        const results = prog.query(query, { input: readInput(o.input), regoVersion: o.v0 ? 'v0' : 'v1' });
        const out = results.map((r) => ({
          expressions: r.expressions.map((v) => ({ value: toJSON(v) })),
          ...(Object.keys(r.bindings).length ? { bindings: toJSON(Object.assign(Object.create(null), r.bindings)) } : {}),
        }));
        process.stdout.write(JSON.stringify(out.length ? { result: out } : {}, null, 2) + '\n');
      } catch (e) {
        handle(e);
      }
    });

  rego
    .command('test')
    .description('run test_* rules of the given files/directories (like `opa test`)')
    .argument('<paths...>', '.rego files or directories (data.json files are loaded at their directory path)')
    .option('--v0', 'parse modules as Rego v0 (unless they import rego.v1)')
    .option('-r, --run <regex>', 'only run tests whose name matches')
    .option('-v, --verbose', 'print every test, not only failures')
    .action((paths: string[], o: { v0?: boolean; run?: string; verbose?: boolean }) => {
      try {
        const { modules, data } = loadPaths(paths);
        const report = runRegoTests(modules, data, { regoVersion: o.v0 ? 'v0' : 'v1', filter: o.run ? new RegExp(o.run) : undefined });
        for (const r of report.results) {
          if (r.status === 'pass' && !o.verbose) continue;
          const label = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'ERROR';
          process.stdout.write(`${r.file}:${r.line}: ${r.name}: ${label} (${r.durationMs.toFixed(3)}ms)\n`);
          if (r.error) process.stdout.write(`  ${r.error.replace(/\n/g, '\n  ')}\n`);
          if (r.status !== 'pass') for (const line of r.output) process.stdout.write(`  print: ${line}\n`);
        }
        const total = report.results.length;
        process.stdout.write('-'.repeat(80) + '\n');
        if (report.passed) process.stdout.write(`PASS: ${report.passed}/${total}\n`);
        if (report.failed) process.stdout.write(`FAIL: ${report.failed}/${total}\n`);
        if (report.errored) process.stdout.write(`ERROR: ${report.errored}/${total}\n`);
        if (total === 0) process.stdout.write('no tests found\n');
        if (report.failed || report.errored || total === 0) process.exitCode = 2;
      } catch (e) {
        handle(e);
      }
    });

  rego
    .command('conformance')
    .description('run the YAML conformance cases under DIR and report the pass rate')
    .argument('<dir>', 'directory of YAML cases')
    .option('--json <file>', 'also write a machine-readable report')
    .action((dir: string, o: { json?: string }) => {
      if (!fs.existsSync(dir)) return fail(`${dir}: no such directory`);
      const report = runConformance(dir, (c) => {
        if (c.status !== 'failed') return;
        process.stdout.write(`FAIL ${c.file}: ${c.note}\n`);
        if (c.expected !== undefined) process.stdout.write(`  expected: ${JSON.stringify(c.expected)}\n`);
        if (c.got !== undefined) process.stdout.write(`  got:      ${JSON.stringify(c.got)}\n`);
        if (c.error) process.stdout.write(`  error:    ${c.error.replace(/\n/g, '\n            ')}\n`);
      });
      if (o.json) fs.writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');
      process.stdout.write(`passed ${report.passed}, failed ${report.failed}, skipped ${report.skipped}\n`);
      if (report.failed > 0) process.exitCode = 1;
    });
}
