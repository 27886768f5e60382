import type { ApiKeyRecord } from '../db';
import type { CatalogSnapshot, ModelKind, ModelRoute } from '../catalog';
import { GatewayError, notFound } from '../http';

/**
 * `*` wildcard match in O(len(pattern) × len(text)) worst case, without a regex: key allowlists
 * are admin-supplied, and a RegExp built from `a*a*a*…` would backtrack polynomially.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

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
