import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { currentPolicyData, policyDataVersions, type PolicyDataVersion } from '../db';
import type { PolicyModule, PreparedPolicy } from './engine';
import { prepareRego } from './rego';
import { capsFromPolicyData, combineLimits, type CapSpec, type RateSpec } from '../spend';
import { DECISION_ENTRYPOINT, DEFAULT_POLICY_DIR, loadDefaultOrgData, loadPolicyModules } from './builtin';
import { compileScopePolicy, contentHash } from './lifecycle/compile';
import { loadDraft, loadShadow } from './lifecycle/store';

export { DECISION_ENTRYPOINT, DEFAULT_POLICY_DIR, loadDefaultOrgData, loadPolicyModules };

/** A draft evaluated next to the live policy (decisions compared, never enforced). */
export interface ShadowPolicy {
  policy: PreparedPolicy;
  /** e.g. `draft:42` */
  version: string;
  draftId: number;
}

/** A workspace's compiled policy and the versions it was built from. */
export interface WorkspacePolicy {
  policy: PreparedPolicy;
  /** e.g. `default@3f9a2c1b/org:v2/ws:v5` (`wasm@<digest>/…` for a wasm policy), logged with every decision. */
  version: string;
  orgVersion: number;
  workspaceVersion: number;
  /** Spend caps and rate limits of both levels (both apply: the lowest hard limit wins). */
  spend: { caps: CapSpec[]; rates: RateSpec[] };
  /** The workspace's shadow draft, compiled the same way, when one runs. */
  shadow?: ShadowPolicy;
}

interface Entry {
  value: WorkspacePolicy;
  /** The shadow draft the entry was built for (also when it failed to compile: no rebuild loop). */
  shadowDraft: number;
  checkedAt: number;
  refreshing: boolean;
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
 * Compiled policies per workspace, cached per (workspace, published versions, shadow draft). A change
 * is broadcast on Redis and evicts the entry on every instance; a version check every second catches a
 * missed message. A request uses one compiled policy object from start to end: a publish builds a new
 * object and swaps the cache entry, so no request ever sees a half-applied policy.
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
    this.modulesHash = contentHash(this.modules.flatMap((m) => [m.path, m.source]));
    this.recheckMs = options.recheckMs ?? 1000;
    // Compile once now: a broken built-in policy must stop the start, not the first request.
    prepareRego({ modules: this.modules, data: {}, entrypoints: [DECISION_ENTRYPOINT] });
    options.subscriber.on('message', (channel: string, message: string) => {
      if (channel === options.channel) this.evict(message);
    });
    options.subscriber.on('ready', () => this.cache.clear());
  }

  /** The built-in modules this service compiles with (simulation and validation use the same). */
  get builtinModules(): readonly PolicyModule[] {
    return this.modules;
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
    const [org, ws, shadowRow] = await Promise.all([
      currentPolicyData(this.options.pool, orgId, null),
      currentPolicyData(this.options.pool, orgId, workspaceId),
      loadShadow(this.options.pool, orgId, workspaceId),
    ]);
    const orgData = org?.data ?? this.defaultOrgData;
    const wsData = ws?.data ?? {};
    const policy = await compileScopePolicy({
      builtin: this.modules,
      org: { data: orgData, modules: org?.modules },
      workspace: { data: wsData, modules: ws?.modules, wasm: ws?.wasm },
    });
    const spend = combineLimits(capsFromPolicyData((orgData as { spend?: unknown }).spend), capsFromPolicyData((wsData as { spend?: unknown }).spend));
    const value: WorkspacePolicy = {
      policy, spend, orgVersion: org?.version ?? 0, workspaceVersion: ws?.version ?? 0,
      version: `${this.basis(ws)}/org:v${org?.version ?? 0}/ws:v${ws?.version ?? 0}`,
    };
    if (shadowRow) {
      const shadow = await this.buildShadow(orgId, workspaceId, shadowRow.draftId, org).catch((err: unknown) => {
        // A broken shadow never takes the live policy down with it.
        this.options.onError?.(err);
        return undefined;
      });
      if (shadow) value.shadow = shadow;
    }
    this.orgOf.set(workspaceId, orgId);
    this.cache.set(workspaceId, { value, shadowDraft: shadowRow?.draftId ?? 0, checkedAt: Date.now(), refreshing: false });
    return value;
  }

  /** What the decision comes from: the built-in policy (by digest) or the workspace's wasm policy. */
  private basis(ws: PolicyDataVersion | null): string {
    return ws?.wasm ? `wasm@${contentHash([ws.wasm])}` : `default@${this.modulesHash}`;
  }

  private async buildShadow(orgId: string, workspaceId: string, draftId: number, org: PolicyDataVersion | null): Promise<ShadowPolicy | undefined> {
    const draft = await loadDraft(this.options.pool, orgId, workspaceId, draftId);
    if (!draft) return undefined;
    const policy = await compileScopePolicy({
      builtin: this.modules,
      org: { data: org?.data ?? this.defaultOrgData, modules: org?.modules },
      workspace: { data: draft.data, modules: draft.modules, wasm: draft.wasm },
    });
    return { policy, version: `draft:${draftId}`, draftId };
  }

  private async recheck(orgId: string, workspaceId: string, entry: Entry): Promise<void> {
    entry.refreshing = true;
    try {
      const v = await policyDataVersions(this.options.pool, orgId, workspaceId);
      if (v.org !== entry.value.orgVersion || v.workspace !== entry.value.workspaceVersion || v.shadowDraft !== entry.shadowDraft) {
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
