import type { Pool } from 'pg';
import type { CapScope, CapUnit } from './limits';

export interface LedgerTotalQuery {
  scope: CapScope;
  /** Workspace/user/key id, or the tag. */
  scopeId: string;
  orgId: string;
  unit: CapUnit;
  /** Window start (inclusive) and the rebuild cut-off (exclusive), ms since epoch. */
  fromMs: number;
  toMs: number;
}

const FILTER: Record<CapScope, string> = {
  workspace: 'workspace_id = $1::uuid',
  user: 'user_id = $1::uuid',
  key: 'api_key_id = $1::uuid',
  tag: 'tags @> ARRAY[$1::text] AND org_id = $4::uuid',
};

const AMOUNT: Record<CapUnit, string> = {
  // cost_usd is numeric(18,8): × 1e9 is an exact integer of nano-dollars.
  usd: 'COALESCE(SUM(cost_usd) * 1000000000, 0)::bigint',
  tokens: 'COALESCE(SUM(prompt_tokens::bigint + completion_tokens::bigint), 0)::bigint',
};

const sqlCache = new Map<string, string>();

/** Settled total of one cap counter according to the ledger (nano-dollars or tokens). */
export async function ledgerTotal(pool: Pool, q: LedgerTotalQuery): Promise<number> {
  const cacheKey = `${q.scope}:${q.unit}`;
  let sql = sqlCache.get(cacheKey);
  if (!sql) {
    sql = `SELECT ${AMOUNT[q.unit]} AS total FROM usage_records WHERE ${FILTER[q.scope]} AND created_at >= $2 AND created_at < $3`;
    sqlCache.set(cacheKey, sql);
  }
  const params: unknown[] = [q.scopeId, new Date(q.fromMs), new Date(q.toMs)];
  if (q.scope === 'tag') params.push(q.orgId);
  const { rows } = await pool.query<{ total: string }>(sql, params);
  return Number(rows[0].total);
}
