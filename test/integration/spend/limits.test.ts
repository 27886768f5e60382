import { GatewayError } from '../../../src/http';
import { capCounterKey, usageFromPartialOutput, type Reservation } from '../../../src/spend';
import { counter, estimateOf, newSubject, startSpendHarness, testRoute, TestClock, type SpendHarness } from './harness';

let h: SpendHarness;
beforeAll(async () => { h = await startSpendHarness(); });
afterAll(() => h.close());

const T0 = Date.UTC(2025, 5, 10, 12);

async function burst(n: number, reserve: () => Promise<Reservation>): Promise<{ ok: Reservation[]; denied: GatewayError[] }> {
  const results = await Promise.allSettled(Array.from({ length: n }, reserve));
  const ok: Reservation[] = [], denied: GatewayError[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') ok.push(r.value);
    else if (r.reason instanceof GatewayError) denied.push(r.reason);
    else throw r.reason;
  }
  return { ok, denied };
}

describe('rate limits', () => {
  test('requests per minute: exactly rpm of 300 concurrent pass, the rest get 429 with Retry-After; the bucket refills', async () => {
    const clock = new TestClock(T0);
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const rates = [{ scope: 'key' as const, rpm: 60 }];
    const first = await burst(300, () => guard.reserve(subject, estimateOf(10, 10), [], rates));
    expect(first.ok).toHaveLength(60);
    expect(first.denied).toHaveLength(240);
    for (const err of first.denied) {
      expect(err.status).toBe(429);
      expect(err.code).toBe('rate_limit_exceeded');
      expect(err.headers['retry-after']).toBe('1');
      expect(Number(err.headers['retry-after-ms'])).toBeGreaterThan(0);
      expect(Number(err.headers['retry-after-ms'])).toBeLessThanOrEqual(1000);
    }
    expect(first.denied[0].details.limit).toMatchObject({ scope: 'key', window: 'minute', unit: 'requests', limit: 60, spent: 60 });
    // Settling does not give requests back; time does, at rpm/60 per second.
    await Promise.all(first.ok.map((r) => guard.settle(r, { promptTokens: 10, completionTokens: 10, cachedTokens: 0 }, testRoute())));
    expect((await burst(5, () => guard.reserve(subject, estimateOf(10, 10), [], rates))).ok).toHaveLength(0);
    clock.advance(10_000);
    expect((await burst(50, () => guard.reserve(subject, estimateOf(10, 10), [], rates))).ok).toHaveLength(10);
    clock.advance(60_000);
    expect((await burst(100, () => guard.reserve(subject, estimateOf(10, 10), [], rates))).ok).toHaveLength(60);
  });

  test('workspace and key limits both apply; the tighter one wins', async () => {
    const clock = new TestClock(T0);
    const guard = h.guard({ now: clock.now });
    const workspaceId = newSubject().workspaceId;
    const a = newSubject({ workspaceId }), b = newSubject({ workspaceId });
    const rates = [{ scope: 'key' as const, rpm: 30 }, { scope: 'workspace' as const, rpm: 50 }];
    const both = await Promise.all([burst(100, () => guard.reserve(a, estimateOf(1, 1), [], rates)), burst(100, () => guard.reserve(b, estimateOf(1, 1), [], rates))]);
    expect(both[0].ok.length).toBeLessThanOrEqual(30);
    expect(both[1].ok.length).toBeLessThanOrEqual(30);
    expect(both[0].ok.length + both[1].ok.length).toBe(50);
  });

  test('tokens per minute: reserved at the estimate, refunded to the real usage at settlement', async () => {
    const clock = new TestClock(T0);
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const rates = [{ scope: 'key' as const, tpm: 10_000 }];
    const first = await burst(50, () => guard.reserve(subject, estimateOf(200, 800), [], rates));
    expect(first.ok).toHaveLength(10);
    expect(first.denied[0].details.limit).toMatchObject({ unit: 'tokens', limit: 10_000, requested: 1000 });
    expect(guard.headersFor(first.ok[9])).toMatchObject({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '0' });
    // Each used 300 of its 1000: 7000 come back.
    await Promise.all(first.ok.map((r) => guard.settle(r, { promptTokens: 200, completionTokens: 100, cachedTokens: 0 }, testRoute())));
    expect((await burst(50, () => guard.reserve(subject, estimateOf(200, 800), [], rates))).ok).toHaveLength(7);
  });

  test('a request larger than the whole tpm budget is refused without Retry-After', async () => {
    const guard = h.guard({ now: () => T0 });
    const err = await guard.reserve(newSubject(), estimateOf(1000, 20_000), [], [{ scope: 'key', tpm: 10_000 }]).catch((e: unknown) => e as GatewayError);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(429);
    expect((err as GatewayError).code).toBe('request_exceeds_rate_limit');
    expect((err as GatewayError).headers['retry-after']).toBeUndefined();
  });

  test('max parallel: 300 concurrent against 7 slots; a slot frees on settle or release', async () => {
    const guard = h.guard({ now: () => T0 });
    const subject = newSubject();
    const rates = [{ scope: 'key' as const, maxParallel: 7 }];
    const first = await burst(300, () => guard.reserve(subject, estimateOf(1, 1), [], rates));
    expect(first.ok).toHaveLength(7);
    expect(first.denied).toHaveLength(293);
    expect(first.denied.every((e) => e.status === 429 && e.code === 'too_many_parallel_requests')).toBe(true);
    await guard.settle(first.ok[0], { promptTokens: 1, completionTokens: 1, cachedTokens: 0 }, testRoute());
    await guard.release(first.ok[1]);
    await guard.release(first.ok[1]); // a second release is a no-op, not a double free
    expect((await burst(10, () => guard.reserve(subject, estimateOf(1, 1), [], rates))).ok).toHaveLength(2);
    expect(Number(await h.redis.get(`${h.prefix}spend:par:key:${subject.keyId}`))).toBe(7);
  });
});

describe('windows and settlement', () => {
  test('a daily cap rolls over at midnight UTC (injected clock)', async () => {
    const clock = new TestClock(Date.UTC(2025, 2, 31, 23, 59, 0));
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'day' as const, unit: 'usd' as const, limit: 0.05, hard: true }];
    const day1 = await burst(20, () => guard.reserve(subject, estimateOf(0, 5000), caps, []));
    expect(day1.ok).toHaveLength(5);
    expect(day1.denied[0].details.limit).toMatchObject({ window: 'day', resets_at: '2025-04-01T00:00:00.000Z' });
    clock.advance(60_000);
    const day2 = await burst(20, () => guard.reserve(subject, estimateOf(0, 5000), caps, []));
    expect(day2.ok).toHaveLength(5);
  });

  test('a monthly cap in Europe/Paris rolls over at Paris midnight, not UTC', async () => {
    const clock = new TestClock(Date.UTC(2025, 2, 31, 21, 59, 0)); // 23:59 in Paris (CEST, UTC+2)
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const caps = [{ scope: 'workspace' as const, window: 'month' as const, unit: 'tokens' as const, limit: 1000, hard: true, timeZone: 'Europe/Paris' }];
    expect((await burst(3, () => guard.reserve(subject, estimateOf(500, 0), caps, []))).ok).toHaveLength(2);
    clock.advance(60_000); // 22:00 UTC = April 1st 00:00 in Paris
    const april = await burst(3, () => guard.reserve(subject, estimateOf(500, 0), caps, []));
    expect(april.ok).toHaveLength(2);
    expect(april.denied[0].details.limit).toMatchObject({ resets_at: '2025-04-30T22:00:00.000Z' });
  });

  test('an aborted stream settles its partial usage and releases the rest of the hold', async () => {
    const guard = h.guard({ now: () => T0 });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'month' as const, unit: 'usd' as const, limit: 10, hard: true }];
    const estimate = estimateOf(1000, 4000); // $0.009
    const reservation = await guard.reserve(subject, estimate, caps, []);
    const key = capCounterKey(h.prefix, 'key', subject.keyId, subject.orgId, 'usd', 'month', 'UTC', '2025-06');
    expect(await counter(h.redis, key)).toMatchObject({ spent: 0, reserved: 9_000_000 });
    // The provider sent no usage: the prompt went out in full, the output is what streamed before the cut.
    const usage = usageFromPartialOutput(estimate, 'The quick brown fox jumps over the lazy dog.');
    expect(usage.completionTokens).toBe(10);
    const settled = await guard.settle(reservation, usage, testRoute());
    expect(settled.costUsd).toBeCloseTo(0.00102, 10);
    expect(await counter(h.redis, key)).toMatchObject({ spent: 1_020_000, reserved: 0 });
  });

  test('settling twice counts once', async () => {
    const guard = h.guard({ now: () => T0 });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'month' as const, unit: 'tokens' as const, limit: 1e6, hard: true }];
    const r = await guard.reserve(subject, estimateOf(10, 90), caps, []);
    await guard.settle(r, { promptTokens: 10, completionTokens: 20, cachedTokens: 0 }, testRoute());
    await guard.settle(r, { promptTokens: 10, completionTokens: 20, cachedTokens: 0 }, testRoute());
    const key = capCounterKey(h.prefix, 'key', subject.keyId, subject.orgId, 'tokens', 'month', 'UTC', '2025-06');
    expect(await counter(h.redis, key)).toMatchObject({ spent: 30, reserved: 0 });
  });

  test('headers report the budget left after the hold and the request bucket', async () => {
    const guard = h.guard({ now: () => T0 });
    const subject = newSubject();
    const r = await guard.reserve(subject, estimateOf(0, 50_000), [
      { scope: 'key', window: 'day', unit: 'usd', limit: 1, hard: true },
      { scope: 'workspace', window: 'month', unit: 'usd', limit: 0.5, hard: true },
    ], [{ scope: 'key', rpm: 100 }]);
    expect(guard.headersFor(r)).toEqual({
      'x-gatehouse-budget-remaining-usd': '0.400000',
      'x-gatehouse-budget-limit-usd': '0.50',
      'x-gatehouse-budget-reset': '2025-07-01T00:00:00.000Z',
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '99',
      'x-ratelimit-reset-requests': '600ms',
    });
  });
});
