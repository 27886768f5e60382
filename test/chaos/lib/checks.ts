/**
 * The invariants every chaos scenario ends with: every request answered, with a status the situation allows;
 * exactly one audit event per request (same request ids, same status); a ledger whose total equals the usage the
 * clients were told; the spend counter in Redis equal to the ledger with nothing left reserved; nothing in flight;
 * the gateway's heap back near its baseline after garbage collection.
 */
import { costUsd, countTextTokens } from '../../../src/spend';
import type { Outcome } from './load';
import type { ProbeReply } from './protocol';
import { CHAOS_PRICING, REDIS_PREFIX, type ChaosKey, type ChaosStack } from './stack';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns null (satisfied) or the deadline passes; then throws its last complaint. */
export async function eventually(check: () => Promise<string | null>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let complaint: string | null = 'not checked';
  while (Date.now() < deadline) {
    complaint = await check().catch((err: unknown) => `check failed: ${String(err)}`);
    if (complaint === null) return;
    await sleep(250);
  }
  throw new Error(`${what} (after ${timeoutMs} ms): ${complaint}`);
}

/** `chat 200 ×40, stream 502 upstream_stream_error ×3, …` — for failure messages and the scenario log. */
export function summarize(outcomes: readonly Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const label = o.hung ? 'HUNG' : o.networkError ? `NETWORK(${o.networkError.trim()})` : `${o.status}${o.errorCode ? ` ${o.errorCode}` : ''}`;
    const k = `${o.kind} ${label}${o.clientAborted ? ' (client aborted)' : ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort().map(([k, n]) => `${k} ×${n}`).join(', ');
}

/** Status → the error codes allowed with it (`[]`: no error body expected, i.e. success). */
export type AllowedAnswers = Record<number, readonly string[]>;

/**
 * Allowed in every scenario: the spend check bounds each Redis round trip to 1 s and answers 503 (Retry-After)
 * beyond it, which a starved event loop on a shared 2-core machine can reach without any injected fault.
 */
const OVERLOAD: AllowedAnswers = { 503: ['spend_unavailable'] };

function withOverload(allowed: AllowedAnswers): AllowedAnswers {
  const out: Record<number, readonly string[]> = { ...allowed };
  for (const [status, codes] of Object.entries(OVERLOAD)) out[Number(status)] = [...new Set([...(out[Number(status)] ?? []), ...codes])];
  return out;
}

/**
 * No request hung or died on the transport; each status (and error code, including the error event that ends a
 * failed stream) is one the scenario allows; a 429/503 tells the client when to retry.
 */
export function expectAnswers(outcomes: readonly Outcome[], expected: AllowedAnswers, streamErrors: readonly string[] = []): void {
  const allowed = withOverload(expected);
  const problems: string[] = [];
  for (const o of outcomes) {
    if (o.hung) problems.push(`#${o.n} ${o.kind} got no answer before its deadline`);
    else if (o.networkError && !o.clientAborted) problems.push(`#${o.n} ${o.kind} transport error: ${o.networkError}`);
    else if (o.status === null) problems.push(`#${o.n} ${o.kind} no status`);
    else if (!(o.status in allowed)) problems.push(`#${o.n} ${o.kind} status ${o.status} (${o.errorCode}) not allowed`);
    else if (o.status !== 200 && !allowed[o.status].includes(o.errorCode ?? '')) problems.push(`#${o.n} ${o.kind} ${o.status} with code ${o.errorCode}`);
    else if ((o.status === 429 || o.status === 503) && !o.retryAfter) problems.push(`#${o.n} ${o.kind} ${o.status} without Retry-After`);
    else if (o.status === 200 && o.streamError && !streamErrors.includes(o.errorCode!)) problems.push(`#${o.n} stream ended with error ${o.errorCode}`);
    else if (o.status === 200 && o.kind === 'stream' && !o.streamError && !o.clientAborted && !(o.done && o.usage)) {
      problems.push(`#${o.n} stream ended without [DONE] or usage and without an error event`);
    }
    if (o.status !== null && !o.requestId) problems.push(`#${o.n} answer without x-request-id`);
  }
  if (problems.length) throw new Error(`${problems.length} bad answers (${summarize(outcomes)}):\n${problems.slice(0, 20).join('\n')}`);
}

const REFUSED_BEFORE_AUTH = ['auth_unavailable', 'missing_api_key', 'invalid_api_key', 'revoked_api_key', 'expired_api_key'];

interface AuditRow { requestId: string; status: number | undefined; errorCode: string | null | undefined; type: string; costUsd: number }

async function auditRows(stack: ChaosStack, key: ChaosKey): Promise<AuditRow[]> {
  const { rows } = await stack.pool.query<{ type: string; body: string }>(
    `SELECT type, body FROM audit_events WHERE actor_id = $1 AND type LIKE 'request.%'`, [key.id]);
  return rows.map((r) => {
    const request = (JSON.parse(r.body) as { request?: { requestId: string; status?: number; errorCode?: string | null; costUsd?: number } }).request!;
    return { requestId: request.requestId, status: request.status, errorCode: request.errorCode, type: r.type, costUsd: request.costUsd ?? 0 };
  });
}

/**
 * Exactly one audit event per request made (waits for the pipeline to drain), and each event records the status
 * the client saw — for a stream that failed after its 200, the status and code of the error event.
 */
export async function expectAuditMatches(stack: ChaosStack, key: ChaosKey, outcomes: readonly Outcome[], timeoutMs = 60_000): Promise<void> {
  const ids = new Set(outcomes.filter((o) => o.requestId).map((o) => o.requestId));
  expect(ids.size).toBe(outcomes.filter((o) => o.status !== null).length); // request ids are unique
  // Refused before the key was known: no organisation to chain the event to, so only logged (src/audit/README.md).
  const expected = new Map<string, Outcome>();
  for (const o of outcomes) if (o.requestId && !REFUSED_BEFORE_AUTH.includes(o.errorCode ?? '')) expected.set(o.requestId, o);
  let rows: AuditRow[] = [];
  await eventually(async () => {
    rows = await auditRows(stack, key);
    const seen = new Set(rows.map((r) => r.requestId));
    const missing = [...expected.keys()].filter((id) => !seen.has(id));
    const extra = [...seen].filter((id) => !expected.has(id));
    if (missing.length || extra.length || rows.length !== seen.size) {
      return `${rows.length} events for ${expected.size} requests; missing ${missing.length} (${missing.slice(0, 3).join(', ')}), `
        + `unknown ${extra.length}, duplicated ${rows.length - seen.size}`;
    }
    return null;
  }, timeoutMs, 'audit events == requests made');
  const wrong: string[] = [];
  for (const row of rows) {
    const o = expected.get(row.requestId)!;
    if (o.clientAborted) {
      if (row.errorCode !== 'client_closed_request' || row.status !== 499) wrong.push(`#${o.n} aborted by the client, audited as ${row.status} ${row.errorCode}`);
    } else if (o.streamError) {
      if (row.errorCode !== o.errorCode || row.status === 200) wrong.push(`#${o.n} stream error ${o.errorCode}, audited as ${row.status} ${row.errorCode}`);
    } else if (row.status !== o.status || (row.errorCode ?? null) !== o.errorCode) {
      wrong.push(`#${o.n} ${o.kind} answered ${o.status} ${o.errorCode}, audited as ${row.status} ${row.errorCode}`);
    }
  }
  if (wrong.length) throw new Error(`${wrong.length} audit events disagree with the answers:\n${wrong.slice(0, 20).join('\n')}`);
}

interface LedgerRow { request_id: string; status: number; prompt_tokens: number; completion_tokens: number; cost_usd: string; error_code: string | null }

const expectedCost = (prompt: number, completion: number): number =>
  costUsd(CHAOS_PRICING, { promptTokens: prompt, completionTokens: completion, cachedTokens: 0 });

/**
 * The usage ledger equals what the clients were told: one row per request at most, a row for every answered
 * request, each row's tokens equal to the usage in its answer (for a cut stream: the prompt plus the text the
 * client received), failures free — and the total of the ledger equal to the sum of that usage.
 */
export async function expectLedgerMatches(stack: ChaosStack, key: ChaosKey, outcomes: readonly Outcome[], timeoutMs = 30_000): Promise<void> {
  const byId = new Map<string, Outcome>();
  for (const o of outcomes) if (o.requestId) byId.set(o.requestId, o);
  const served = outcomes.filter((o) => o.status === 200);
  let rows: LedgerRow[] = [];
  await eventually(async () => {
    ({ rows } = await stack.pool.query<LedgerRow>(
      `SELECT request_id, status, prompt_tokens, completion_tokens, cost_usd::text, error_code FROM usage_records
        WHERE api_key_id = $1 AND error_code IS DISTINCT FROM 'reservation_expired'`, [key.id]));
    const have = new Set(rows.map((r) => r.request_id));
    const missing = served.filter((o) => !have.has(o.requestId!));
    return missing.length ? `${missing.length} served requests have no ledger row yet` : null;
  }, timeoutMs, 'a ledger row for every served request');
  const problems: string[] = [];
  const seen = new Set<string>();
  let expectedTotal = 0;
  let ledgerTotal = 0;
  for (const row of rows) {
    ledgerTotal += Number(row.cost_usd);
    if (seen.has(row.request_id)) problems.push(`request ${row.request_id} booked twice`);
    seen.add(row.request_id);
    const o = byId.get(row.request_id);
    if (!o) {
      problems.push(`ledger row for unknown request ${row.request_id}`);
      continue;
    }
    let want: { prompt: number; completion: number } | null;
    if (o.status === 200 && o.usage) want = o.usage;
    else if (o.status === 200 && o.streamError) want = { prompt: row.prompt_tokens, completion: countTextTokens(o.text) };
    else if (o.status === 200 && o.clientAborted) want = null; // checked below: something booked, never more than a full answer
    else want = { prompt: 0, completion: 0 };
    if (want) {
      if (row.prompt_tokens !== want.prompt || row.completion_tokens !== want.completion) {
        problems.push(`#${o.n} ${o.kind} ${o.status}: client saw ${want.prompt}+${want.completion} tokens, ledger ${row.prompt_tokens}+${row.completion_tokens}`);
      }
      if (o.status === 200 && o.streamError && row.prompt_tokens <= 0) problems.push(`#${o.n} cut stream booked without its prompt`);
    } else if (row.prompt_tokens <= 0) {
      problems.push(`#${o.n} abandoned stream booked without its prompt`);
    }
    const cost = expectedCost(row.prompt_tokens, row.completion_tokens);
    if (Math.abs(Number(row.cost_usd) - cost) > 1e-8) problems.push(`#${o.n} cost ${row.cost_usd}, tokens priced at ${cost}`);
    expectedTotal += want ? expectedCost(want.prompt, want.completion) : cost;
  }
  if (problems.length) throw new Error(`${problems.length} ledger problems:\n${problems.slice(0, 20).join('\n')}`);
  const { rows: [sum] } = await stack.pool.query<{ total: string }>(
    'SELECT COALESCE(SUM(cost_usd), 0)::text AS total FROM usage_records WHERE api_key_id = $1', [key.id]);
  expect(Number(sum.total)).toBeCloseTo(ledgerTotal, 8);
  expect(Number(sum.total)).toBeCloseTo(expectedTotal, 8);
}

/** The key's budget counter in Redis: settled == the ledger's total (in nano-dollars), nothing still reserved. */
export async function expectSpendCounterMatchesLedger(stack: ChaosStack, key: ChaosKey, timeoutMs = 30_000): Promise<void> {
  const counter = `${REDIS_PREFIX}spend:c:key:${key.id}:usd:total:all`;
  await eventually(async () => {
    const [s, r] = await stack.redisClient.hmget(counter, 's', 'r');
    const { rows: [ledger] } = await stack.pool.query<{ nanos: string }>(
      'SELECT (COALESCE(SUM(cost_usd), 0) * 1000000000)::bigint::text AS nanos FROM usage_records WHERE api_key_id = $1', [key.id]);
    if ((s ?? '0') !== ledger.nanos) return `counter settled ${s} nano-USD, ledger ${ledger.nanos}`;
    if ((r ?? '0') !== '0') return `counter still holds ${r} nano-USD in reservations`;
    return null;
  }, timeoutMs, 'spend counter == ledger');
}

/** Nothing in flight anywhere: gateway requests, upstream calls, spend reservations. */
export async function expectIdle(stack: ChaosStack, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => {
    const probe = await stack.gateway.probe();
    if (probe.inflight !== 0) return `${probe.inflight} requests still in flight in the gateway`;
    const upstream = stack.mock.stats().inFlight;
    if (upstream !== 0) return `${upstream} upstream calls still open`;
    const held = await stack.redisClient.hlen(`${REDIS_PREFIX}spend:resv`);
    if (held !== 0) return `${held} spend reservations still held`;
    return null;
  }, timeoutMs, 'nothing in flight');
}

/**
 * The gateway's heap after full collections is back near the baseline taken after warm-up. The margin covers
 * caches that legitimately fill once (keys, token counts, metrics label sets), not per-request growth; observed
 * drift over a whole file is under 2 MB.
 */
export const HEAP_MARGIN_BYTES = 10 * 1024 * 1024;

export async function expectMemoryNearBaseline(stack: ChaosStack, baseline: ProbeReply): Promise<ProbeReply> {
  let probe = await stack.gateway.probe();
  // Sockets and timers of the scenario may take a moment to be released.
  for (let i = 0; i < 10 && probe.heapUsed > baseline.heapUsed + HEAP_MARGIN_BYTES; i++) {
    await sleep(500);
    probe = await stack.gateway.probe();
  }
  const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
  if (probe.heapUsed > baseline.heapUsed + HEAP_MARGIN_BYTES) {
    throw new Error(`gateway heap ${mb(probe.heapUsed)} after GC, baseline ${mb(baseline.heapUsed)} (margin ${mb(HEAP_MARGIN_BYTES)})`);
  }
  console.log(`gateway heap after GC: ${mb(probe.heapUsed)} (baseline ${mb(baseline.heapUsed)}), rss ${mb(probe.rss)}`);
  return probe;
}

/** Everything above, in order: answers, audit, ledger, spend counter, idle, memory. */
export async function expectInvariants(
  stack: ChaosStack, key: ChaosKey, outcomes: readonly Outcome[], baseline: ProbeReply,
  options: { allowed: AllowedAnswers; streamErrors?: readonly string[]; auditTimeoutMs?: number },
): Promise<ProbeReply> {
  expectAnswers(outcomes, options.allowed, options.streamErrors);
  await expectAuditMatches(stack, key, outcomes, options.auditTimeoutMs);
  await expectLedgerMatches(stack, key, outcomes);
  await expectSpendCounterMatchesLedger(stack, key);
  await expectIdle(stack);
  return expectMemoryNearBaseline(stack, baseline);
}
