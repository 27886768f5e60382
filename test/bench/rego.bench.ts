/**
 * Rego engine benchmark: a ~150-line gateway decision policy (~20 rules, 50-entry allowlists,
 * 100 candidate endpoints in input). Prints prepare time, p50/p99 per evaluation and evaluations/s.
 * Run: npm run bench:rego
 */
import { prepareRego } from '../../src/policy/rego';
import { BENCH_DATA, BENCH_INPUT, BENCH_POLICY } from './rego-fixture';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function main(): void {
  const iterations = Number(process.env.ITERATIONS ?? 20000);
  const t0 = process.hrtime.bigint();
  const policy = prepareRego({
    modules: [{ path: 'bench.rego', source: BENCH_POLICY }],
    data: BENCH_DATA,
    entrypoints: ['bench/gateway/decision'],
  });
  const prepareMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const first = policy.evaluate('bench/gateway/decision', BENCH_INPUT);
  // Inputs are fresh objects per request in the gateway; clone so no per-object caches carry over.
  const inputs = Array.from({ length: 64 }, () => JSON.parse(JSON.stringify(BENCH_INPUT)));
  for (let i = 0; i < 2000; i++) policy.evaluate('bench/gateway/decision', inputs[i & 63]);
  const samples = new Float64Array(iterations);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const a = process.hrtime.bigint();
    policy.evaluate('bench/gateway/decision', inputs[i & 63]);
    samples[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  const totalS = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / iterations;
  const sorted = Array.from(samples).sort((x, y) => x - y);
  const d = first as { allow: boolean; allowed_endpoints: string[]; deny: unknown[]; excluded: number };
  console.log(`rego bench: policy ${BENCH_POLICY.split('\n').length} lines, ${BENCH_INPUT.candidates.length} candidates`);
  console.log(`decision: allow=${d.allow} allowed_endpoints=${d.allowed_endpoints.length} excluded=${d.excluded} deny=${d.deny.length}`);
  console.log(`prepare: ${prepareMs.toFixed(2)} ms`);
  console.log(`evaluate: p50 ${percentile(sorted, 50).toFixed(1)} µs, p99 ${percentile(sorted, 99).toFixed(1)} µs, mean ${((totalS * 1e6) / iterations).toFixed(1)} µs`);
  console.log(`cpu time: ${cpuUs.toFixed(1)} µs per evaluation (process CPU, less sensitive to other load)`);
  console.log(`throughput: ${Math.round(iterations / totalS)} evaluations/s (${iterations} iterations, single thread)`);
}

main();
