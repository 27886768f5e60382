/**
 * The Redis scripts. Each runs atomically, which is what makes caps hold under concurrency:
 * RESERVE checks every applicable cap, rate bucket and parallel counter and then holds the
 * estimate on all of them, or on none.
 *
 * Data layout (all keys under the configured prefix):
 * - cap counter, a hash: s = settled amount, r = reserved by requests in flight, h = generation
 *   (set when the counter was built from the ledger; a counter without h must be hydrated first),
 *   c = first write since the counter was (re)created (the ledger cut-off of a rebuild).
 * - rate bucket, a hash: v = tokens available, t = last update (ms). Refills continuously.
 * - parallel counter, an integer.
 * - `resv` hash: reservation id → JSON of what it holds (for the reaper); `lease` sorted set:
 *   reservation id → lease expiry (ms). Live gateways renew their leases; a dead one's expire.
 *
 * Amounts are integers (nano-dollars or tokens) passed as strings, never through Lua's float
 * formatting (tostring prints 1e+15 for large numbers).
 */

/**
 * KEYS: resv, lease, caps[nc], rate buckets[nr], parallel counters[np]
 * ARGV: id, now, leaseUntil, meta, nc, nr, np, then per cap (amount, limit or -1, unused: the TTL is set by HYDRATE and SETTLE),
 *       per rate (cost, capacity, refill per ms), per parallel (limit)
 * Reply: {0, s, r, h per cap..., tokens left per rate..., in flight per parallel...}
 *      | {1, cap#, s, r} cap | {2, rate#, waitMs or -1, tokens left} rate | {3, par#, in flight} parallel
 *      | {4, cap#...} counters to hydrate first
 */
export const RESERVE = `
local now = tonumber(ARGV[2])
local nc, nr, np = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local caps = {}
local missing = {}
for i = 1, nc do
  local v = redis.call('HMGET', KEYS[2 + i], 's', 'r', 'h')
  if not v[3] then missing[#missing + 1] = i end
  caps[i] = v
end
if #missing > 0 then
  local out = {4}
  for _, i in ipairs(missing) do out[#out + 1] = i end
  return out
end
local a = 8
for i = 1, nc do
  local limit = tonumber(ARGV[a + 1])
  local s, r = tonumber(caps[i][1] or '0'), tonumber(caps[i][2] or '0')
  if limit >= 0 and s + r + tonumber(ARGV[a]) > limit then return {1, i, s, r} end
  a = a + 3
end
local tokens = {}
for j = 1, nr do
  local cost, cap, rate = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local v = redis.call('HMGET', KEYS[2 + nc + j], 'v', 't')
  local left = cap
  if v[1] then
    local elapsed = now - tonumber(v[2])
    if elapsed < 0 then elapsed = 0 end
    left = math.min(cap, tonumber(v[1]) + elapsed * rate)
  end
  if left < cost then
    local wait = -1
    if cost <= cap then wait = math.ceil((cost - left) / rate) end
    return {2, j, wait, math.floor(left)}
  end
  tokens[j] = left
  a = a + 3
end
local inflight = {}
for k = 1, np do
  local n = tonumber(redis.call('GET', KEYS[2 + nc + nr + k]) or '0')
  if n + 1 > tonumber(ARGV[a]) then return {3, k, n} end
  inflight[k] = n + 1
  a = a + 1
end
local out = {0}
local held = {}
a = 8
for i = 1, nc do
  local key = KEYS[2 + i]
  local r = redis.call('HINCRBY', key, 'r', ARGV[a])
  held[i] = {key, ARGV[a], caps[i][3]}
  out[#out + 1] = tonumber(caps[i][1] or '0')
  out[#out + 1] = r
  out[#out + 1] = caps[i][3]
  a = a + 3
end
for j = 1, nr do
  local key = KEYS[2 + nc + j]
  local cost, cap, rate = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local left = tokens[j] - cost
  redis.call('HSET', key, 'v', left, 't', now)
  redis.call('PEXPIRE', key, math.ceil(cap / rate) + 60000)
  out[#out + 1] = math.floor(left)
  a = a + 3
end
local pkeys = {}
for k = 1, np do
  local key = KEYS[2 + nc + nr + k]
  redis.call('INCR', key)
  redis.call('PEXPIRE', key, 86400000)
  pkeys[k] = key
  out[#out + 1] = inflight[k]
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({m = ARGV[4], c = held, p = pkeys}))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return out
`;

/**
 * KEYS: resv, lease, done marker, caps[nc], token buckets[nr], parallel counters[np]
 * ARGV: id, now, nc, nr, np, then per cap (minus reserved, actual, generation, ttl ms or 0),
 *       per bucket (refund = reserved − actual tokens, capacity, refill per ms)
 * Reply: {held (1 when the reservation was still live), s per cap...} | {-1} already settled.
 * A reservation already reaped (or lost with Redis) only adds the actual amounts. The done marker
 * makes a retried settlement (after a timeout whose command did run) count once.
 */
export const SETTLE = `
if not redis.call('SET', KEYS[3], '1', 'PX', 3600000, 'NX') then return {-1} end
local now = tonumber(ARGV[2])
local nc, nr, np = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local held = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local out = {held}
local a = 6
for i = 1, nc do
  local key = KEYS[3 + i]
  if held == 1 and ARGV[a] ~= '0' and redis.call('HGET', key, 'h') == ARGV[a + 2] then
    redis.call('HINCRBY', key, 'r', ARGV[a])
  end
  out[#out + 1] = redis.call('HINCRBY', key, 's', ARGV[a + 1])
  redis.call('HSETNX', key, 'c', ARGV[2])
  local expireAt = tonumber(ARGV[a + 3])
  if expireAt > 0 then redis.call('PEXPIRE', key, expireAt) end
  a = a + 4
end
for j = 1, nr do
  local key = KEYS[3 + nc + j]
  local refund, cap, rate = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local v = redis.call('HMGET', key, 'v', 't')
  local left = cap
  if v[1] then
    local elapsed = now - tonumber(v[2])
    if elapsed < 0 then elapsed = 0 end
    left = math.min(cap, tonumber(v[1]) + elapsed * rate)
  end
  left = math.min(cap, left + refund)
  redis.call('HSET', key, 'v', left, 't', math.max(now, tonumber(v[2] or now)))
  redis.call('PEXPIRE', key, math.ceil(cap / rate) + 60000)
  a = a + 3
end
if held == 1 then
  for k = 1, np do
    local key = KEYS[3 + nc + nr + k]
    if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
  end
end
return out
`;

/**
 * Releases the holds of reservations whose lease expired (their gateway died or lost Redis).
 * KEYS: resv, lease. ARGV: now, max. Reply: the meta JSON of each reaped reservation.
 */
export const REAP = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local payload = redis.call('HGET', KEYS[1], id)
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  if payload then
    local d = cjson.decode(payload)
    for _, c in ipairs(d.c) do
      if c[2] ~= '0' and redis.call('HGET', c[1], 'h') == c[3] then redis.call('HINCRBY', c[1], 'r', '-' .. c[2]) end
    end
    for _, key in ipairs(d.p) do
      if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
    end
    out[#out + 1] = d.m
  end
end
return out
`;

/**
 * Builds a counter from the ledger: adds the ledger total of rows before the cut-off to what was
 * settled into the (re)created counter since, and marks it hydrated.
 * KEYS: counter. ARGV: cutoff, ledger amount, generation, ttl ms or 0 (relative: the clock may be injected).
 * Reply: {1} hydrated | {0} someone else did | {2, c} a settle wrote since the cut-off was read: retry with c.
 */
export const HYDRATE = `
if redis.call('HEXISTS', KEYS[1], 'h') == 1 then return {0} end
local c = redis.call('HGET', KEYS[1], 'c')
if c and tonumber(c) < tonumber(ARGV[1]) then return {2, c} end
redis.call('HINCRBY', KEYS[1], 's', ARGV[2])
redis.call('HSET', KEYS[1], 'h', ARGV[3])
local expireAt = tonumber(ARGV[4])
if expireAt > 0 then redis.call('PEXPIRE', KEYS[1], expireAt) end
return {1}
`;
