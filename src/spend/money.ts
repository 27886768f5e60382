/**
 * Money in the counters is an integer number of nano-dollars (1e-9 USD): Redis increments
 * integers exactly, and floats summed 10^6 times drift. Costs are first rounded to the ledger's
 * precision (numeric(18,8), i.e. 10 nano-dollars) so a counter rebuilt from the ledger equals
 * the counter that was incremented live, to the last unit.
 */
export const NANOS_PER_USD = 1_000_000_000;

/** USD → integer nano-dollars, rounded to the ledger's 1e-8 USD precision. */
export function usdToNanos(usd: number): number {
  if (!Number.isFinite(usd) || usd <= 0) return 0;
  return Math.round(usd * 1e8) * 10;
}

/** Rounds USD to the ledger's precision (what the ledger row should store). */
export function roundUsd(usd: number): number {
  return usdToNanos(usd) / NANOS_PER_USD;
}

export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** A limit in nano-dollars; limits are rounded down so the cap is never exceeded by rounding. */
export function usdLimitToNanos(usd: number): number {
  return Math.floor(usd * 1e8) * 10;
}

/** "$1.23" style for messages; small amounts keep their significant digits. */
export function formatUsd(usd: number): string {
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toFixed(6).replace(/0+$/, '')}`;
  return `$${usd.toFixed(2)}`;
}
