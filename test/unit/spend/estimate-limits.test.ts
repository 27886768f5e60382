import type { ModelRoute } from '../../../src/catalog';
import {
  capsForKey, capsFromPolicyData, costUsd, countChatPromptTokens, countTextTokens, estimateChatCost, estimateEmbeddingsCost,
  roundUsd, usdToNanos, validateSpecs, NO_KEY_LIMITS,
} from '../../../src/spend';
import { buildPlan } from '../../../src/spend/plan';
import { WindowClock } from '../../../src/spend/windows';

function route(provider: ModelRoute['endpoint']['provider'], input: number | null, output: number | null, maxOutput: number | null = 16_384): ModelRoute {
  return {
    model: 'm', upstreamModel: 'm', kind: 'chat', contextTokens: 128_000, maxOutputTokens: maxOutput,
    pricing: { inputPerMTok: input, cachedInputPerMTok: null, outputPerMTok: output },
    endpoint: { id: `${provider}-e`, provider, displayName: provider, priority: 1, credentialsProblem: null, target: {} as never,
      governance: { jurisdiction: null, dataRegions: null, zeroDataRetention: null, trainsOnData: null, retentionDays: null, certifications: null } },
  };
}

describe('token estimates', () => {
  test('chat prompt tokens follow the OpenAI message format', () => {
    const text = 'Summarise the quarterly report in three bullet points.';
    const n = countTextTokens(text);
    expect(countChatPromptTokens({ model: 'm', messages: [{ role: 'user', content: text }] })).toBe(3 + 3 + n);
    expect(countChatPromptTokens({ model: 'm', messages: [{ role: 'user', content: text, name: 'ada' }] })).toBe(3 + 3 + n + 1 + countTextTokens('ada'));
    const withImage = countChatPromptTokens({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } }] }] });
    expect(withImage).toBe(3 + 3 + n + 85);
  });

  test('tools, tool calls and response schemas are counted', () => {
    const base = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    expect(countChatPromptTokens({ ...base, tools })).toBeGreaterThan(countChatPromptTokens(base) + 10);
  });

  test('the reservation is prompt + max_tokens × n at the most expensive candidate route', () => {
    const req = { model: 'm', messages: [{ role: 'user' as const, content: 'hello there' }], max_tokens: 100, n: 2 };
    const e = estimateChatCost(req, [route('openai', 2.5, 10), route('openai', 5, 15)]);
    expect(e.maxOutputTokens).toBe(200);
    expect(e.tokens).toBe(e.promptTokens + 200);
    expect(e.usd).toBeCloseTo((e.promptTokens * 5 + 200 * 15) / 1e6, 12);
  });

  test('without max_tokens the model maximum output bounds the reservation; max_tokens above it is clamped', () => {
    const req = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(estimateChatCost(req, route('openai', 1, 1, 4096)).maxOutputTokens).toBe(4096);
    expect(estimateChatCost({ ...req, max_completion_tokens: 100_000 }, route('openai', 1, 1, 4096)).maxOutputTokens).toBe(4096);
    expect(estimateChatCost(req, route('openai', 1, 1, null)).maxOutputTokens).toBe(4096);
    expect(estimateChatCost(req, route('openai', 1, 1, null), 1000).maxOutputTokens).toBe(1000);
  });

  test('other tokenizer families are scaled up (upper bound)', () => {
    const req = { model: 'm', messages: [{ role: 'user' as const, content: 'The quick brown fox jumps over the lazy dog. '.repeat(20) }], max_tokens: 1 };
    const openai = estimateChatCost(req, route('openai', 1, 1)).promptTokens;
    expect(estimateChatCost(req, route('anthropic', 1, 1)).promptTokens).toBe(Math.ceil(openai * 1.35));
  });

  test('embeddings: text, batches and token-id inputs', () => {
    const r = route('openai', 0.02, null);
    expect(estimateEmbeddingsCost({ model: 'e', input: 'hello world' }, r).tokens).toBe(2);
    expect(estimateEmbeddingsCost({ model: 'e', input: ['hello world', 'hi'] }, r).tokens).toBe(3);
    expect(estimateEmbeddingsCost({ model: 'e', input: [[1, 2, 3], [4]] }, r).tokens).toBe(4);
    expect(estimateEmbeddingsCost({ model: 'e', input: [1, 2, 3] }, r).usd).toBeCloseTo(3 * 0.02 / 1e6, 15);
  });

  test('cost: cached input at its price, rounded to the ledger precision', () => {
    const pricing = { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 };
    expect(costUsd(pricing, { promptTokens: 1000, completionTokens: 100, cachedTokens: 400 })).toBeCloseTo(0.0015 + 0.0005 + 0.001, 12);
    expect(usdToNanos(0.123456789)).toBe(123_456_790);
    expect(roundUsd(0.123456789)).toBe(0.12345679);
  });
});

describe('limits', () => {
  test('policy data: caps and rate limits, snake_case, defaults hard', () => {
    const { caps, rates } = capsFromPolicyData({
      time_zone: 'Europe/Paris',
      caps: [
        { scope: 'workspace', window: 'month', usd: 500 },
        { scope: 'user', window: 'day', usd: 20, hard: false, time_zone: 'UTC' },
        { scope: 'tag', tag: 'team-a', window: 'week', tokens: 5_000_000 },
      ],
      rate_limits: { key: { rpm: 60, tpm: 100_000, max_parallel: 4 }, workspace: { rpm: 1000 } },
    });
    expect(caps).toEqual([
      { scope: 'workspace', window: 'month', unit: 'usd', limit: 500, hard: true, timeZone: 'Europe/Paris', tag: undefined, source: 'policy' },
      { scope: 'user', window: 'day', unit: 'usd', limit: 20, hard: false, timeZone: 'UTC', tag: undefined, source: 'policy' },
      { scope: 'tag', window: 'week', unit: 'tokens', limit: 5_000_000, hard: true, timeZone: 'Europe/Paris', tag: 'team-a', source: 'policy' },
    ]);
    expect(rates).toEqual([{ scope: 'key', rpm: 60, tpm: 100_000, maxParallel: 4 }, { scope: 'workspace', rpm: 1000, tpm: undefined, maxParallel: undefined }]);
    expect(capsFromPolicyData(undefined)).toEqual({ caps: [], rates: [] });
  });

  test('invalid policy data names the offending path', () => {
    expect(() => capsFromPolicyData({ caps: [{ scope: 'team', window: 'day', usd: 1 }] })).toThrow(/spend\.caps\.0\.scope/);
    expect(() => capsFromPolicyData({ caps: [{ scope: 'key', window: 'day', usd: 1, tokens: 5 }] })).toThrow(/exactly one of "usd" or "tokens"/);
    expect(() => capsFromPolicyData({ caps: [{ scope: 'tag', window: 'day', usd: 1 }] })).toThrow(/"tag" is required/);
    expect(() => capsFromPolicyData({ caps: [{ scope: 'key', window: 'day', usd: -1 }] })).toThrow(/spend\.caps\.0\.usd/);
    expect(() => capsFromPolicyData({ time_zone: 'Nowhere/Land' })).toThrow(/unknown time zone "Nowhere\/Land"/);
    expect(() => capsFromPolicyData({ rate_limits: { key: { rpm: 1.5 } } })).toThrow(/rate_limits\.key\.rpm/);
    expect(() => capsFromPolicyData({ caps: [], extra: 1 })).toThrow(/spend/);
  });

  test('key limits become hard key caps (month by default) and a key rate spec', () => {
    expect(capsForKey(NO_KEY_LIMITS)).toEqual({ caps: [], rates: [] });
    const { caps, rates } = capsForKey({ ...NO_KEY_LIMITS, budgetUsd: 5, budgetTokens: 1e6, rpm: 10, maxParallel: 2 });
    expect(caps).toEqual([
      { scope: 'key', window: 'month', unit: 'usd', limit: 5, hard: true, timeZone: undefined, source: 'key' },
      { scope: 'key', window: 'month', unit: 'tokens', limit: 1e6, hard: true, timeZone: undefined, source: 'key' },
    ]);
    expect(rates).toEqual([{ scope: 'key', rpm: 10, tpm: undefined, maxParallel: 2 }]);
  });

  test('validateSpecs rejects nonsense built in code', () => {
    expect(() => validateSpecs([{ scope: 'key', window: 'day', unit: 'usd', limit: Number.NaN, hard: true }], [])).toThrow(/limit/);
    expect(() => validateSpecs([], [{ scope: 'key', rpm: 0 }])).toThrow(/rpm must be a positive integer/);
  });

  test('plan: caps on the same counter merge (lowest hard limit), user caps skip user-less keys, tag caps need the tag', () => {
    const subject = { orgId: 'o', workspaceId: 'w', userId: null, keyId: 'k', tags: ['t1'] };
    const estimate = { promptTokens: 10, maxOutputTokens: 90, tokens: 100, usd: 0.001 };
    const plan = buildPlan('p:', subject, estimate, [
      { scope: 'key', window: 'day', unit: 'usd', limit: 5, hard: true },
      { scope: 'key', window: 'day', unit: 'usd', limit: 2, hard: true },
      { scope: 'key', window: 'day', unit: 'usd', limit: 1, hard: false },
      { scope: 'user', window: 'day', unit: 'usd', limit: 1, hard: true },
      { scope: 'tag', tag: 't1', window: 'total', unit: 'tokens', limit: 1000, hard: true },
      { scope: 'tag', tag: 't2', window: 'total', unit: 'tokens', limit: 1000, hard: true },
    ], [{ scope: 'key', rpm: 100, tpm: 1000 }, { scope: 'key', rpm: 50 }], new WindowClock(), Date.UTC(2025, 0, 2));
    expect(plan.caps.map((c) => [c.key, c.hardLimit, c.amount, c.specs.length])).toEqual([
      ['p:spend:c:key:k:usd:day:2025-01-02', 2_000_000_000, 1_000_000, 3],
      ['p:spend:c:tag:o:t1:tokens:total:all', 1000, 100, 1],
    ]);
    expect(plan.rates.map((r) => [r.key, r.cost, r.capacity])).toEqual([['p:spend:rl:key:k:rpm', 1, 50], ['p:spend:rl:key:k:tpm', 100, 1000]]);
  });
});
