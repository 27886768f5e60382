/**
 * Upstream faults under a steady load: the provider answers 500, 429 or nothing at all, cuts its streams mid-way;
 * clients hang up mid-stream. Each fault is switched on for a while and off again; the gateway must answer every
 * request with the status the situation calls for, recover, and keep its books straight.
 */
import type { FaultSpec } from '../../src/mock';
import { startChaosStack, CHAOS_MODEL, type ChaosStack } from './lib/stack';
import { startLoad, stopAllLoads, type LoadOptions, type Outcome } from './lib/load';
import { expectInvariants, summarize, type AllowedAnswers } from './lib/checks';
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

afterEach(async () => {
  await stopAllLoads();
  stack?.setUpstreamFault(null);
});

afterAll(async () => {
  await stack?.close();
}, 60_000);

/** Healthy traffic, then `fault` for `during` answers, then healthy again until `after` successes: one scenario. */
async function faultScenario(
  name: string, fault: FaultSpec, options: { during: number; after?: number; load?: Partial<LoadOptions> },
): Promise<{ outcomes: Outcome[]; key: Awaited<ReturnType<ChaosStack['newKey']>> }> {
  const key = await stack.newKey(name);
  const load = startLoad(loadFor(key.key, options.load));
  try {
    await load.waitForSuccesses(30);
    stack.setUpstreamFault(fault);
    await load.waitFor(options.during);
  } finally {
    stack.setUpstreamFault(null);
  }
  await load.waitForSuccesses(options.after ?? 30); // recovered once the provider is healthy again
  const outcomes = await load.stop();
  console.log(`${name}: ${summarize(outcomes)}`);
  return { outcomes, key };
}

const faultCases: Array<{ name: string; fault: FaultSpec; during: number; allowed: AllowedAnswers; felt: (o: Outcome) => boolean }> = [
  {
    name: 'upstream answers 500', fault: { status: 500 }, during: 60,
    allowed: { 200: [], 502: ['upstream_error'] }, felt: (o) => o.status === 502,
  },
  {
    name: 'upstream answers 429 with Retry-After', fault: { status: 429, retryAfterSec: 1 }, during: 24,
    allowed: { 200: [], 429: ['upstream_rate_limited'] }, felt: (o) => o.status === 429,
  },
  {
    name: 'upstream never answers (timeout)', fault: { hang: true }, during: 18,
    allowed: { 200: [], 504: ['upstream_timeout'] }, felt: (o) => o.status === 504,
  },
];

test.each(faultCases)('$name: the right status, audited and booked, then recovery', async ({ name, fault, during, allowed, felt }) => {
  const { outcomes, key } = await faultScenario(name, fault, { during });
  expect(outcomes.some(felt)).toBe(true);
  await expectInvariants(stack, key, outcomes, baseline, { allowed });
});

test('upstream cuts its streams and answers mid-way: an error event or 502, partial output booked', async () => {
  const { outcomes, key } = await faultScenario('upstream cuts mid-way', { cutAfterChunks: 3 }, { during: 60 });
  expect(outcomes.some((o) => o.streamError)).toBe(true);
  await expectInvariants(stack, key, outcomes, baseline, {
    allowed: { 200: [], 502: ['upstream_protocol_error'] }, streamErrors: ['upstream_stream_error'],
  });
});

test('clients hang up mid-stream: upstream calls cancelled, what was streamed is booked', async () => {
  const key = await stack.newKey('client hangs up');
  stack.setUpstreamFault({ chunkDelayMs: 20 }); // slow enough that the gateway is mid-stream when the client leaves
  const load = startLoad(loadFor(key.key, { kinds: ['stream'], abortAfterChunks: 2 }));
  let outcomes: Outcome[];
  try {
    await load.waitFor(60);
  } finally {
    outcomes = await load.stop();
    stack.setUpstreamFault(null);
  }
  console.log(`client hangs up: ${summarize(outcomes)}`);
  expect(outcomes.filter((o) => o.status === 200).every((o) => o.clientAborted)).toBe(true); // (others: overload 503s)
  expect(outcomes.some((o) => o.clientAborted)).toBe(true);
  await expectInvariants(stack, key, outcomes, baseline, { allowed: { 200: [] } });
  const cancelled = stack.mock.requests().filter((r) => r.outcome === 'client_closed').length;
  expect(cancelled).toBeGreaterThan(0);
});
