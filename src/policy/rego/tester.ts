/** An `opa test`-style runner: evaluates every rule named test_* and reports pass / fail / error. */
import type { PolicyModule } from '../engine';
import { PolicyEvalError } from '../engine';
import { ProgramOptions, RegoProgram } from './program';
import { Value } from './value';

export interface TestOutcome {
  /** e.g. data.policies.gateway.test_allows_eu */
  name: string;
  file: string;
  line: number;
  status: 'pass' | 'fail' | 'error';
  durationMs: number;
  /** evaluation error message (status 'error') */
  error?: string;
  /** print() output while the test ran */
  output: string[];
}

export interface TestReport {
  results: TestOutcome[];
  passed: number;
  failed: number;
  errored: number;
}

/**
 * Compiles modules + data and runs the tests. Compile errors are thrown (PolicyCompileError);
 * `filter` keeps only tests whose name matches.
 */
export function runRegoTests(
  modules: readonly PolicyModule[],
  data: unknown,
  opts: ProgramOptions & { filter?: RegExp } = {},
): TestReport {
  let output: string[] = [];
  const program = new RegoProgram(modules, data, { ...opts, print: (m) => output.push(m) });
  const report: TestReport = { results: [], passed: 0, failed: 0, errored: 0 };
  for (const g of program.tree.groups) {
    const last = g.path[g.path.length - 1];
    if (!last.startsWith('test_') || g.kind !== 'single' || g.dynamic) continue;
    if (opts.filter && !opts.filter.test(g.name)) continue;
    const loc = (g.defs[0] ?? g.defaultDef)?.rule.loc;
    output = [];
    const start = process.hrtime.bigint();
    let status: TestOutcome['status'];
    let error: string | undefined;
    try {
      const v: Value | undefined = program.evaluateDocument(g.path, {});
      status = v !== undefined && v !== false ? 'pass' : 'fail';
    } catch (e) {
      status = 'error';
      error = e instanceof PolicyEvalError ? e.message : e instanceof Error ? e.message : String(e);
    }
    const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
    report.results.push({ name: g.name, file: loc?.file ?? '', line: loc?.line ?? 0, status, durationMs, error, output });
    if (status === 'pass') report.passed++;
    else if (status === 'fail') report.failed++;
    else report.errored++;
  }
  return report;
}
