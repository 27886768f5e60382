/** Where recognizers put candidates; the scanner resolves overlaps afterwards. */
import type { PiiFinding } from '../types';

export class CandidateSink {
  readonly items: PiiFinding[] = [];

  constructor(private readonly enabled: ReadonlySet<string>) {}

  wants(type: string): boolean {
    return this.enabled.has(type);
  }

  add(type: string, start: number, end: number, score: number): void {
    if (end <= start || !this.enabled.has(type)) return;
    this.items.push({ type, start, end, score: score > 1 ? 1 : score });
  }
}

const byPriority = (a: PiiFinding, b: PiiFinding): number =>
  b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start;

/**
 * Keeps the best non-overlapping candidates: higher score first, then the longer span, then the earlier one.
 * Returns them sorted by start.
 *
 * Candidates are first cut into clusters of transitively overlapping spans (sorted by start); the greedy choice
 * only ever compares candidates of one cluster, so the cost is O(n log n) plus the square of the (small) cluster
 * sizes, not the square of the whole text's candidate count.
 */
export function resolveOverlaps(candidates: PiiFinding[], minScore: number): PiiFinding[] {
  const kept = candidates.filter((c) => c.score >= minScore);
  if (kept.length <= 1) return kept;
  kept.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiFinding[] = [];
  let i = 0;
  while (i < kept.length) {
    let j = i + 1;
    let clusterEnd = kept[i]!.end;
    while (j < kept.length && kept[j]!.start < clusterEnd) {
      if (kept[j]!.end > clusterEnd) clusterEnd = kept[j]!.end;
      j++;
    }
    if (j - i === 1) out.push(kept[i]!);
    else resolveCluster(kept.slice(i, j), out);
    i = j;
  }
  return out;
}

function resolveCluster(cluster: PiiFinding[], out: PiiFinding[]): void {
  cluster.sort(byPriority);
  const chosen: PiiFinding[] = [];
  for (const c of cluster) {
    let clash = false;
    for (const o of chosen) {
      if (c.start < o.end && o.start < c.end) {
        clash = true;
        break;
      }
    }
    if (!clash) chosen.push(c);
  }
  chosen.sort((a, b) => a.start - b.start);
  for (const c of chosen) out.push(c);
}
