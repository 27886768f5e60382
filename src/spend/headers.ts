import { formatResetDuration } from './errors';
import { nanosToUsd } from './money';
import type { Reservation } from './reservation';

/**
 * Response headers for a reserved request: the budget left under the tightest hard caps (after
 * this request's hold) and OpenAI-style x-ratelimit-* for the tightest request and token buckets.
 */
export function reservationHeaders(reservation: Reservation): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!reservation.verified) return headers;
  const { plan, caps, rateLeft } = reservation;
  let usdLeft = Infinity, usdLimit = 0, tokensLeft = Infinity, resetsAt = Infinity;
  for (let i = 0; i < plan.caps.length; i++) {
    const entry = plan.caps[i];
    if (entry.hardLimit < 0) continue;
    const left = Math.max(0, entry.hardLimit - caps[i].spent - caps[i].reserved);
    if (entry.unit === 'usd') {
      if (left < usdLeft) { usdLeft = left; usdLimit = entry.hardLimit; resetsAt = entry.bounds.endMs; }
    } else if (left < tokensLeft) tokensLeft = left;
  }
  if (usdLeft !== Infinity) {
    headers['x-gatehouse-budget-remaining-usd'] = nanosToUsd(usdLeft).toFixed(6);
    headers['x-gatehouse-budget-limit-usd'] = nanosToUsd(usdLimit).toFixed(2);
    if (Number.isFinite(resetsAt)) headers['x-gatehouse-budget-reset'] = new Date(resetsAt).toISOString();
  }
  if (tokensLeft !== Infinity) headers['x-gatehouse-budget-remaining-tokens'] = String(tokensLeft);
  for (const kind of ['rpm', 'tpm'] as const) {
    let best = -1;
    for (let j = 0; j < plan.rates.length; j++) {
      if (plan.rates[j].kind !== kind) continue;
      if (best < 0 || rateLeft[j] / plan.rates[j].capacity < rateLeft[best] / plan.rates[best].capacity) best = j;
    }
    if (best < 0) continue;
    const rate = plan.rates[best];
    const left = Math.max(0, rateLeft[best]);
    const noun = kind === 'rpm' ? 'requests' : 'tokens';
    headers[`x-ratelimit-limit-${noun}`] = String(rate.capacity);
    headers[`x-ratelimit-remaining-${noun}`] = String(left);
    headers[`x-ratelimit-reset-${noun}`] = formatResetDuration((rate.capacity - left) / rate.perMs);
  }
  return headers;
}
