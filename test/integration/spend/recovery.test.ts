import { Registry } from 'prom-client';
import { GatewayError } from '../../../src/http';
import { createRedis } from '../../../src/db';
import { capCounterKey, type ReservationExpiredEvent, type SpendAlertEvent, type SpendUnverifiedEvent } from '../../../src/spend';
import { TEST_REDIS_URL } from '../../helpers/database';
import { counter, estimateOf, newSubject, startSpendHarness, testRoute, TestClock, type SpendHarness } from './harness';

let h: SpendHarness;
beforeAll(async () => { h = await startSpendHarness(); });
afterAll(() => h.close());

const T0 = Date.UTC(2025, 5, 10, 12);
const usage = (prompt: number, completion: number) => ({ promptTokens: prompt, completionTokens: completion, cachedTokens: 0 });

describe('the ledger is the source of truth', () => {
  test('counters Redis lost are rebuilt from the ledger before the next reservation', async () => {
    const clock = new TestClock(T0);
    const guard = h.guard({ now: clock.now });
    const subject = newSubject({ tags: ['team-a'] });
    const caps = [
      { scope: 'workspace' as const, window: 'month' as const, unit: 'usd' as const, limit: 0.1, hard: true },
      { scope: 'user' as const, window: 'day' as const, unit: 'tokens' as const, limit: 1e9, hard: true },
      { scope: 'tag' as const, tag: 'team-a', window: 'total' as const, unit: 'usd' as const, limit: 100, hard: true },
    ];
    for (let i = 0; i < 7; i++) {
      const r = await guard.reserve(subject, estimateOf(0, 5000), caps, []);
      const settled = await guard.settle(r, usage(100, 4000), testRoute()); // $0.0081 each
      h.ledger.record({
        requestId: `q${i}`, orgId: subject.orgId, workspaceId: subject.workspaceId, apiKeyId: subject.keyId, userId: subject.userId,
        tags: subject.tags, route: 'chat', model: 'test-model', endpointId: 'test-endpoint', status: 200, stream: false, latencyMs: 1,
        errorCode: null, promptTokens: 100, completionTokens: 4000, cachedTokens: 0, costUsd: settled.costUsd, createdAt: settled.settledAt,
      });
    }
    const wsKey = capCounterKey(h.prefix, 'workspace', subject.workspaceId, subject.orgId, 'usd', 'month', 'UTC', '2025-06');
    const userKey = capCounterKey(h.prefix, 'user', subject.userId!, subject.orgId, 'tokens', 'day', 'UTC', '2025-06-10');
    const tagKey = capCounterKey(h.prefix, 'tag', 'team-a', subject.orgId, 'usd', 'total', 'UTC', 'all');
    const before = await Promise.all([wsKey, userKey, tagKey].map((k) => counter(h.redis, k)));
    expect(before.map((c) => c.spent)).toEqual([56_700_000, 28_700, 56_700_000]);

    expect(await h.flushPrefix()).toBeGreaterThan(0); // Redis restarted without persistence
    const fresh = h.guard({ now: clock.now }); // e.g. another instance, or this one after a restart
    const r = await fresh.reserve(subject, estimateOf(0, 5000), caps, []);
    const after = await Promise.all([wsKey, userKey, tagKey].map((k) => counter(h.redis, k)));
    expect(after.map((c) => c.spent)).toEqual([56_700_000, 28_700, 56_700_000]);
    expect(after.every((c) => c.hydrated)).toBe(true);
    expect(after[0].reserved).toBe(10_000_000);
    // The rebuilt cap still holds: $0.0567 + $0.01 held; four more $0.01 holds fit under $0.10, not five.
    const more = await Promise.allSettled(Array.from({ length: 10 }, () => fresh.reserve(subject, estimateOf(0, 5000), caps, [])));
    expect(more.filter((x) => x.status === 'fulfilled')).toHaveLength(3);
    await fresh.release(r);
  });

  test('a settlement that lands after the loss but before the rebuild is not counted twice', async () => {
    const clock = new TestClock(T0);
    const guard = h.guard({ now: clock.now });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'month' as const, unit: 'tokens' as const, limit: 1e9, hard: true }];
    const key = capCounterKey(h.prefix, 'key', subject.keyId, subject.orgId, 'tokens', 'month', 'UTC', '2025-06');
    const record = (tokens: number, at: Date): void => h.ledger.record({
      requestId: 'x', orgId: subject.orgId, workspaceId: subject.workspaceId, apiKeyId: subject.keyId, route: 'chat', model: 'm',
      endpointId: null, status: 200, stream: false, latencyMs: 1, errorCode: null, promptTokens: tokens, completionTokens: 0,
      cachedTokens: 0, costUsd: 0, createdAt: at,
    });
    const early = await guard.reserve(subject, estimateOf(100, 0), caps, []);
    const late = await guard.reserve(subject, estimateOf(100, 0), caps, []);
    const s1 = await guard.settle(early, usage(100, 0), testRoute());
    record(100, s1.settledAt);
    await h.ledger.flush();
    await h.redis.del(key); // lost, with `late` still in flight
    clock.advance(1000);
    const s2 = await guard.settle(late, usage(40, 0), testRoute()); // recreates the counter, unhydrated
    record(40, s2.settledAt);
    await h.ledger.flush();
    clock.advance(1000);
    expect(await counter(h.redis, key)).toMatchObject({ spent: 40, reserved: 0, hydrated: false });
    const next = await guard.reserve(subject, estimateOf(1, 0), caps, []);
    expect(await counter(h.redis, key)).toMatchObject({ spent: 140, reserved: 1, hydrated: true });
    await guard.release(next);
  });
});

describe('failure modes', () => {
  test('Redis unreachable: fail closed with 503 by default, audited', async () => {
    const down = createRedis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const guard = h.guard({ redis: down });
    const subject = newSubject();
    const err = await guard.reserve(subject, estimateOf(1, 1), [{ scope: 'key', window: 'day', unit: 'usd', limit: 1, hard: true }], [], { requestId: 'req-1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(503);
    expect((err as GatewayError).code).toBe('spend_unavailable');
    const event = h.events.find((e): e is SpendUnverifiedEvent => e.type === 'spend.unverified' && e.requestId === 'req-1');
    expect(event).toMatchObject({ failOpen: false, subject });
    down.disconnect();
  });

  test('Redis unreachable with failOpen: the request goes through unverified, and that is audited', async () => {
    const down = createRedis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const guard = h.guard({ redis: down, failOpen: true });
    const r = await guard.reserve(newSubject(), estimateOf(1, 1), [{ scope: 'key', window: 'day', unit: 'usd', limit: 1, hard: true }], [], { requestId: 'req-2' });
    expect(r.verified).toBe(false);
    expect(guard.headersFor(r)).toEqual({});
    expect(h.events.find((e) => e.type === 'spend.unverified' && e.requestId === 'req-2')).toMatchObject({ failOpen: true });
    await guard.settle(r, usage(1, 1), testRoute()); // queued, never throws
    expect(guard.pendingSettlements).toBe(1);
    down.disconnect();
  });

  test('settlements made while Redis is down are applied once it is back', async () => {
    const own = createRedis(TEST_REDIS_URL);
    await new Promise<void>((resolve) => own.once('ready', () => resolve()));
    const guard = h.guard({ redis: own, now: () => T0 });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'month' as const, unit: 'tokens' as const, limit: 1000, hard: true }];
    const r = await guard.reserve(subject, estimateOf(100, 100), caps, []);
    own.disconnect();
    await guard.settle(r, usage(100, 50), testRoute());
    expect(guard.pendingSettlements).toBe(1);
    own.connect().catch(() => undefined);
    await new Promise<void>((resolve) => own.once('ready', () => resolve()));
    await guard.retryPending();
    expect(guard.pendingSettlements).toBe(0);
    const key = capCounterKey(h.prefix, 'key', subject.keyId, subject.orgId, 'tokens', 'month', 'UTC', '2025-06');
    expect(await counter(h.redis, key)).toMatchObject({ spent: 150, reserved: 0 });
    own.disconnect();
  });

  test('a dead gateway\'s reservations expire and are released by the others', async () => {
    const clock = new TestClock(T0);
    const dying = h.guard({ now: clock.now, leaseMs: 30_000 });
    const survivor = h.guard({ now: clock.now, leaseMs: 30_000 });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'month' as const, unit: 'usd' as const, limit: 1, hard: true }];
    const rates = [{ scope: 'key' as const, maxParallel: 2 }];
    const held = await Promise.all([dying.reserve(subject, estimateOf(0, 100_000), caps, rates, { requestId: 'lost-1' }), dying.reserve(subject, estimateOf(0, 100_000), caps, rates)]);
    dying.close(); // crashed: no settle, no lease renewal
    await expect(survivor.reserve(subject, estimateOf(1, 1), caps, rates)).rejects.toMatchObject({ status: 429 });
    const key = capCounterKey(h.prefix, 'key', subject.keyId, subject.orgId, 'usd', 'month', 'UTC', '2025-06');
    expect(await counter(h.redis, key)).toMatchObject({ reserved: 400_000_000 });

    clock.advance(20_000);
    await survivor.renewLeases(); // renews only its own (none)
    expect(await survivor.reapExpired()).toBe(0);
    clock.advance(11_000);
    expect(await survivor.reapExpired()).toBe(2);
    expect(await counter(h.redis, key)).toMatchObject({ spent: 0, reserved: 0 });
    expect(Number(await h.redis.get(`${h.prefix}spend:par:key:${subject.keyId}`))).toBe(0);
    const expired = h.events.filter((e): e is ReservationExpiredEvent => e.type === 'spend.reservation_expired' && e.reservation.keyId === subject.keyId);
    expect(expired).toHaveLength(2);
    expect(expired.map((e) => e.reservation.requestId)).toContain('lost-1');
    expect(expired[0].reservation.estimatedUsd).toBeCloseTo(0.2, 10);
    await h.ledger.flush();
    const { rows } = await h.pool.query(
      'SELECT request_id, status, error_code, cost_usd::float AS cost, estimated_cost_usd::float AS est FROM usage_records WHERE api_key_id = $1 ORDER BY request_id', [subject.keyId]);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.request_id === 'lost-1')).toEqual({ request_id: 'lost-1', status: 0, error_code: 'reservation_expired', cost: 0, est: 0.2 });

    // If the "dead" gateway was only partitioned and settles late, the real cost still counts, once.
    await dying.settle(held[0], usage(0, 1000), testRoute());
    expect(await counter(h.redis, key)).toMatchObject({ spent: 2_000_000, reserved: 0 });
    await survivor.release(await survivor.reserve(subject, estimateOf(1, 1), caps, rates));
  });

  test('live reservations are renewed and survive past the lease', async () => {
    const clock = new TestClock(T0);
    const guard = h.guard({ now: clock.now, leaseMs: 30_000 });
    const r = await guard.reserve(newSubject(), estimateOf(1, 1), [], [{ scope: 'key', maxParallel: 1 }]);
    clock.advance(20_000);
    await guard.renewLeases();
    clock.advance(20_000);
    expect(await guard.reapExpired()).toBe(0);
    await guard.release(r);
  });
});

describe('soft caps and alerts', () => {
  test('alerts fire once at 50, 80 and 100 % of settled spend; soft caps never deny', async () => {
    const guard = h.guard({ now: () => T0 });
    const subject = newSubject();
    const caps = [
      { scope: 'workspace' as const, window: 'day' as const, unit: 'usd' as const, limit: 0.01, hard: false, source: 'policy' },
      { scope: 'workspace' as const, window: 'day' as const, unit: 'usd' as const, limit: 1, hard: true },
    ];
    for (let i = 0; i < 30; i++) {
      const r = await guard.reserve(subject, estimateOf(0, 1000), caps, []); // soft cap exceeded from i = 5 on: still served
      await guard.settle(r, usage(0, 1000), testRoute()); // $0.002
    }
    const alerts = h.events.filter((e): e is SpendAlertEvent => e.type === 'spend.alert' && e.subject.workspaceId === subject.workspaceId);
    expect(alerts.map((a) => [a.limit, a.threshold])).toEqual([[0.01, 0.5], [0.01, 0.8], [0.01, 1]]);
    expect(alerts[2]).toMatchObject({ scope: 'workspace', window: 'day', windowId: '2025-06-10', unit: 'usd', hard: false, source: 'policy', spent: 0.01 });
    // The hard $1 cap crossed nothing yet ($0.06).
    for (let i = 0; i < 230; i++) {
      const r = await guard.reserve(subject, estimateOf(0, 1000), caps, []);
      await guard.settle(r, usage(0, 1000), testRoute());
    }
    const hard = h.events.filter((e): e is SpendAlertEvent => e.type === 'spend.alert' && e.subject.workspaceId === subject.workspaceId && e.hard);
    expect(hard.map((a) => a.threshold)).toEqual([0.5]);
  });

  test('metrics land on the given registry', async () => {
    const registry = new Registry();
    const guard = h.guard({ now: () => T0, registry });
    const subject = newSubject();
    const caps = [{ scope: 'key' as const, window: 'day' as const, unit: 'usd' as const, limit: 0.001, hard: true }];
    await guard.settle(await guard.reserve(subject, estimateOf(0, 400), caps, []), usage(0, 400), testRoute());
    await guard.reserve(subject, estimateOf(0, 400), caps, []).catch(() => undefined);
    const text = await registry.metrics();
    expect(text).toMatch(/gatehouse_spend_reservations_total\{outcome="reserved"\} 1/);
    expect(text).toMatch(/gatehouse_spend_reservations_total\{outcome="cap_exceeded"\} 1/);
    expect(text).toMatch(/gatehouse_spend_settled_usd_total 0\.0008/);
    expect(text).toMatch(/gatehouse_spend_counter_rebuilds_total 1/);
    expect(text).toMatch(/gatehouse_spend_alerts_total\{scope="key",threshold="0.5",hard="true"\} 1/);
  });
});
