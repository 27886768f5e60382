import type { Pool } from 'pg';
import { NO_KEY_LIMITS, type KeyLimits } from './limits';
import { CAP_WINDOWS, type CapWindow } from './windows';

/**
 * The api_keys columns holding a key's limits (migration 030). The key store can add
 * `KEY_LIMIT_COLUMNS` to its SELECT (aliased table `k`) and map rows with keyLimitsFromRow, so
 * the limits ride along with the cached key record at no extra query.
 */
export const KEY_LIMIT_COLUMNS = 'k.budget_usd, k.budget_window, k.budget_tokens, k.rpm, k.tpm, k.max_parallel';

export interface KeyLimitRow {
  budget_usd: string | number | null;
  budget_window: string | null;
  budget_tokens: string | number | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
}

const num = (v: string | number | null): number | null => (v === null || v === undefined ? null : Number(v));

export function keyLimitsFromRow(row: KeyLimitRow): KeyLimits {
  return {
    budgetUsd: num(row.budget_usd),
    budgetWindow: row.budget_window && (CAP_WINDOWS as readonly string[]).includes(row.budget_window) ? row.budget_window as CapWindow : null,
    budgetTokens: num(row.budget_tokens),
    rpm: row.rpm, tpm: row.tpm, maxParallel: row.max_parallel,
  };
}

export async function loadKeyLimits(pool: Pool, keyId: string): Promise<KeyLimits> {
  const { rows } = await pool.query<KeyLimitRow>(`SELECT ${KEY_LIMIT_COLUMNS} FROM api_keys k WHERE k.id = $1`, [keyId]);
  return rows.length ? keyLimitsFromRow(rows[0]) : NO_KEY_LIMITS;
}

/** Checks limits given by an operator; throws a message naming the option. */
export function validateKeyLimits(limits: Partial<KeyLimits>): void {
  if (limits.budgetUsd != null && !(Number.isFinite(limits.budgetUsd) && limits.budgetUsd >= 0 && limits.budgetUsd < 1e8)) {
    throw new Error(`--budget-usd must be a non-negative amount below 100000000, got ${limits.budgetUsd}`);
  }
  if (limits.budgetWindow != null && !CAP_WINDOWS.includes(limits.budgetWindow)) {
    throw new Error(`--budget-window must be one of ${CAP_WINDOWS.join(', ')}, got "${limits.budgetWindow}"`);
  }
  for (const [flag, v] of [['--budget-tokens', limits.budgetTokens], ['--rpm', limits.rpm], ['--tpm', limits.tpm], ['--max-parallel', limits.maxParallel]] as const) {
    if (v != null && !(Number.isInteger(v) && v > 0 && v <= 2 ** 31 - 1)) throw new Error(`${flag} must be a positive integer, got ${v}`);
  }
}

/** Stores a key's limits (null clears one). */
export async function setKeyLimits(pool: Pool, keyId: string, limits: KeyLimits): Promise<void> {
  validateKeyLimits(limits);
  const { rowCount } = await pool.query(
    `UPDATE api_keys SET budget_usd = $2, budget_window = $3, budget_tokens = $4, rpm = $5, tpm = $6, max_parallel = $7 WHERE id = $1`,
    [keyId, limits.budgetUsd, limits.budgetUsd !== null || limits.budgetTokens !== null ? (limits.budgetWindow ?? 'month') : limits.budgetWindow,
      limits.budgetTokens, limits.rpm, limits.tpm, limits.maxParallel],
  );
  if (rowCount === 0) throw new Error(`no API key with id ${keyId}`);
}
