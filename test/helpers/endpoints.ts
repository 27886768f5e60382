import type { CatalogEndpointSpec } from '../../src/catalog';
import type { ProviderKind } from '../../src/providers';

const PRICING = { inputPerMTok: 10, cachedInputPerMTok: 5, outputPerMTok: 30 };

/** A catalog endpoint on the mock provider: `path` selects a fault alias (`/fail500`, `/timeout`, …) or a format. */
export function mockEndpoint(
  mockUrl: string, id: string, path: string, models: Array<[string, string]>,
  extra: Partial<CatalogEndpointSpec> & { provider?: ProviderKind } = {},
): CatalogEndpointSpec {
  const provider = extra.provider ?? 'openai';
  return {
    id, provider, displayName: id, baseUrl: `${mockUrl}${path}`, credentialsRef: null,
    headers: provider === 'anthropic' ? { 'x-api-key': 'mock' } : { authorization: 'Bearer mock' },
    governance: { jurisdiction: 'US', dataRegions: ['US'], zeroDataRetention: null, trainsOnData: null, retentionDays: null, certifications: null },
    priority: 50,
    models: models.map(([model, upstreamModel]) => ({ model, upstreamModel, kind: 'chat' as const, pricing: { ...PRICING } })),
    ...extra,
  };
}
