import type { Pool } from 'pg';

export interface UsageRow {
  requestId: string;
  orgId: string;
  workspaceId: string;
  apiKeyId: string | null;
  route: string;
  model: string;
  endpointId: string | null;
  status: number;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  costUsd: number;
  latencyMs: number;
  errorCode: string | null;
  /** The key's user, so user caps can be rebuilt from the ledger. */
  userId?: string | null;
  /** Subject tags (team, project…) for tag caps. */
  tags?: readonly string[] | null;
  decisionId?: string | null;
  reservationId?: string | null;
  estimatedCostUsd?: number | null;
  /**
   * When the spend was settled (SettleResult.settledAt). Stamped at record() when absent, never at
   * the batched insert: counter rebuilds rely on it to tell rows Redis already counted.
   */
  createdAt?: Date;
}

export interface UsageLedgerOptions {
  pool: Pool;
  flushIntervalMs?: number;
  maxBatch?: number;
  onError?: (err: unknown, lost: number) => void;
}

/**
 * Writes usage rows in batches (one multi-row INSERT per flush) so the request path never
 * waits on PostgreSQL. A failed flush is retried with the next one; rows are kept in memory
 * up to a bound so a long database outage cannot exhaust it.
 */
export class UsageLedger {
  private pending: UsageRow[] = [];
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly maxBatch: number;
  private static readonly MAX_PENDING = 100_000;

  constructor(private readonly options: UsageLedgerOptions) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  record(row: UsageRow): void {
    if (this.pending.length >= UsageLedger.MAX_PENDING) {
      this.options.onError?.(new Error('usage backlog full'), 1);
      return;
    }
    this.pending.push(row.createdAt ? row : { ...row, createdAt: new Date() });
    if (this.pending.length >= this.maxBatch) void this.flush();
  }

  /** Writes everything recorded so far; resolves when it is in PostgreSQL. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.flushing = this.insert(batch)
      .catch((err) => {
        this.pending = batch.concat(this.pending);
        this.options.onError?.(err, 0);
      })
      .finally(() => { this.flushing = null; });
    await this.flushing;
    if (this.pending.length >= this.maxBatch) await this.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async insert(rows: UsageRow[]): Promise<void> {
    const col = <K extends keyof UsageRow>(k: K): UsageRow[K][] => rows.map((r) => r[k]);
    await this.options.pool.query(
      `INSERT INTO usage_records (request_id, org_id, workspace_id, api_key_id, route, model, endpoint_id, status, stream,
          prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_ms, error_code,
          user_id, tags, decision_id, reservation_id, estimated_cost_usd, created_at)
       SELECT u.request_id, u.org_id, u.workspace_id, u.api_key_id, u.route, u.model, u.endpoint_id, u.status, u.stream,
          u.prompt_tokens, u.completion_tokens, u.cached_tokens, u.cost_usd, u.latency_ms, u.error_code,
          u.user_id, CASE WHEN u.tags IS NULL THEN NULL ELSE string_to_array(u.tags, E'\x1f') END,
          u.decision_id, u.reservation_id, u.estimated_cost_usd, u.created_at
       FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::int[],
          $9::bool[], $10::int[], $11::int[], $12::int[], $13::numeric[], $14::int[], $15::text[],
          $16::uuid[], $17::text[], $18::text[], $19::text[], $20::numeric[], $21::timestamptz[])
         AS u(request_id, org_id, workspace_id, api_key_id, route, model, endpoint_id, status, stream,
          prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_ms, error_code,
          user_id, tags, decision_id, reservation_id, estimated_cost_usd, created_at)`,
      [col('requestId'), col('orgId'), col('workspaceId'), col('apiKeyId'), col('route'), col('model'), col('endpointId'),
        col('status'), col('stream'), col('promptTokens'), col('completionTokens'), col('cachedTokens'), col('costUsd'),
        rows.map((r) => Math.round(r.latencyMs)), col('errorCode'),
        rows.map((r) => r.userId ?? null),
        // A text[][] cannot be ragged, so each row's tags travel as one string joined by the unit separator.
        rows.map((r) => (r.tags && r.tags.length > 0 ? r.tags.join('\x1f') : null)),
        rows.map((r) => r.decisionId ?? null), rows.map((r) => r.reservationId ?? null),
        rows.map((r) => r.estimatedCostUsd ?? null), rows.map((r) => r.createdAt ?? new Date())],
    );
  }
}
