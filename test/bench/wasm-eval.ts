/**
 * Wasm backend overhead: bundle load time and per-evaluation latency through WasmPreparedPolicy
 * (input JSON encoding, the SDK's copy into wasm memory, result parsing) for a small input and a
 * gateway-sized input (100 candidate endpoints). The policy is the WAT fixture implementing OPA's
 * wasm ABI, so the figures isolate the host-side cost rather than a real compiled policy's.
 * Prints numbers; asserts nothing.   Run: npm run bench:wasm
 */
import { performance } from 'node:perf_hooks';
import { loadWasmBundle, type WasmPreparedPolicy } from '../../src/policy';
import { gatewayBundle } from '../unit/wasm/bundle-helpers';

function candidates(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `ep-${i}`,
    provider: ['openai', 'anthropic', 'mistral', 'azure'][i % 4],
    model: `model-${i % 10}`,
    region: i % 3 === 0 ? 'eu-west-1' : 'us-east-1',
    jurisdiction: i % 3 === 0 ? 'EU' : 'US',
    zdr: i % 2 === 0,
    trains_on_data: false,
    certifications: ['soc2', 'iso27001'],
    price: { input_per_mtok: 0.15 + i / 100, output_per_mtok: 0.6 + i / 100 },
  }));
}

function measure(policy: WasmPreparedPolicy, entrypoint: string, input: unknown, iterations: number): string {
  for (let i = 0; i < Math.min(2000, iterations); i++) policy.evaluate(entrypoint, input); // warm-up
  const samples = new Float64Array(iterations);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    policy.evaluate(entrypoint, input);
    samples[i] = performance.now() - t0;
  }
  const total = performance.now() - start;
  samples.sort();
  const us = (ms: number) => (ms * 1000).toFixed(1);
  return `p50 ${us(samples[Math.floor(iterations * 0.5)])} µs  p99 ${us(samples[Math.floor(iterations * 0.99)])} µs  ${Math.round(iterations / (total / 1000))} evals/s`;
}

async function main(): Promise<void> {
  const small = { model: 'claude-3-5-sonnet', principal: { workspace: 'w1', user: 'u1', roles: ['dev'] } };
  const large = { ...small, request: { endpoint: 'chat', stream: false, tokens: 1200 }, candidates: candidates(100) };
  console.log(`input sizes: small ${JSON.stringify(small).length} B, gateway-sized ${JSON.stringify(large).length} B`);
  for (const abiMinor of [1, 2]) {
    const bytes = await gatewayBundle({ abiMinor });
    const t0 = performance.now();
    const policy = await loadWasmBundle({ kind: 'bytes', bytes });
    const loadMs = performance.now() - t0;
    console.log(`ABI 1.${abiMinor} (${abiMinor >= 2 ? 'opa_eval fast path' : 'eval-context path'}): load ${loadMs.toFixed(2)} ms (bundle ${bytes.length} B)`);
    console.log(`  small input          ${measure(policy, 'gateway/decision', small, 50_000)}`);
    console.log(`  gateway-sized input  ${measure(policy, 'gateway/decision', large, 10_000)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
