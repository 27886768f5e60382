import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import type { EndpointTimeouts } from '../providers';
import { loadCatalogSpecs } from './repository';
import { CatalogSnapshot, type SecretResolver } from './snapshot';

export interface CatalogServiceOptions {
  pool: Pool;
  redis: Redis;
  subscriber: Redis;
  channel: string;
  resolveSecret: SecretResolver;
  defaultTimeouts: EndpointTimeouts;
  onReloadError?: (err: unknown) => void;
}

/**
 * Holds the current catalog snapshot in memory. An admin change publishes on Redis and every
 * instance reloads; a failed reload keeps the previous snapshot rather than serving nothing.
 */
export class CatalogService {
  private snapshot: CatalogSnapshot | null = null;
  private reloading: Promise<void> | null = null;

  constructor(private readonly options: CatalogServiceOptions) {
    options.subscriber.on('message', (channel: string) => {
      if (channel === options.channel) void this.reload().catch((err) => options.onReloadError?.(err));
    });
  }

  async start(): Promise<void> {
    await this.options.subscriber.subscribe(this.options.channel);
    await this.reload();
  }

  current(): CatalogSnapshot {
    if (!this.snapshot) throw new Error('catalog not loaded yet');
    return this.snapshot;
  }

  reload(): Promise<void> {
    // Coalesce bursts of change notifications into one read.
    if (!this.reloading) {
      this.reloading = loadCatalogSpecs(this.options.pool)
        .then((specs) => {
          this.snapshot = new CatalogSnapshot(specs, this.options.resolveSecret, this.options.defaultTimeouts);
        })
        .finally(() => { this.reloading = null; });
    }
    return this.reloading;
  }

  async publishChange(): Promise<void> {
    await this.options.redis.publish(this.options.channel, String(Date.now()));
  }
}
