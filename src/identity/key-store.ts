import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { apiKeyMatches, lookupIdOf } from './api-key-format';
import { findKeyByLookupId, touchKeys, type ApiKeyRecord } from '../db';

export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired';

export type AuthResult = { ok: true; key: ApiKeyRecord } | { ok: false; reason: AuthFailure };

interface CacheEntry {
  record: ApiKeyRecord | null;
  expiresAt: number;
}

export interface KeyStoreOptions {
  pool: Pool;
  /** Publisher connection. */
  redis: Redis;
  /** Dedicated subscriber connection (SUBSCRIBE mode). */
  subscriber: Redis;
  channel: string;
  ttlMs: number;
  /** Unknown lookup ids are remembered briefly so guessing keys cannot hammer PostgreSQL. */
  negativeTtlMs?: number;
  touchIntervalMs?: number;
  /**
   * Bound on reading an uncached key from PostgreSQL (default 5 s): a stalled database must not keep requests
   * waiting for as long as it stalls; they get a retryable 503 instead (cached keys are not affected).
   */
  lookupTimeoutMs?: number;
}

/** Rejects when `work` takes longer than `ms`; the work itself goes on and its result is dropped. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`key lookup took longer than ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * API key authentication for the hot path: key records are cached in memory, and a
 * revocation published on Redis evicts the record on every gateway instance at once.
 */
export class KeyStore {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ApiKeyRecord | null>>();
  private readonly used = new Set<string>();
  private readonly touchTimer: NodeJS.Timeout;
  private readonly ready: Promise<unknown>;

  constructor(private readonly options: KeyStoreOptions) {
    this.ready = options.subscriber.subscribe(options.channel);
    options.subscriber.on('message', (channel: string, lookupId: string) => {
      if (channel === options.channel) this.evict(lookupId);
    });
    // A reconnect may have missed messages: forget everything rather than serve a revoked key.
    options.subscriber.on('ready', () => this.cache.clear());
    this.touchTimer = setInterval(() => void this.flushTouches(), options.touchIntervalMs ?? 30_000);
    this.touchTimer.unref();
  }

  /** Resolves once the revocation channel is subscribed. */
  async start(): Promise<void> {
    await this.ready;
  }

  async authenticate(presented: string | undefined): Promise<AuthResult> {
    if (!presented) return { ok: false, reason: 'missing' };
    const lookupId = lookupIdOf(presented);
    if (!lookupId) return { ok: false, reason: 'malformed' };
    const record = await this.lookup(lookupId);
    // The hash comparison runs even for a cached record: the cache is keyed by the public prefix.
    if (!record || !apiKeyMatches(presented, record.keyHash)) return { ok: false, reason: 'unknown' };
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (record.expiresAt !== null && record.expiresAt <= Date.now()) return { ok: false, reason: 'expired' };
    this.used.add(record.id);
    return { ok: true, key: record };
  }

  /** Broadcasts that a key changed (revoked, edited, created) so every instance re-reads it. */
  async publishInvalidation(lookupId: string): Promise<void> {
    this.evict(lookupId);
    await this.options.redis.publish(this.options.channel, lookupId);
  }

  evict(lookupId: string): void {
    this.cache.delete(lookupId);
  }

  async close(): Promise<void> {
    clearInterval(this.touchTimer);
    await this.flushTouches();
  }

  private lookup(lookupId: string): Promise<ApiKeyRecord | null> | ApiKeyRecord | null {
    const now = Date.now();
    const cached = this.cache.get(lookupId);
    if (cached && cached.expiresAt > now) return cached.record;
    // Concurrent requests with the same key share one database read.
    let pending = this.inflight.get(lookupId);
    if (!pending) {
      pending = withTimeout(findKeyByLookupId(this.options.pool, lookupId), this.options.lookupTimeoutMs ?? 5_000)
        .then((record) => {
          const ttl = record ? this.options.ttlMs : (this.options.negativeTtlMs ?? 5_000);
          this.cache.set(lookupId, { record, expiresAt: Date.now() + ttl });
          return record;
        })
        .finally(() => this.inflight.delete(lookupId));
      this.inflight.set(lookupId, pending);
    }
    return pending;
  }

  private async flushTouches(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used.clear();
    await touchKeys(this.options.pool, ids).catch(() => undefined);
  }
}
