import { Queue, type JobsOptions } from 'bullmq';
import { createRedis, type Redis } from '../db';
import { createContentCipher, type ContentCipher } from './content-crypto';
import { buildAuditEvent, parseAuditEvent, type AuditEventInput } from './schema';
import { DurableSpool } from './spool';
import { AUDIT_QUEUE, bullPrefix, type AuditEnvelope, type AuditJobData } from './queue';

/**
 * The request path's side of the audit log. emit() validates and builds the event
 * synchronously (a few µs), then the event joins a batch that is sent to BullMQ after at most
 * lingerMs — the caller is never blocked on Redis. A batch of several events travels as ONE job
 * (`{b: [envelope, …]}`): BullMQ's cost is per job (an add script here, a fetch and a finish
 * script in the writer), so batching divides it by the batch size; a lone event keeps the
 * one-event job (`{e, c}`, job id = event id).
 * The returned promise settles when the event is durable: in Redis, or (Redis unreachable or
 * slower than enqueueTimeoutMs) in the local fsync'd spool, which is replayed into the queue
 * once Redis answers again. It rejects with AuditUnavailableError only if neither took it.
 */

export interface AuditLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditProducerOptions {
  redisUrl: string;
  /** The gateway's Redis key prefix (e.g. "gh:"). */
  prefix: string;
  spoolDir: string;
  /** AUDIT_REQUIRED: callers refuse the request (503) when emit() rejects or `available` is false. */
  required: boolean;
  logger?: AuditLogger;
  /** Base64 32-byte key; without it, content is never stored even when obligations allow it. */
  contentKey?: string | null;
  /** How long a batch may wait for Redis before it is spooled instead (default 1000 ms). */
  enqueueTimeoutMs?: number;
  /** Max events per addBulk (default 500). */
  maxBatch?: number;
  /** Max events per BullMQ job (default 100; the writer holds up to its batch size of jobs at once). */
  eventsPerJob?: number;
  /** How long an event may wait for others to share its job (default 5 ms; 0: the next event-loop turn). */
  lingerMs?: number;
  /** How often the spool is checked for events to replay (default 1000 ms). */
  replayIntervalMs?: number;
}

export interface AuditProducerStats {
  /** Events accepted by Redis directly. */
  enqueued: number;
  /** Events written to the spool. */
  spooled: number;
  /** Spooled events later moved into Redis. */
  replayed: number;
  /** Events neither Redis nor the spool could take. */
  lost: number;
}

export interface AuditProducer {
  /** Resolves when Redis or the spool holds the event; rejects (AuditUnavailableError) when neither can. Throws AuditEventError on invalid input. */
  emit(input: AuditEventInput): Promise<void>;
  /** Whether an event emitted now can be made durable (Redis ready, or the spool healthy). */
  readonly available: boolean;
  readonly required: boolean;
  stats(): AuditProducerStats;
  /** Moves spooled events into Redis now (also runs by itself every replayIntervalMs). Returns how many. */
  replaySpool(): Promise<number>;
  /** Flushes what is pending, then closes Redis and the spool. */
  close(): Promise<void>;
}

export class AuditUnavailableError extends Error {
  readonly code = 'audit_unavailable';
}

interface Pending { envelope: AuditEnvelope; resolve: () => void; reject: (err: Error) => void }

const JOB_OPTIONS: Omit<JobsOptions, 'jobId'> = { removeOnComplete: true, removeOnFail: false, attempts: 1 };

/** The jobs carrying `envelopes`: one per event alone, else chunks of up to `perJob` events. */
export function auditJobs(envelopes: readonly AuditEnvelope[], perJob: number): Array<{ name: string; data: AuditJobData; opts: JobsOptions }> {
  if (envelopes.length === 1) {
    const data = envelopes[0];
    return [{ name: data.e.type, data, opts: { ...JOB_OPTIONS, jobId: data.e.id } }];
  }
  const jobs: Array<{ name: string; data: AuditJobData; opts: JobsOptions }> = [];
  for (let i = 0; i < envelopes.length; i += perJob) {
    const b = envelopes.slice(i, i + perJob);
    // Deterministic id: the same batch replayed twice is one job (the writer drops duplicate events anyway).
    jobs.push({ name: 'batch', data: { b }, opts: { ...JOB_OPTIONS, jobId: `batch-${b[0].e.id}-${b.length}` } });
  }
  return jobs;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

class BullAuditProducer implements AuditProducer {
  private pending: Pending[] = [];
  private scheduled = false;
  private inflight = new Set<Promise<void>>();
  private replaying: Promise<number> | null = null;
  private readonly counters: AuditProducerStats = { enqueued: 0, spooled: 0, replayed: 0, lost: 0 };
  private readonly cipher: ContentCipher | null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private warnedNoContentKey = false;

  /** Created on the first 'ready': a BullMQ queue whose start-up check failed (Redis down) stays broken. */
  private queue: Queue | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly spool: DurableSpool,
    private readonly opts: Required<Pick<AuditProducerOptions, 'enqueueTimeoutMs' | 'maxBatch' | 'replayIntervalMs' | 'eventsPerJob' | 'lingerMs'>> & AuditProducerOptions,
  ) {
    this.cipher = opts.contentKey ? createContentCipher(opts.contentKey) : null;
    this.timer = setInterval(() => this.maybeReplay(), opts.replayIntervalMs);
    this.timer.unref();
    redis.on('ready', () => {
      this.ensureQueue();
      this.maybeReplay();
    });
    if (redis.status === 'ready') this.ensureQueue();
  }

  private ensureQueue(): Queue {
    if (!this.queue) {
      this.queue = new Queue(AUDIT_QUEUE, { connection: this.redis, prefix: bullPrefix(this.opts.prefix) });
      this.queue.on('error', () => undefined); // connection errors surface through enqueue failures
    }
    return this.queue;
  }

  get required(): boolean {
    return this.opts.required;
  }

  get available(): boolean {
    return !this.closed && (this.redis.status === 'ready' || this.spool.healthy);
  }

  stats(): AuditProducerStats {
    return { ...this.counters };
  }

  emit(input: AuditEventInput): Promise<void> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('audit producer is closed'));
    let envelope: AuditEnvelope;
    if (input.storeContent && input.content && (input.content.prompt !== undefined || input.content.completion !== undefined)) {
      if (this.cipher) {
        const sealed = this.cipher.seal(input.content);
        envelope = { e: buildAuditEvent(input, sealed.ref), c: sealed.encrypted };
      } else {
        if (!this.warnedNoContentKey) {
          this.warnedNoContentKey = true;
          this.opts.logger?.warn({}, 'audit content storage requested but GATEHOUSE_AUDIT_CONTENT_KEY is not set: content dropped');
        }
        envelope = { e: buildAuditEvent(input) };
      }
    } else {
      envelope = { e: buildAuditEvent(input) };
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ envelope, resolve, reject });
      if (this.pending.length >= this.opts.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        if (this.opts.lingerMs > 0) setTimeout(() => this.flush(), this.opts.lingerMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const done = this.deliver(batch).finally(() => this.inflight.delete(done));
    this.inflight.add(done);
  }

  private async deliver(batch: Pending[]): Promise<void> {
    if (this.redis.status === 'ready') {
      try {
        await withTimeout(this.enqueue(batch.map((p) => p.envelope)), this.opts.enqueueTimeoutMs, 'audit enqueue');
        this.counters.enqueued += batch.length;
        for (const p of batch) p.resolve();
        return;
      } catch (err) {
        this.opts.logger?.warn({ err, events: batch.length }, 'audit queue unavailable; spooling events locally');
      }
    }
    try {
      await this.spool.append(batch.map((p) => JSON.stringify(p.envelope)));
      this.counters.spooled += batch.length;
      for (const p of batch) p.resolve();
    } catch (err) {
      this.counters.lost += batch.length;
      this.opts.logger?.error({ err, events: batch.length }, 'audit events could be neither queued nor spooled');
      const failure = new AuditUnavailableError(`audit log unavailable: ${(err as Error).message}`);
      for (const p of batch) p.reject(failure);
    }
  }

  private async enqueue(envelopes: readonly AuditEnvelope[]): Promise<void> {
    await this.ensureQueue().addBulk(auditJobs(envelopes, this.opts.eventsPerJob));
  }

  private maybeReplay(): void {
    if (this.closed || this.replaying || this.redis.status !== 'ready') return;
    void this.replaySpool().catch((err: unknown) => this.opts.logger?.warn({ err }, 'audit spool replay stopped; will retry'));
  }

  replaySpool(): Promise<number> {
    this.replaying ??= this.spool.replay(async (lines) => {
      const envelopes: AuditEnvelope[] = [];
      for (const line of lines) {
        try {
          const raw = JSON.parse(line) as { e: unknown; c?: AuditEnvelope['c'] };
          envelopes.push(raw.c ? { e: parseAuditEvent(raw.e), c: raw.c } : { e: parseAuditEvent(raw.e) });
        } catch (err) {
          // A torn last line after a crash, or a corrupted one: nothing to recover from it.
          this.opts.logger?.error({ err, line: line.slice(0, 200) }, 'unreadable line in the audit spool skipped');
        }
      }
      await withTimeout(this.enqueue(envelopes), Math.max(this.opts.enqueueTimeoutMs, 5_000), 'audit spool replay');
      this.counters.replayed += envelopes.length;
    }, this.opts.maxBatch).finally(() => {
      this.replaying = null;
    });
    return this.replaying;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inflight]);
    if (this.replaying) await this.replaying.catch(() => undefined);
    await this.spool.close();
    await this.queue?.close().catch(() => undefined);
    this.redis.disconnect();
  }
}

/** Gives a starting connection a moment to come up; a Redis that is down is not an error (spool). */
function waitForReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

export async function createAuditProducer(options: AuditProducerOptions): Promise<AuditProducer> {
  const spool = new DurableSpool(options.spoolDir, options.logger);
  await spool.init();
  // No offline queue: while Redis is down a command fails at once and the event is spooled,
  // instead of waiting in memory where a crash would lose it.
  const redis = createRedis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await waitForReady(redis, options.enqueueTimeoutMs ?? 1_000);
  return new BullAuditProducer(redis, spool, {
    enqueueTimeoutMs: 1_000, maxBatch: 500, replayIntervalMs: 1_000, eventsPerJob: 100, lingerMs: 5, ...options,
  });
}
