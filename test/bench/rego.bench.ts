/**
 * Rego engine benchmark: a ~150-line gateway decision policy (~20 rules, 50-entry allowlists,
 * 100 candidate endpoints in input). Prints prepare time, p50/p99 per evaluation, CPU time and
 * evaluations/s, with the input check on (default) and off (trustInput).
 * Run: npm run bench:rego   (ITERATIONS=n to change the sample size; REGO_DIST=dir for another build)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BENCH_DATA, BENCH_INPUT, BENCH_POLICY } from './rego-fixture';

type RegoModule = typeof import('../../src/policy/rego');

/**
 * The engine as production runs it: tsc's output in dist/ (`npm run bench:rego` builds it first).
 * tsx's on-the-fly transform routes every cross-module call through export getters, which costs
 * this closure-heavy engine 30-60%; it is only the fallback when dist/ is missing.
 */
function loadEngine(): { rego: RegoModule; from: string } {
  // REGO_DIST=<dir> compares another build (e.g. an older commit's dist/) on the same machine.
  const dist = process.env.REGO_DIST ? path.resolve(process.env.REGO_DIST, 'policy/rego/index.js') : path.resolve(__dirname, '../../dist/policy/rego/index.js');
  if (fs.existsSync(dist)) return { rego: require(dist) as RegoModule, from: 'dist (tsc output)' };
  return { rego: require('../../src/policy/rego') as RegoModule, from: 'src via tsx (slower: run npm run build first)' };
}

const { rego, from: ENGINE_FROM } = loadEngine();
const { prepareRego } = rego;

const ENTRY = 'bench/gateway/decision';

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function measure(trustInput: boolean, iterations: number): void {
  const t0 = process.hrtime.bigint();
  const policy = prepareRego({
    modules: [{ path: 'bench.rego', source: BENCH_POLICY }],
    data: BENCH_DATA,
    entrypoints: [ENTRY],
    trustInput,
  });
  const prepareMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // Inputs are fresh objects per request in the gateway; a pool avoids measuring one hot object.
  const inputs = Array.from({ length: 64 }, () => JSON.parse(JSON.stringify(BENCH_INPUT)));
  for (let i = 0; i < 2000; i++) policy.evaluate(ENTRY, inputs[i & 63]);
  const samples = new Float64Array(iterations);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const a = process.hrtime.bigint();
    policy.evaluate(ENTRY, inputs[i & 63]);
    samples[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  const totalS = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  samples.sort();
  console.log(`[input check ${trustInput ? 'off (trustInput)' : 'on'}]`);
  console.log(`  prepare: ${prepareMs.toFixed(2)} ms`);
  console.log(`  evaluate: p50 ${percentile(samples, 50).toFixed(1)} µs, p99 ${percentile(samples, 99).toFixed(1)} µs, mean ${((totalS * 1e6) / iterations).toFixed(1)} µs`);
  console.log(`  cpu time: ${((cpu.user + cpu.system) / iterations).toFixed(1)} µs per evaluation`);
  console.log(`  throughput: ${Math.round(iterations / totalS)} evaluations/s (${iterations} iterations, one thread)`);
}

function main(): void {
  const iterations = Number(process.env.ITERATIONS ?? 10000);
  const check = prepareRego({ modules: [{ path: 'bench.rego', source: BENCH_POLICY }], data: BENCH_DATA });
  const d = check.evaluate(ENTRY, BENCH_INPUT) as { allow: boolean; allowed_endpoints: string[]; deny: unknown[]; excluded: number };
  console.log(`rego bench (engine from ${ENGINE_FROM}): policy ${BENCH_POLICY.split('\n').length} lines, ${BENCH_INPUT.candidates.length} candidates, ` +
    `decision allow=${d.allow} allowed_endpoints=${d.allowed_endpoints.length} excluded=${d.excluded} deny=${d.deny.length}`);
  measure(false, iterations);
  measure(true, iterations);
}

main();
