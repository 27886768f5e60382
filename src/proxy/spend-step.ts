import type { ApiKeyRecord } from '../db';
import { capsForKey, combineLimits, subjectFromKey, type CapSpec, type RateSpec, type SpendEstimate } from '../spend';
import type { Exchange } from './exchange';
import type { DataPlaneServices } from './services';

// A key's own limits only change when its record is reloaded, so their specs are built once per record.
const keyLimitCache = new WeakMap<ApiKeyRecord, { caps: CapSpec[]; rates: RateSpec[] }>();

function keyLimits(key: ApiKeyRecord): { caps: CapSpec[]; rates: RateSpec[] } {
  let limits = keyLimitCache.get(key);
  if (!limits) {
    limits = capsForKey(key.limits);
    keyLimitCache.set(key, limits);
  }
  return limits;
}

/**
 * Holds the request's worst-case cost on every cap and rate limit that applies (the key's and
 * the workspace policy's), atomically, before anything is sent upstream. Throws the 402/429/503
 * the client must see; on success the remaining-budget and rate-limit headers are set.
 */
export async function reserveSpend(
  ex: Exchange, services: DataPlaneServices, policyLimits: { caps: readonly CapSpec[]; rates: readonly RateSpec[] }, estimate: SpendEstimate,
): Promise<void> {
  const key = ex.key!;
  const limits = combineLimits(keyLimits(key), policyLimits);
  ex.estimate = estimate;
  ex.reservation = await services.spend.reserve(subjectFromKey(key), estimate, limits.caps, limits.rates, {
    requestId: ex.requestId, model: ex.model, route: ex.route, decisionId: ex.decisionId ?? undefined,
  });
  const headers = services.spend.headersFor(ex.reservation);
  for (const name in headers) ex.res.setHeader(name, headers[name]);
}
