import { startMockProvider } from '../../../src/mock';
import { defaultCatalogSpecs, demoCatalogSpecs, getAdapter, PROVIDER_KINDS } from '../../../src/providers';
import { call, target } from './helpers';

const ISO_ALPHA2 = /^[A-Z]{2}$/;

describe('default catalog', () => {
  const specs = defaultCatalogSpecs();

  it('covers the major providers with unique ids, valid kinds and credential references', () => {
    const ids = specs.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['openai', 'anthropic', 'gemini', 'azure-openai-swedencentral', 'mistral-eu', 'deepseek', 'groq', 'together', 'local-ollama']) expect(ids).toContain(id);
    for (const s of specs) {
      expect(PROVIDER_KINDS).toContain(s.provider);
      expect(() => new URL(s.baseUrl)).not.toThrow();
      if (s.credentialsRef !== null) expect(s.credentialsRef).toMatch(/^env:[A-Z][A-Z0-9_]*$/);
      if (s.provider === 'azure_openai') expect(s.azureApiVersion).toBeTruthy();
      expect(s.models.length).toBeGreaterThan(0);
    }
  });

  it('states governance as documented values or null, never a guess', () => {
    for (const s of specs) {
      const g = s.governance;
      if (g.jurisdiction !== null) expect(g.jurisdiction).toMatch(ISO_ALPHA2);
      for (const key of ['zeroDataRetention', 'trainsOnData'] as const) expect([true, false, null]).toContain(g[key]);
      if (g.retentionDays !== null) expect(g.retentionDays).toBeGreaterThanOrEqual(0);
      if (g.zeroDataRetention === true) expect(g.retentionDays === null || g.retentionDays === 0).toBe(true);
    }
    const byId = Object.fromEntries(specs.map((s) => [s.id, s]));
    expect(byId.deepseek!.governance).toMatchObject({ jurisdiction: 'CN', trainsOnData: null, zeroDataRetention: null });
    expect(byId['mistral-eu']!.governance).toMatchObject({ jurisdiction: 'FR', dataRegions: ['EU'] });
    expect(byId['azure-openai-swedencentral']!.governance.dataRegions).toEqual(['EU']);
  });

  it('prices every model per 1M tokens with non-negative numbers or null', () => {
    for (const s of specs) {
      const models = s.models.map((m) => m.model);
      expect(new Set(models).size).toBe(models.length);
      for (const m of s.models) {
        for (const v of [m.pricing.inputPerMTok, m.pricing.cachedInputPerMTok, m.pricing.outputPerMTok]) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
        if (m.pricing.cachedInputPerMTok !== null && m.pricing.inputPerMTok !== null) expect(m.pricing.cachedInputPerMTok).toBeLessThanOrEqual(m.pricing.inputPerMTok);
      }
    }
    const gpt4o = specs.find((s) => s.id === 'openai')!.models.find((m) => m.model === 'gpt-4o')!;
    expect(gpt4o.pricing).toEqual({ inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 });
  });

  it('returns a fresh copy each time', () => {
    const a = defaultCatalogSpecs();
    a[0]!.models.length = 0;
    expect(defaultCatalogSpecs()[0]!.models.length).toBeGreaterThan(0);
  });
});

describe('demo catalog', () => {
  it('points several endpoints of different formats at the mock, with the demo models and prices', () => {
    const specs = demoCatalogSpecs('http://127.0.0.1:8081/');
    expect(specs.map((s) => [s.id, s.provider, s.baseUrl])).toEqual([
      ['mock-us', 'openai', 'http://127.0.0.1:8081/v1'],
      ['mock-eu', 'anthropic', 'http://127.0.0.1:8081/anthropic/v1'],
      ['mock-cn', 'openai_compatible', 'http://127.0.0.1:8081/cn/v1'],
    ]);
    for (const s of specs) {
      const chat = s.models.filter((m) => m.kind === 'chat');
      expect(chat.map((m) => m.model)).toEqual(['demo-chat', 'demo-echo']);
      for (const m of chat) expect(m.pricing).toMatchObject({ inputPerMTok: 10, outputPerMTok: 30 });
      expect(Object.keys(s.headers ?? {}).length).toBe(1); // the mock wants a key header; no secret needed
    }
    expect(specs[0]!.models.some((m) => m.model === 'demo-embed' && m.kind === 'embeddings')).toBe(true);
    expect(new Set(specs.map((s) => s.governance.jurisdiction))).toEqual(new Set(['US', 'DE', 'CN']));
  });
});

describe('demo catalog against a live mock', () => {
  it('every demo endpoint answers demo-echo through its adapter with the header key', async () => {
    const mock = await startMockProvider({ port: 0 });
    try {
      for (const spec of demoCatalogSpecs(mock.url)) {
        const t = target(spec.provider, spec.baseUrl, { apiKey: undefined, headers: spec.headers, id: spec.id });
        const res = await getAdapter(spec.provider).chat({ model: 'demo-echo', messages: [{ role: 'user', content: `to ${spec.id}` }] }, call(t, 'demo-echo'));
        expect(res.choices[0]!.message.content).toBe(`to ${spec.id}`);
      }
      expect(mock.requests().map((r) => r.path)).toEqual(['/v1/chat/completions', '/anthropic/v1/messages', '/cn/v1/chat/completions']);
    } finally {
      await mock.close();
    }
  });
});
