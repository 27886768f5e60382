/**
 * Where the Rego benchmark's time goes: evaluates each rule of the bench policy on its own
 * (dependencies included) and prints µs per evaluation. Run: npx tsx test/bench/rego-breakdown.ts
 * (after `npx tsc -p tsconfig.build.json`, so the engine comes from dist/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BENCH_DATA, BENCH_INPUT, BENCH_POLICY } from './rego-fixture';

type RegoModule = typeof import('../../src/policy/rego');
const dist = path.resolve(__dirname, '../../dist/policy/rego/index.js');
const rego = (fs.existsSync(dist) ? require(dist) : require('../../src/policy/rego')) as RegoModule;

const RULES = (process.env.RULES ?? 'decision,excluded,allowed_endpoints,sorted_candidates,candidates_by_id,deny,pii_actions,obligations,settings').split(',');
const iterations = Number(process.env.ITERATIONS ?? 3000);
const entries = RULES.map((r) => `bench/gateway/${r}`);
const policy = rego.prepareRego({ modules: [{ path: 'bench.rego', source: BENCH_POLICY }], data: BENCH_DATA, entrypoints: entries, trustInput: true });
const inputs = Array.from({ length: 64 }, () => JSON.parse(JSON.stringify(BENCH_INPUT)));
for (const e of entries) {
  for (let i = 0; i < 500; i++) policy.evaluate(e, inputs[i & 63]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) policy.evaluate(e, inputs[i & 63]);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / iterations;
  console.log(`${e.padEnd(36)} ${us.toFixed(1).padStart(8)} µs`);
}
