import { GatewayError } from '../../../src/http';
import { capCounterKey, type Reservation } from '../../../src/spend';
import { counter, estimateOf, newSubject, startSpendHarness, testRoute, TestClock, type SpendHarness } from './harness';

let h: SpendHarness;
beforeAll(async () => { h = await startSpendHarness(); });
afterAll(() => h.close());

/** Deterministic pseudo-random numbers so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('the $1.00 cap under 300 concurrent requests', () => {
  test('settled ≤ cap, every request reserved or denied 402, nothing double-counted', async () => {
    const clock = new TestClock(Date.UTC(2025, 5, 10, 12));
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const route = testRoute();
    const caps = [{ scope: 'workspace' as const, window: 'month' as const, unit: 'usd' as const, limit: 1, hard: true }];
    const random = rng(42);
    const outcomes = await Promise.all(Array.from({ length: 300 }, async (_, i) => {
      // Estimates between $0.002 and $0.03; real usage between 20 % and 100 % of the estimate.
      const prompt = 200 + Math.floor(random() * 2000);
      const output = 900 + Math.floor(random() * 14000);
      const estimate = estimateOf(prompt, output);
      const fraction = 0.2 + random() * 0.8;
      let reservation: Reservation;
      try {
        reservation = await guard.reserve(subject, estimate, caps, [], { requestId: `r${i}` });
      } catch (err) {
        expect(err).toBeInstanceOf(GatewayError);
        expect((err as GatewayError).status).toBe(402);
        return { reserved: false, cost: 0 };
      }
      await new Promise((r) => setTimeout(r, random() * 5));
      const usage = { promptTokens: prompt, completionTokens: Math.floor(output * fraction), cachedTokens: 0 };
      const settled = await guard.settle(reservation, usage, route);
      h.ledger.record({
        requestId: `r${i}`, orgId: subject.orgId, workspaceId: subject.workspaceId, apiKeyId: subject.keyId, userId: subject.userId,
        route: 'chat', model: 'test-model', endpointId: 'test-endpoint', status: 200, stream: false, latencyMs: 1, errorCode: null,
        promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: 0, costUsd: settled.costUsd,
        reservationId: reservation.id, createdAt: settled.settledAt,
      });
      return { reserved: true, cost: settled.costUsd };
    }));
    const served = outcomes.filter((o) => o.reserved);
    const denied = outcomes.filter((o) => !o.reserved);
    const settledUsd = served.reduce((sum, o) => sum + o.cost, 0);
    expect(served.length + denied.length).toBe(300);
    expect(served.length).toBeGreaterThan(30);
    expect(denied.length).toBeGreaterThan(0);
    expect(settledUsd).toBeLessThanOrEqual(1);

    const key = capCounterKey(h.prefix, 'workspace', subject.workspaceId, subject.orgId, 'usd', 'month', 'UTC', '2025-06');
    const c = await counter(h.redis, key);
    expect(c.reserved).toBe(0);
    expect(c.spent).toBe(Math.round(settledUsd * 1e9));
    expect(c.spent).toBeLessThanOrEqual(1e9);

    await h.ledger.flush();
    const { rows } = await h.pool.query('SELECT count(*)::int AS n, SUM(cost_usd * 1000000000)::bigint AS nanos FROM usage_records WHERE workspace_id = $1', [subject.workspaceId]);
    expect(rows[0].n).toBe(served.length);
    expect(Number(rows[0].nanos)).toBe(c.spent);
  });

  test('reserve-then-settle in waves keeps reserving until the budget is really spent', async () => {
    const clock = new TestClock(Date.UTC(2025, 5, 10, 12));
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'day' as const, unit: 'usd' as const, limit: 0.1, hard: true }];
    // Each estimate is $0.01 but uses only $0.002: released holds make room again, so far more than
    // 10 requests fit; waves go on until one serves nobody, i.e. less than one hold of room is left.
    let served = 0;
    for (let wave = 0; wave < 100; wave++) {
      const results = await Promise.allSettled(Array.from({ length: 30 }, async () => {
        const r = await guard.reserve(subject, estimateOf(0, 5000), caps, []);
        await guard.settle(r, { promptTokens: 0, completionTokens: 1000, cachedTokens: 0 }, testRoute());
      }));
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      served += ok;
      if (ok === 0) break;
    }
    const key = capCounterKey(h.prefix, 'key', subject.keyId, subject.orgId, 'usd', 'day', 'UTC', '2025-06-10');
    const c = await counter(h.redis, key);
    expect(c.reserved).toBe(0);
    expect(c.spent).toBe(served * 2_000_000);
    expect(c.spent).toBeLessThanOrEqual(100_000_000);
    expect(c.spent).toBeGreaterThan(100_000_000 - 10_000_000); // no room for one more $0.01 hold
    expect(served).toBeGreaterThan(10);
  });

  test('caps on several scopes reserve on all or on none', async () => {
    const clock = new TestClock(Date.UTC(2025, 5, 10, 12));
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const caps = [
      { scope: 'workspace' as const, window: 'month' as const, unit: 'usd' as const, limit: 100, hard: true },
      { scope: 'user' as const, window: 'day' as const, unit: 'tokens' as const, limit: 10_000, hard: true },
      { scope: 'key' as const, window: 'total' as const, unit: 'usd' as const, limit: 100, hard: true },
    ];
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => guard.reserve(subject, estimateOf(100, 900), caps, [])));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const ws = await counter(h.redis, capCounterKey(h.prefix, 'workspace', subject.workspaceId, subject.orgId, 'usd', 'month', 'UTC', '2025-06'));
    const key = await counter(h.redis, capCounterKey(h.prefix, 'key', subject.keyId, subject.orgId, 'usd', 'total', 'UTC', 'all'));
    // The 90 denied by the user's token cap held nothing on the workspace or key counters.
    expect(ws.reserved).toBe(10 * 1_900_000);
    expect(key.reserved).toBe(10 * 1_900_000);
    const denial = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(denial.reason.status).toBe(402);
    expect(denial.reason.code).toBe('token_cap_exceeded');
    expect(denial.reason.details.limit).toMatchObject({ scope: 'user', window: 'day', unit: 'tokens', limit: 10_000, spent: 0, reserved: 10_000, requested: 1000 });
    expect(denial.reason.details.limit.resets_at).toBe('2025-06-11T00:00:00.000Z');
  });
});
