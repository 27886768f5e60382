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

/**
 * Keeps the best non-overlapping candidates: higher score first, then the longer span, then the earlier one.
 * Returns them sorted by start.
 */
export function resolveOverlaps(candidates: PiiFinding[], minScore: number): PiiFinding[] {
  const kept = candidates.filter((c) => c.score >= minScore);
  if (kept.length <= 1) return kept;
  kept.sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const chosen: PiiFinding[] = [];
  for (const c of kept) {
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
  return chosen;
}
