import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { currentPolicyData, policyDataVersions } from '../db';
import type { PolicyModule, PreparedPolicy } from './engine';
import { prepareRego } from './rego';
import { capsFromPolicyData, combineLimits, type CapSpec, type RateSpec } from '../spend';

export const DEFAULT_POLICY_DIR = path.resolve(__dirname, '..', '..', 'policies');
export const DECISION_ENTRYPOINT = 'gateway/decision';

/** The policy's .rego files (tests excluded), read once at start. */
export function loadPolicyModules(dir: string = DEFAULT_POLICY_DIR): PolicyModule[] {
  const out: PolicyModule[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.rego') && !name.endsWith('_test.rego')) {
        out.push({ path: path.relative(dir, full), source: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(dir);
  if (out.length === 0) throw new Error(`no Rego policy found in ${dir}`);
  return out;
}

/** A workspace's compiled policy and the versions it was built from. */
export interface WorkspacePolicy {
  policy: PreparedPolicy;
  /** e.g. `default@3f9a2c1b/org:v2/ws:v5`, logged with every decision. */
  version: string;
  orgVersion: number;
  workspaceVersion: number;
  /** Spend caps and rate limits of both levels (both apply: the lowest hard limit wins). */
  spend: { caps: CapSpec[]; rates: RateSpec[] };
}

interface Entry {
  value: WorkspacePolicy;
  checkedAt: number;
  refreshing: boolean;
}

/** Baseline organisation data used until an organisation writes its own (secrets redacted). */
export function loadDefaultOrgData(dir: string = DEFAULT_POLICY_DIR): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, 'defaults', 'org.json'), 'utf8')) as Record<string, unknown>;
}

export interface PolicyServiceOptions {
  pool: Pool;
  subscriber: Redis;
  redis: Redis;
  channel: string;
  modules?: PolicyModule[];
  /** Organisation data in force while an organisation has written none (default: policies/defaults/org.json). */
  defaultOrgData?: Record<string, unknown>;
  /** How stale a cached policy may be before a background version check (pub/sub covers the rest). */
  recheckMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Compiled policies per workspace, cached per (workspace, data versions). A change is
 * broadcast on Redis and evicts the entry on every instance; a version check every second
 * catches a missed message. A request uses one compiled policy from start to end.
 */
export class PolicyService {
  private readonly modules: PolicyModule[];
  private readonly modulesHash: string;
  private readonly cache = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<WorkspacePolicy>>();
  private readonly recheckMs: number;
  private readonly defaultOrgData: Record<string, unknown>;

  constructor(private readonly options: PolicyServiceOptions) {
    this.modules = options.modules ?? loadPolicyModules();
    this.defaultOrgData = options.defaultOrgData ?? loadDefaultOrgData();
    const hash = createHash('sha256');
    for (const m of this.modules) hash.update(m.path).update('\0').update(m.source).update('\0');
    this.modulesHash = hash.digest('hex').slice(0, 8);
    this.recheckMs = options.recheckMs ?? 1000;
    // Compile once now: a broken built-in policy must stop the start, not the first request.
    prepareRego({ modules: this.modules, data: {}, entrypoints: [DECISION_ENTRYPOINT] });
    options.subscriber.on('message', (channel: string, message: string) => {
      if (channel === options.channel) this.evict(message);
    });
    options.subscriber.on('ready', () => this.cache.clear());
  }

  async start(): Promise<void> {
    await this.options.subscriber.subscribe(this.options.channel);
  }

  /** The compiled policy of a workspace; synchronous-fast when cached. */
  get(orgId: string, workspaceId: string): WorkspacePolicy | Promise<WorkspacePolicy> {
    const entry = this.cache.get(workspaceId);
    if (entry) {
      if (!entry.refreshing && Date.now() - entry.checkedAt > this.recheckMs) void this.recheck(orgId, workspaceId, entry);
      return entry.value;
    }
    let pending = this.building.get(workspaceId);
    if (!pending) {
      pending = this.build(orgId, workspaceId).finally(() => this.building.delete(workspaceId));
      this.building.set(workspaceId, pending);
    }
    return pending;
  }

  /** `orgId:workspaceId`, or `orgId:*` for an organisation-wide change. */
  async publishChange(orgId: string, workspaceId: string | null): Promise<void> {
    const message = `${orgId}:${workspaceId ?? '*'}`;
    this.evict(message);
    await this.options.redis.publish(this.options.channel, message);
  }

  private evict(message: string): void {
    const [orgId, workspaceId] = message.split(':');
    if (workspaceId && workspaceId !== '*') {
      this.cache.delete(workspaceId);
      return;
    }
    for (const id of [...this.cache.keys()]) if (this.orgOf.get(id) === orgId) this.cache.delete(id);
  }

  private readonly orgOf = new Map<string, string>();

  private async build(orgId: string, workspaceId: string): Promise<WorkspacePolicy> {
    const [org, ws] = await Promise.all([
      currentPolicyData(this.options.pool, orgId, null),
      currentPolicyData(this.options.pool, orgId, workspaceId),
    ]);
    const policy = prepareRego({
      modules: this.modules,
      data: { gatehouse: { org: org?.data ?? this.defaultOrgData, workspace: ws?.data ?? {} } },
      entrypoints: [DECISION_ENTRYPOINT],
      limits: { maxSteps: 1_000_000, timeoutMs: 250 },
      // The gateway builds the input itself from parsed JSON: no cycles, NaN or exotic values to check for.
      trustInput: true,
    });
    const orgData = (org?.data ?? this.defaultOrgData) as { spend?: unknown };
    const wsData = (ws?.data ?? {}) as { spend?: unknown };
    const spend = combineLimits(capsFromPolicyData(orgData.spend), capsFromPolicyData(wsData.spend));
    const value: WorkspacePolicy = {
      policy, spend, orgVersion: org?.version ?? 0, workspaceVersion: ws?.version ?? 0,
      version: `default@${this.modulesHash}/org:v${org?.version ?? 0}/ws:v${ws?.version ?? 0}`,
    };
    this.orgOf.set(workspaceId, orgId);
    this.cache.set(workspaceId, { value, checkedAt: Date.now(), refreshing: false });
    return value;
  }

  private async recheck(orgId: string, workspaceId: string, entry: Entry): Promise<void> {
    entry.refreshing = true;
    try {
      const v = await policyDataVersions(this.options.pool, orgId, workspaceId);
      if (v.org !== entry.value.orgVersion || v.workspace !== entry.value.workspaceVersion) {
        await this.build(orgId, workspaceId);
      } else {
        entry.checkedAt = Date.now();
      }
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      entry.refreshing = false;
    }
  }
}
