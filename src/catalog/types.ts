import type { EndpointTimeouts, ProviderKind } from '../providers';

/** Governance attributes of an endpoint. `null` means unknown, which never counts as compliant. */
export interface Governance {
  /** ISO 3166-1 alpha-2 country of the operating company. */
  jurisdiction: string | null;
  /** Regions where prompts are processed/stored, e.g. ['EU'] or ['US', 'EU']. */
  dataRegions: string[] | null;
  zeroDataRetention: boolean | null;
  trainsOnData: boolean | null;
  retentionDays: number | null;
  certifications: string[] | null;
}

/** USD per one million tokens; null when the price is not known. */
export interface ModelPricing {
  inputPerMTok: number | null;
  cachedInputPerMTok: number | null;
  outputPerMTok: number | null;
}

export type ModelKind = 'chat' | 'embeddings';

export interface CatalogModelSpec {
  /** Public model name clients send (e.g. `gpt-4o`). */
  model: string;
  /** Name at the provider (model id or Azure deployment); defaults to `model`. */
  upstreamModel?: string;
  kind: ModelKind;
  pricing: ModelPricing;
  contextTokens?: number | null;
  maxOutputTokens?: number | null;
}

/** One endpoint as stored in catalog_endpoints + catalog_models. */
export interface CatalogEndpointSpec {
  id: string;
  provider: ProviderKind;
  displayName: string;
  baseUrl: string;
  /** Where the secret lives: `env:NAME`; null when the endpoint needs none. Never the secret itself. */
  credentialsRef: string | null;
  headers?: Record<string, string>;
  azureApiVersion?: string | null;
  governance: Governance;
  /** Lower is tried first. */
  priority?: number;
  enabled?: boolean;
  timeouts?: Partial<EndpointTimeouts>;
  models: CatalogModelSpec[];
}

/** A model served by one endpoint, ready for routing. */
export interface ModelRoute {
  endpoint: RuntimeEndpoint;
  model: string;
  upstreamModel: string;
  kind: ModelKind;
  pricing: ModelPricing;
  contextTokens: number | null;
  maxOutputTokens: number | null;
}

/** An endpoint as the data plane uses it: credentials resolved, timeouts filled in. */
export interface RuntimeEndpoint {
  id: string;
  provider: ProviderKind;
  displayName: string;
  priority: number;
  governance: Governance;
  target: import('../providers').EndpointTarget;
  /** Set when the credentials reference could not be resolved (the endpoint is skipped, and says why). */
  credentialsProblem: string | null;
}
