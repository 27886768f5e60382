/**
 * The demo catalog: endpoints on the mock provider, so the demo and the tests exercise real HTTP, translation
 * (an OpenAI-format and an Anthropic-format endpoint serve the same models) and failover (same models, several
 * endpoints), and policies have something to choose between (a US, an EU and a CN endpoint).
 */

import type { CatalogEndpointSpec, CatalogModelSpec } from '../../catalog';

/** The mock accepts any non-empty key; this one is sent as a plain header so the demo needs no secrets. */
export const MOCK_DEMO_KEY = 'mock-demo-key';

/** Priced like a frontier model ($10 / $30 per 1M input / output tokens) so spend caps are visible in the demo. */
function demoChatModels(): CatalogModelSpec[] {
  const pricing = { inputPerMTok: 10, cachedInputPerMTok: 5, outputPerMTok: 30 };
  return [
    { model: 'demo-chat', kind: 'chat', pricing: { ...pricing }, contextTokens: 128_000, maxOutputTokens: 4_096 },
    { model: 'demo-echo', kind: 'chat', pricing: { ...pricing }, contextTokens: 128_000, maxOutputTokens: 4_096 },
  ];
}

function demoEmbedModel(): CatalogModelSpec {
  return { model: 'demo-embed', kind: 'embeddings', pricing: { inputPerMTok: 0.1, cachedInputPerMTok: null, outputPerMTok: 0 }, contextTokens: 8_191, maxOutputTokens: null };
}

/** `mockUrl` is the mock provider's root URL, e.g. `http://127.0.0.1:8081`. */
export function demoCatalogSpecs(mockUrl: string): CatalogEndpointSpec[] {
  const root = mockUrl.replace(/\/+$/, '');
  return [
    {
      id: 'mock-us',
      provider: 'openai',
      displayName: 'Mock provider, OpenAI format (US, retains data)',
      baseUrl: `${root}/v1`,
      credentialsRef: null,
      headers: { authorization: `Bearer ${MOCK_DEMO_KEY}` },
      governance: { jurisdiction: 'US', dataRegions: ['us'], zeroDataRetention: false, trainsOnData: false, retentionDays: 30, certifications: ['SOC 2 Type 2'] },
      priority: 10,
      models: [...demoChatModels(), demoEmbedModel()],
    },
    {
      id: 'mock-eu',
      provider: 'anthropic',
      displayName: 'Mock provider, Anthropic format (EU, zero retention, no training)',
      baseUrl: `${root}/anthropic/v1`,
      credentialsRef: null,
      headers: { 'x-api-key': MOCK_DEMO_KEY },
      governance: { jurisdiction: 'DE', dataRegions: ['eu'], zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: ['SOC 2 Type 2', 'ISO 27001'] },
      priority: 20,
      models: demoChatModels(),
    },
    {
      id: 'mock-cn',
      provider: 'openai_compatible',
      displayName: 'Mock provider, OpenAI-compatible (CN, retains data, trains on it)',
      baseUrl: `${root}/cn/v1`,
      credentialsRef: null,
      headers: { authorization: `Bearer ${MOCK_DEMO_KEY}` },
      governance: { jurisdiction: 'CN', dataRegions: ['cn'], zeroDataRetention: false, trainsOnData: true, retentionDays: null, certifications: null },
      priority: 30,
      models: [...demoChatModels(), demoEmbedModel()],
    },
  ];
}
