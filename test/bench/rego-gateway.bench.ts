/**
 * The project's own policy (policies/gateway) on the in-process Rego engine: p50/p99 and CPU per
 * decision with 5 and 100 candidate endpoints, under a restrictive workspace (ZDR, regions,
 * jurisdictions, certifications, training, price routing) so every exclusion rule does work.
 * Run: npm run build (or npx tsc -p tsconfig.build.json), then npx tsx test/bench/rego-gateway.bench.ts
 * (REGO_DIST=<dir> to measure another build; ITERATIONS=n; CANDIDATES=5,100).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

type RegoModule = typeof import('../../src/policy/rego');
const root = path.resolve(__dirname, '../..');
const distDir = process.env.REGO_DIST ? path.resolve(process.env.REGO_DIST) : path.join(root, 'dist');
const distIndex = path.join(distDir, 'policy/rego/index.js');
const rego = (fs.existsSync(distIndex) ? require(distIndex) : require('../../src/policy/rego')) as RegoModule;

const ENTRY = 'gateway/decision';
const REGIONS = [['eu'], ['us'], ['eu', 'us'], ['cn'], null];
const JURIS = ['DE', 'US', 'FR', 'CN', null];

function candidates(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `ep-${i}`,
    provider: ['openai', 'anthropic', 'mistral', 'azure'][i % 4],
    jurisdiction: JURIS[i % JURIS.length],
    data_regions: REGIONS[i % REGIONS.length],
    zero_data_retention: i % 3 !== 0,
    trains_on_data: i % 7 === 0 ? true : i % 11 === 0 ? null : false,
    priority: i,
    certifications: i % 4 === 0 ? [] : ['ISO 27001', 'SOC 2'],
    price: { input: (i * 37) % 100, output: (i * 53) % 100 },
  }));
}

const org = JSON.parse(fs.readFileSync(path.join(root, 'policies/defaults/org.json'), 'utf8')) as Record<string, unknown>;
const workspace = {
  providers: {
    require_zdr: true,
    deny_training: true,
    allowed_regions: ['EU', 'US'],
    blocked_jurisdictions: ['cn'],
    required_certifications: ['ISO 27001'],
    deny_endpoints: ['ep-9*'],
  },
  models: { allow: ['gpt-*', 'claude-*'] },
  limits: { max_tokens: 4096 },
  routing: { sort: 'price' },
};

function input(n: number): unknown {
  return {
    principal: { workspace: 'w1', user: 'u1', roles: ['developer'] },
    request: { model: 'gpt-4o-mini', max_tokens: 1024, headers: { 'x-gatehouse-purpose': 'support' } },
    pii: { input: { EMAIL_ADDRESS: 2 }, output: {} },
    candidates: candidates(n),
  };
}

const { modules } = rego.loadPaths([path.join(root, 'policies/gateway')]);
const policy = rego.prepareRego({
  modules: modules.filter((m) => !m.path.endsWith('_test.rego')),
  data: { gatehouse: { org, workspace } },
  entrypoints: [ENTRY],
  trustInput: true,
});
const iterations = Number(process.env.ITERATIONS ?? 5000);
for (const n of (process.env.CANDIDATES ?? "5,100").split(",").map(Number)) {
  const inputs = Array.from({ length: 32 }, () => input(n));
  const d = policy.evaluate(ENTRY, inputs[0]) as { allow: boolean; allowed_endpoints: string[]; excluded: Record<string, unknown> };
  for (let i = 0; i < 2000; i++) policy.evaluate(ENTRY, inputs[i & 31]);
  const samples = new Float64Array(iterations);
  const c0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const a = process.hrtime.bigint();
    policy.evaluate(ENTRY, inputs[i & 31]);
    samples[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  const c = process.cpuUsage(c0);
  samples.sort();
  console.log(`policies/gateway, ${String(n).padStart(3)} candidates (allow=${d.allow}, ${d.allowed_endpoints.length} allowed, ${Object.keys(d.excluded).length} excluded): ` +
    `p50 ${samples[iterations >> 1].toFixed(1)} µs, p99 ${samples[Math.floor(iterations * 0.99)].toFixed(1)} µs, cpu ${((c.user + c.system) / iterations).toFixed(1)} µs per decision`);
}
