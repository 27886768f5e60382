import { wildcardMatch } from '../../../src/policy';
import { CircuitBreakers, orderRoutes, runWithFailover, NoRouteError } from '../../../src/routing';
import { UpstreamError } from '../../../src/providers';
import type { ModelRoute } from '../../../src/catalog';

function route(id: string, credentialsProblem: string | null = null): ModelRoute {
  return {
    model: 'm', upstreamModel: 'm', kind: 'chat', contextTokens: null, maxOutputTokens: null,
    pricing: { inputPerMTok: 1, cachedInputPerMTok: null, outputPerMTok: 2 },
    endpoint: {
      id, provider: 'openai', displayName: id, priority: 1, credentialsProblem,
      governance: { jurisdiction: null, dataRegions: null, zeroDataRetention: null, trainsOnData: null, retentionDays: null, certifications: null },
      target: { id, provider: 'openai', baseUrl: 'http://x', timeouts: { connectMs: 1, firstByteMs: 1, totalMs: 1 } },
    },
  };
}

const http = (status: number) => new UpstreamError(`HTTP ${status}`, { kind: 'http', status });

describe('failover', () => {
  test('retryable failures move on; the first success wins', async () => {
    const breakers = new CircuitBreakers();
    const tried: string[] = [];
    const result = await runWithFailover([route('a'), route('b'), route('c')], async (r) => {
      tried.push(r.endpoint.id);
      if (r.endpoint.id === 'a') throw http(503);
      return r.endpoint.id;
    }, { breakers, signal: new AbortController().signal });
    expect(result.value).toBe('b');
    expect(tried).toEqual(['a', 'b']);
    expect(result.attempts.map((a) => a.ok)).toEqual([false, true]);
  });

  test('a non-retryable failure stops at once', async () => {
    const tried: string[] = [];
    await expect(runWithFailover([route('a'), route('b')], async (r) => {
      tried.push(r.endpoint.id);
      throw http(400);
    }, { breakers: new CircuitBreakers(), signal: new AbortController().signal })).rejects.toBeInstanceOf(NoRouteError);
    expect(tried).toEqual(['a']);
  });

  test('endpoints without credentials are skipped; none left → NoRouteError without attempts', async () => {
    await expect(runWithFailover([route('a', 'credentials env:X are not set')], async () => 1,
      { breakers: new CircuitBreakers(), signal: new AbortController().signal }))
      .rejects.toMatchObject({ attempts: [], lastError: null });
  });

  test('an open circuit sends its endpoint to the back until a half-open trial succeeds', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 1000 });
    const t = Date.now();
    breakers.failure('a', t);
    expect(breakers.isOpen('a', t + 1)).toBe(false);
    breakers.failure('a', t + 1);
    expect(breakers.isOpen('a', t + 2)).toBe(true);
    expect(orderRoutes([route('a'), route('b')], breakers).map((r) => r.endpoint.id)).toEqual(['b', 'a']);
    // After openMs, one trial goes through while others still avoid it.
    expect(breakers.isOpen('a', t + 1002)).toBe(false);
    breakers.begin('a', t + 1002);
    expect(breakers.isOpen('a', t + 1003)).toBe(true);
    breakers.success('a');
    expect(breakers.isOpen('a', t + 1004)).toBe(false);
  });
});

describe('endpoint health', () => {
  test('a 429 with Retry-After cools the endpoint down for that long', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 5 });
    const t = Date.now();
    breakers.failure('a', t, 2000);
    expect(breakers.isOpen('a', t + 1999)).toBe(true);
    expect(breakers.isOpen('a', t + 2001)).toBe(false);
  });

  test('failures older than the window do not add up', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 3, windowMs: 1000, openMs: 5000 });
    const t = Date.now();
    breakers.failure('a', t);
    breakers.failure('a', t + 10);
    breakers.failure('a', t + 2000);
    expect(breakers.isOpen('a', t + 2001)).toBe(false);
    breakers.failure('a', t + 2100);
    breakers.failure('a', t + 2200);
    expect(breakers.isOpen('a', t + 2201)).toBe(true);
  });

  test('latency order tries unmeasured, then fastest endpoints first', () => {
    const breakers = new CircuitBreakers();
    breakers.success('a', 50);
    breakers.success('b', 5);
    expect(orderRoutes([route('a'), route('b'), route('c')], breakers, 'latency').map((r) => r.endpoint.id)).toEqual(['c', 'b', 'a']);
  });

  test('when every endpoint failed retryably, one more round follows after a backoff', async () => {
    const calls: string[] = [];
    const result = await runWithFailover([route('a'), route('b')], async (r) => {
      calls.push(r.endpoint.id);
      if (calls.length <= 2) throw http(503);
      return r.endpoint.id;
    }, { breakers: new CircuitBreakers(), signal: new AbortController().signal, backoffMs: 1 });
    expect(calls).toEqual(['a', 'b', 'a']);
    expect(result.value).toBe('a');
  });

  test('no retry round after timeouts', async () => {
    const calls: string[] = [];
    await expect(runWithFailover([route('a')], async (r) => {
      calls.push(r.endpoint.id);
      throw new UpstreamError('slow', { kind: 'timeout' });
    }, { breakers: new CircuitBreakers(), signal: new AbortController().signal, backoffMs: 1 })).rejects.toBeInstanceOf(NoRouteError);
    expect(calls).toEqual(['a']);
  });
});

describe('key model allowlists', () => {
  test('wildcards match like globs, in bounded time on adversarial patterns', () => {
    expect(wildcardMatch('gpt-4o*', 'gpt-4o-mini')).toBe(true);
    expect(wildcardMatch('*-mini', 'gpt-4o-mini')).toBe(true);
    expect(wildcardMatch('demo-*-x', 'demo-chat')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('a.b', 'axb')).toBe(false);
    const evil = 'a*'.repeat(60) + 'b';
    expect(wildcardMatch(evil, 'a'.repeat(256))).toBe(false);
  });
});
