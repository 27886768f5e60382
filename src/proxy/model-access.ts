import type { ApiKeyRecord } from '../db';
import type { CatalogSnapshot, ModelKind, ModelRoute } from '../catalog';
import { GatewayError, notFound } from '../http';
import { wildcardMatch } from '../policy';

// Matchers are built once per distinct allowlist (the array of a cached key record).
const compiled = new WeakMap<string[], (model: string) => boolean>();

function allowlistMatcher(patterns: string[]): (model: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*'));
  return (model) => exact.has(model) || globs.some((g) => wildcardMatch(g, model));
}

export function keyAllowsModel(key: ApiKeyRecord, model: string): boolean {
  if (!key.allowedModels) return true;
  let matcher = compiled.get(key.allowedModels);
  if (!matcher) {
    matcher = allowlistMatcher(key.allowedModels);
    compiled.set(key.allowedModels, matcher);
  }
  return matcher(model);
}

/**
 * Routes for a requested model, or the error a client should see: 404 for a model the
 * gateway does not serve (or the key may not see), 400 for the wrong kind of model.
 */
export function resolveRoutes(catalog: CatalogSnapshot, key: ApiKeyRecord, model: string, kind: ModelKind): readonly ModelRoute[] {
  const routes = catalog.routesFor(model);
  if (routes.length === 0 || !keyAllowsModel(key, routes[0].model)) {
    throw notFound(`The model '${model}' does not exist or you do not have access to it.`, 'model_not_found', 'model');
  }
  const matching = routes.filter((r) => r.kind === kind);
  if (matching.length === 0) {
    throw new GatewayError(`The model '${model}' is ${routes[0].kind === 'chat' ? 'a chat' : 'an embeddings'} model and cannot serve this endpoint.`, {
      status: 400, type: 'invalid_request_error', code: 'model_not_supported', param: 'model',
    });
  }
  return matching;
}
