import type { PreparedPolicy } from '../engine';
import type { PolicyInput } from '../input';
import type { ReplayedRequest } from './replay';
import type { SampleInput } from './sample';
import { compareSummaries, evaluateSummary, type DecisionChange, type DecisionSummary } from './summary';

/** The two policies a request is evaluated with, for one workspace. */
export interface PolicyPair {
  published: PreparedPolicy;
  draft: PreparedPolicy;
  /** The version string the gateway logs for the published policy (e.g. `default@…/org:v2/ws:v5`). */
  publishedVersion: string;
}

/**
 * Compiles (or returns the already compiled) pair for a workspace; null = the organisation's
 * policy alone (no workspace layer). Called once per distinct workspace of a simulation.
 */
export type PairProvider = (workspaceId: string | null) => Promise<PolicyPair>;

export interface SimulatedResult {
  source: 'sample' | 'audit';
  event_id?: string;
  request: { model: string; route: string };
  published: DecisionSummary;
  draft: DecisionSummary;
  changed: boolean;
  changes: DecisionChange[];
  /** Audit replays: what the gateway decided then. */
  recorded?: { allow: boolean; policy_version: string };
  notes?: string[];
}

export interface SimulationReport {
  published_version: string | null;
  results: SimulatedResult[];
  changed: number;
  total: number;
}

export function compareOn(pair: PolicyPair, input: PolicyInput): Pick<SimulatedResult, 'published' | 'draft' | 'changed' | 'changes'> {
  const published = evaluateSummary(pair.published, input);
  const draft = evaluateSummary(pair.draft, input);
  const changes = compareSummaries(published, draft, input.pii.input);
  return { published, draft, changed: changes.length > 0, changes };
}

/** Memoises a PairProvider so every policy is compiled once per simulation, not once per event. */
export function oncePerWorkspace(build: PairProvider): PairProvider {
  const pairs = new Map<string, Promise<PolicyPair>>();
  return (workspaceId) => {
    const key = workspaceId ?? '';
    let pair = pairs.get(key);
    if (!pair) {
      pair = build(workspaceId);
      pairs.set(key, pair);
    }
    return pair;
  };
}

/**
 * Evaluates the sample (with `sampleWorkspace`'s policies) and every replayed request (with its
 * own workspace's) under both policies, side by side.
 */
export async function runSimulation(options: {
  pairFor: PairProvider;
  sample?: { input: SampleInput; workspaceId: string | null };
  replay?: readonly ReplayedRequest[];
}): Promise<SimulationReport> {
  const pairFor = oncePerWorkspace(options.pairFor);
  const results: SimulatedResult[] = [];
  const versions = new Set<string>();
  if (options.sample) {
    const pair = await pairFor(options.sample.workspaceId);
    versions.add(pair.publishedVersion);
    const { input, model, route } = options.sample.input;
    results.push({ source: 'sample', request: { model, route }, ...compareOn(pair, input) });
  }
  let evaluated = 0;
  for (const r of options.replay ?? []) {
    // Evaluation is synchronous: let other work on this process run between batches of a long replay.
    if (++evaluated % 50 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const pair = await pairFor(r.workspaceId);
    versions.add(pair.publishedVersion);
    results.push({
      source: 'audit', event_id: r.eventId, request: { model: r.model, route: r.route }, ...compareOn(pair, r.input),
      recorded: r.recorded, ...(r.notes.length ? { notes: r.notes } : {}),
    });
  }
  // One workspace (the usual case) has one published version; an organisation-wide replay lists them.
  const published = versions.size === 0 ? null : [...versions].join(', ');
  return { published_version: published, results, changed: results.filter((r) => r.changed).length, total: results.length };
}
