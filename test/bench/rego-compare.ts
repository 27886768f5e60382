/**
 * A/B comparison of builds of the Rego engine on the benchmark policy, robust to a noisy machine:
 * runs each build in its own process, alternating, several times, and reports each build's best
 * and median CPU µs per evaluation (trustInput, 3,000 evaluations per run after warm-up).
 * Run: npx tsx test/bench/rego-compare.ts <distA> <distB> ...   (tsc output dirs like dist/)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { BENCH_DATA, BENCH_INPUT, BENCH_POLICY } from './rego-fixture';

type RegoModule = typeof import('../../src/policy/rego');
const ENTRY = 'bench/gateway/decision';

function runOnce(dir: string): number {
  const rego = require(path.resolve(dir, 'policy/rego/index.js')) as RegoModule;
  const policy = rego.prepareRego({ modules: [{ path: 'bench.rego', source: BENCH_POLICY }], data: BENCH_DATA, entrypoints: [ENTRY], trustInput: true });
  const inputs = Array.from({ length: 64 }, () => JSON.parse(JSON.stringify(BENCH_INPUT)));
  for (let i = 0; i < 3000; i++) policy.evaluate(ENTRY, inputs[i & 63]);
  const n = 3000;
  // CPU time rather than wall time: less sensitive to other processes on a shared machine.
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) policy.evaluate(ENTRY, inputs[i & 63]);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

if (process.env.REGO_COMPARE_CHILD) {
  process.stdout.write(String(runOnce(process.env.REGO_COMPARE_CHILD)));
} else {
  const dirs = process.argv.slice(2);
  if (dirs.length < 1) throw new Error('usage: rego-compare.ts <dist> [<dist>...]');
  const rounds = Number(process.env.ROUNDS ?? 7);
  const results = new Map<string, number[]>(dirs.map((d) => [d, []]));
  for (let r = 0; r < rounds; r++) {
    for (const d of dirs) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename], { env: { ...process.env, REGO_COMPARE_CHILD: d } });
      results.get(d)!.push(Number(out.toString()));
    }
  }
  for (const [d, xs] of results) {
    const s = xs.slice().sort((a, b) => a - b);
    console.log(`${d.padEnd(28)} best ${s[0].toFixed(1)} µs, median ${s[s.length >> 1].toFixed(1)} µs CPU per evaluation (${xs.length} runs)`);
  }
}
