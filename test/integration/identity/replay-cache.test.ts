import { AssertionReplayCache, RedisSamlRequestCache } from '../../../src/identity';
import { createRedis, type Redis } from '../../../src/db';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../../helpers/database';

let redis: Redis;
beforeAll(() => { redis = createRedis(TEST_REDIS_URL); });
afterAll(async () => { await redis.quit(); });

test('an assertion id is accepted once per organisation, across instances sharing Redis', async () => {
  const prefix = uniqueRedisPrefix();
  const a = new AssertionReplayCache(redis, prefix);
  const b = new AssertionReplayCache(redis, prefix);
  const until = Date.now() + 60_000;
  await expect(a.consume('org-1', '_assertion-1', until)).resolves.toBe(true);
  await expect(b.consume('org-1', '_assertion-1', until)).resolves.toBe(false);
  await expect(b.consume('org-2', '_assertion-1', until)).resolves.toBe(true);
  const ttl = await redis.pttl(`${prefix}org-1:_assertion-1`);
  expect(ttl).toBeGreaterThan(0);
});

test('AuthnRequest ids: saved once, readable by another instance, removed once', async () => {
  const prefix = uniqueRedisPrefix();
  const one = new RedisSamlRequestCache(redis, prefix);
  const two = new RedisSamlRequestCache(redis, prefix);
  expect(await one.saveAsync('_req1', 'now')).toMatchObject({ value: 'now' });
  expect(await one.saveAsync('_req1', 'again')).toBeNull();
  expect(await two.getAsync('_req1')).toBe('now');
  expect(await two.removeAsync('_req1')).toBe('_req1');
  expect(await one.removeAsync('_req1')).toBeNull();
  expect(await one.getAsync('_req1')).toBeNull();
});
