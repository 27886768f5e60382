import { startChaosStack, CHAOS_MODEL, type ChaosStack } from './lib/stack';
import { startLoad, type LoadOptions } from './lib/load';
import { expectInvariants, summarize } from './lib/checks';
import type { ProbeReply } from './lib/protocol';

let stack: ChaosStack;
let baseline: ProbeReply;

const loadFor = (apiKey: string, extra: Partial<LoadOptions> = {}): LoadOptions => ({
  origin: stack.gateway.url, apiKey, model: CHAOS_MODEL, concurrency: 6, kinds: ['chat', 'stream', 'messages'], thinkMs: 5, ...extra,
});

beforeAll(async () => {
  stack = await startChaosStack();
  const warm = await stack.newKey('warm-up');
  const load = startLoad(loadFor(warm.key));
  await load.waitFor(300);
  await load.stop();
  baseline = await stack.gateway.probe();
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 60_000);

test('steady load without faults: the invariants hold (control)', async () => {
  const key = await stack.newKey('control');
  const load = startLoad(loadFor(key.key));
  await load.waitFor(200);
  const outcomes = await load.stop();
  console.log(`control: ${summarize(outcomes)}`);
  const after = await expectInvariants(stack, key, outcomes, baseline, { allowed: { 200: [] } });
  console.log(`heap ${(baseline.heapUsed / 1048576).toFixed(1)} -> ${(after.heapUsed / 1048576).toFixed(1)} MB`);
});
