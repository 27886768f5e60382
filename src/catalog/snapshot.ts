import type { EndpointTimeouts } from '../providers';
import type { CatalogEndpointSpec, ModelRoute, RuntimeEndpoint } from './types';

export type SecretResolver = (ref: string) => string | undefined;

/** `env:NAME` is the one reference kind today; a vault lookup would add another prefix here. */
export const envSecretResolver = (env: NodeJS.ProcessEnv): SecretResolver => (ref) =>
  ref.startsWith('env:') ? env[ref.slice(4)] : undefined;

function toRuntimeEndpoint(spec: CatalogEndpointSpec, resolve: SecretResolver, defaults: EndpointTimeouts): RuntimeEndpoint {
  let apiKey: string | undefined;
  let credentialsProblem: string | null = null;
  if (spec.credentialsRef) {
    apiKey = resolve(spec.credentialsRef);
    if (!apiKey) credentialsProblem = `credentials ${spec.credentialsRef} are not set`;
  }
  return {
    id: spec.id,
    provider: spec.provider,
    displayName: spec.displayName,
    priority: spec.priority ?? 100,
    governance: spec.governance,
    credentialsProblem,
    target: {
      id: spec.id,
      provider: spec.provider,
      baseUrl: spec.baseUrl.replace(/\/+$/, ''),
      apiKey,
      headers: spec.headers && Object.keys(spec.headers).length ? spec.headers : undefined,
      azureApiVersion: spec.azureApiVersion ?? undefined,
      timeouts: { ...defaults, ...(spec.timeouts ?? {}) },
    },
  };
}

/**
 * An immutable, indexed view of the catalog. The data plane reads one snapshot per request,
 * so a reload never shows a request half of the old catalog and half of the new.
 */
export class CatalogSnapshot {
  private readonly routesByModel = new Map<string, ModelRoute[]>();
  private readonly endpoints = new Map<string, RuntimeEndpoint>();

  constructor(specs: readonly CatalogEndpointSpec[], resolve: SecretResolver, defaults: EndpointTimeouts) {
    for (const spec of specs) {
      if (spec.enabled === false) continue;
      const endpoint = toRuntimeEndpoint(spec, resolve, defaults);
      this.endpoints.set(endpoint.id, endpoint);
      for (const m of spec.models) {
        const route: ModelRoute = {
          endpoint, model: m.model, upstreamModel: m.upstreamModel ?? m.model, kind: m.kind, pricing: m.pricing,
          contextTokens: m.contextTokens ?? null, maxOutputTokens: m.maxOutputTokens ?? null,
        };
        const list = this.routesByModel.get(m.model) ?? [];
        list.push(route);
        this.routesByModel.set(m.model, list);
      }
    }
    for (const list of this.routesByModel.values()) {
      list.sort((a, b) => a.endpoint.priority - b.endpoint.priority || a.endpoint.id.localeCompare(b.endpoint.id));
    }
  }

  /**
   * Routes able to serve `model`, best first. `endpoint/model` pins one endpoint
   * (e.g. `mistral-eu/mistral-large-latest`).
   */
  routesFor(model: string): readonly ModelRoute[] {
    const direct = this.routesByModel.get(model);
    if (direct) return direct;
    const slash = model.indexOf('/');
    if (slash > 0) {
      const pinned = this.routesByModel.get(model.slice(slash + 1));
      const endpointId = model.slice(0, slash);
      const match = pinned?.filter((r) => r.endpoint.id === endpointId);
      if (match && match.length) return match;
    }
    return [];
  }

  modelNames(): string[] {
    return [...this.routesByModel.keys()].sort();
  }

  endpoint(id: string): RuntimeEndpoint | undefined {
    return this.endpoints.get(id);
  }

  allEndpoints(): RuntimeEndpoint[] {
    return [...this.endpoints.values()];
  }
}
