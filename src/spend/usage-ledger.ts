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
    this.pending.push(row);
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
          prompt_tokens, completion_tokens, cached_tokens, cost_usd, latency_ms, error_code)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::int[],
          $9::bool[], $10::int[], $11::int[], $12::int[], $13::numeric[], $14::int[], $15::text[])`,
      [col('requestId'), col('orgId'), col('workspaceId'), col('apiKeyId'), col('route'), col('model'), col('endpointId'),
        col('status'), col('stream'), col('promptTokens'), col('completionTokens'), col('cachedTokens'), col('costUsd'),
        rows.map((r) => Math.round(r.latencyMs)), col('errorCode')],
    );
  }
}
