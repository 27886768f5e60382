import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Pool } from 'pg';
import { createRedis } from '../db';
import type { ChainHead } from './chain';
import { registerSigningKey, writeCheckpoint } from './checkpoints';
import type { AuditLogger } from './producer';
import { AUDIT_QUEUE, bullPrefix, type AuditEnvelope, type AuditJobData } from './queue';
import { parseAuditEvent } from './schema';
import type { AuditSigner } from './signing';
import { appendEvents, prepareEvent, type AppendResult, type PreparedEvent } from './store';

/**
 * The audit writer (`gatehouse worker`, and inside `serve` unless disabled). A BullMQ worker
 * with high concurrency hands every job's events (one, or a producer's batch) to a batcher; one
 * flush at a time appends the batch (in arrival order) to the chains in a single transaction,
 * and only then are the jobs completed. A writer killed mid-batch leaves its jobs active in Redis; their locks expire,
 * BullMQ's stalled check returns them to the queue, and the next writer stores them — ids
 * already committed are dropped as duplicates, so there are neither gaps nor doubles.
 */

export interface AuditWriterOptions {
  pool: Pool;
  redisUrl: string;
  prefix: string;
  logger?: AuditLogger;
  /** Signs checkpoints; without it no checkpoints are written (a warning is logged). */
  signer?: AuditSigner | null;
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /** Max events per transaction; also the number of jobs held at once (default 500). */
  batchSize?: number;
  /** BullMQ job lock; a killed writer's jobs come back after this (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default 15 s). */
  stalledIntervalMs?: number;
  /**
   * How long the first job of a batch waits for others before the transaction (default 10 ms).
   * The events are already durable in Redis, so waiting costs no request latency, and at a few
   * hundred requests per second it turns one transaction per job into one per several jobs.
   */
  lingerMs?: number;
}

export interface AuditWriterStats {
  written: number;
  duplicates: number;
  batches: number;
  rejected: number;
  checkpoints: number;
}

export interface AuditWriter {
  stats(): AuditWriterStats;
  /** Writes checkpoints for every chain that moved since the last one (also runs on a timer). */
  checkpointNow(): Promise<void>;
  close(): Promise<void>;
}

interface Waiting { item: PreparedEvent; resolve: () => void; reject: (err: Error) => void }

// Only data errors (22xxx), constraint violations (23xxx) and size limits (54xxx) are about the
// events themselves. Everything else — lost connections, shutdowns, deadlocks, a missing table
// or privilege an operator will fix — is retried with backoff, never turned into lost events.
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return !(typeof code === 'string' && /^(22|23|54)/.test(code));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

class BatchingWriter implements AuditWriter {
  private waiting: Waiting[] = [];
  private flushing = false;
  private closing = false;
  private readonly counters: AuditWriterStats = { written: 0, duplicates: 0, batches: 0, rejected: 0, checkpoints: 0 };
  private readonly heads = new Map<string, ChainHead>();
  private readonly checkpointed = new Map<string, number>();
  private readonly timer: NodeJS.Timeout | null;
  private worker: Worker | null = null;
  private checkpointing: Promise<void> | null = null;

  constructor(private readonly opts: AuditWriterOptions & { batchSize: number; checkpointEvery: number; checkpointIntervalMs: number; lingerMs: number }) {
    this.timer = opts.signer ? setInterval(() => void this.checkpointNow(), opts.checkpointIntervalMs) : null;
    this.timer?.unref();
  }

  attach(worker: Worker): void {
    this.worker = worker;
  }

  stats(): AuditWriterStats {
    return { ...this.counters };
  }

  /**
   * BullMQ processor: resolves when the job's events are committed to their chains. A batch job
   * (`{b: [...]}`) with invalid events still commits the valid ones, then fails (kept in the failed
   * set for inspection; a retry would find the valid ones already stored and drop them as duplicates).
   */
  readonly process = (job: Job<AuditJobData>): Promise<void> => {
    const data = job.data as Partial<{ b: unknown }> | undefined;
    const envelopes = data && Array.isArray(data.b) ? (data.b as AuditEnvelope[]) : [job.data as AuditEnvelope];
    const items: PreparedEvent[] = [];
    let invalid: Error | null = null;
    for (const envelope of envelopes) {
      try {
        items.push(prepareEvent(parseAuditEvent(envelope?.e), envelope.c));
      } catch (err) {
        this.counters.rejected += 1;
        this.opts.logger?.error({ err, jobId: job.id }, 'invalid audit event rejected (kept in the failed set)');
        invalid ??= new UnrecoverableError(`invalid audit event: ${(err as Error).message}`);
      }
    }
    if (items.length === 0) return Promise.reject(invalid ?? new UnrecoverableError('empty audit batch'));
    const committed = Promise.all(items.map((item) => new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
    })));
    if (!this.flushing) {
      this.flushing = true;
      if (this.opts.lingerMs > 0) setTimeout(() => void this.flushLoop(), this.opts.lingerMs);
      else setImmediate(() => void this.flushLoop());
    }
    return invalid ? committed.then(() => Promise.reject(invalid)) : committed.then(() => undefined);
  };

  private async flushLoop(): Promise<void> {
    while (this.waiting.length > 0 && !this.closing) {
      const batch = this.waiting.splice(0, this.opts.batchSize);
      await this.commit(batch);
    }
    this.flushing = false;
  }

  private async commit(batch: Waiting[]): Promise<void> {
    let delay = 100;
    for (;;) {
      try {
        this.record(await appendEvents(this.opts.pool, batch.map((w) => w.item)));
        for (const w of batch) w.resolve();
        return;
      } catch (err) {
        if (this.closing) return; // jobs stay active in Redis and come back as stalled
        if (!isTransient(err)) return this.commitOneByOne(batch, err);
        this.opts.logger?.warn({ err, events: batch.length, retryInMs: delay }, 'audit batch not written; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  /** A batch the database refused for its content: find the offending events, keep the rest. */
  private async commitOneByOne(batch: Waiting[], cause: unknown): Promise<void> {
    this.opts.logger?.warn({ err: cause, events: batch.length }, 'audit batch refused; writing its events one by one');
    for (const w of batch) {
      try {
        this.record(await appendEvents(this.opts.pool, [w.item]));
        w.resolve();
      } catch (err) {
        if (isTransient(err) || this.closing) {
          // The database went away meanwhile: retry the remainder as a batch.
          return this.commit(batch.slice(batch.indexOf(w)));
        }
        this.counters.rejected += 1;
        this.opts.logger?.error({ err, id: w.item.event.id }, 'audit event refused by the database');
        w.reject(new UnrecoverableError(`audit event refused: ${(err as Error).message}`));
      }
    }
  }

  private record(result: AppendResult): void {
    this.counters.written += result.inserted;
    this.counters.duplicates += result.duplicates;
    this.counters.batches += 1;
    let due = false;
    for (const [org, head] of result.heads) {
      this.heads.set(org, head);
      if (head.seq - (this.checkpointed.get(org) ?? 0) >= this.opts.checkpointEvery) due = true;
    }
    if (due && this.opts.signer) void this.checkpointNow();
  }

  checkpointNow(): Promise<void> {
    const signer = this.opts.signer;
    if (!signer) return Promise.resolve();
    this.checkpointing ??= (async () => {
      for (const [org, head] of this.heads) {
        if (head.seq <= (this.checkpointed.get(org) ?? 0)) continue;
        try {
          await writeCheckpoint(this.opts.pool, signer, org, head);
          this.checkpointed.set(org, head.seq);
          this.counters.checkpoints += 1;
        } catch (err) {
          this.opts.logger?.warn({ err, org }, 'audit checkpoint not written; will retry');
        }
      }
    })().finally(() => {
      this.checkpointing = null;
    });
    return this.checkpointing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Stop taking jobs, let what is held be committed (bounded), then stop without waiting
    // for the rest: whatever was not committed is returned to the queue by the stalled check.
    await this.worker?.pause(true).catch(() => undefined);
    const deadline = Date.now() + 5_000;
    while ((this.flushing || this.waiting.length > 0) && Date.now() < deadline) await sleep(10);
    this.closing = true;
    await this.worker?.close(true);
    await this.checkpointNow();
    if (this.checkpointing) await this.checkpointing;
  }
}

export async function startAuditWriter(options: AuditWriterOptions): Promise<AuditWriter> {
  const batchSize = options.batchSize ?? 500;
  const writer = new BatchingWriter({
    checkpointEvery: 1_000, checkpointIntervalMs: 30_000, lingerMs: 10, ...options, batchSize,
  });
  if (options.signer) await registerSigningKey(options.pool, options.signer);
  else options.logger?.warn({}, 'no audit signing key configured (GATEHOUSE_AUDIT_SIGNING_KEY[_FILE]): checkpoints are not signed');
  const connection = createRedis(options.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<AuditJobData>(AUDIT_QUEUE, writer.process, {
    connection,
    prefix: bullPrefix(options.prefix),
    concurrency: batchSize,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 15_000,
    // A job comes back once per writer crash; it must never be failed for that.
    maxStalledCount: 1_000_000,
    removeOnComplete: { count: 0 },
  });
  worker.on('error', (err) => options.logger?.warn({ err }, 'audit writer queue error'));
  writer.attach(worker);
  const close = writer.close.bind(writer);
  writer.close = async () => {
    await close();
    connection.disconnect();
  };
  return writer;
}
