/**
 * CPU used by the servers the gateway leans on (Redis, PostgreSQL) on this machine, so a run shows what one request
 * costs the whole box, not only the gateway process. Machine-wide: anyone else using the same servers during the
 * run is counted too, which the report says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { processSchedMs } from './children';

export const BACKING_SERVICES = { redis: 'redis-server', postgres: 'postgres' } as const;
export type BackingService = keyof typeof BACKING_SERVICES;

/** pid → CPU ms of every process whose command name is `comm`. */
function cpuByPid(comm: string): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'latin1').trim() !== comm) continue;
    } catch {
      continue; // gone, or not ours to read
    }
    const sched = processSchedMs(pid);
    if (sched) out.set(pid, sched.onCpu);
  }
  return out;
}

export type BackingSnapshot = Record<BackingService, Map<number, number>>;

export function snapshotBackingServices(): BackingSnapshot {
  return { redis: cpuByPid(BACKING_SERVICES.redis), postgres: cpuByPid(BACKING_SERVICES.postgres) };
}

/**
 * CPU ms each service used between two snapshots. Processes that started in between count in full; processes that
 * ended in between are lost (PostgreSQL backends come and go), so the figure is a lower bound.
 */
export function backingCpuMs(before: BackingSnapshot, after: BackingSnapshot): Record<BackingService, number | null> {
  const diff = (a: Map<number, number>, b: Map<number, number>): number | null => {
    if (b.size === 0) return null;
    let total = 0;
    for (const [pid, ms] of b) total += Math.max(0, ms - (a.get(pid) ?? 0));
    return total;
  };
  return { redis: diff(before.redis, after.redis), postgres: diff(before.postgres, after.postgres) };
}
