import { z } from 'zod';
import type { CatalogSnapshot, ModelKind, ModelRoute } from '../../catalog';
import { GatewayError, badRequest } from '../../http';
import { createPiiScanner, scanBody, type BodyShape, type PiiScanner } from '../../pii';
import { parseChatRequest, parseEmbeddingsRequest } from '../../proxy/validation';
import { buildPolicyInput, metadataHeaders, type PolicyInput } from '../input';

/** The key id a sample request is evaluated with: no real key is involved. */
export const SYNTHETIC_KEY_ID = 'simulation';

/**
 * `{model, messages | input, stream?, headers?}` plus any other data-plane parameter (max_tokens…),
 * checked afterwards with the data plane's own schemas. `route` picks the client API a chat body
 * stands for (the Anthropic route's body is translated to this same canonical shape).
 */
export const sampleRequestSchema = z.looseObject({
  route: z.enum(['chat.completions', 'messages', 'embeddings']).optional(),
  headers: z.record(z.string().max(256), z.string().max(4096)).optional(),
});
export type SampleRequest = z.output<typeof sampleRequestSchema>;

export interface SamplePrincipal {
  orgSlug: string;
  workspaceSlug: string;
  userId: string | null;
}

export interface SampleInput {
  input: PolicyInput;
  route: string;
  model: string;
}

// One scanner per process: building its recognizers is the expensive part, scanning is not.
let scanner: PiiScanner | null = null;
const piiScanner = (): PiiScanner => (scanner ??= createPiiScanner());

/** The data plane's 400 with the parameter path moved under `request.`. */
function underRequest(err: unknown): unknown {
  if (!(err instanceof GatewayError) || err.status !== 400) return err;
  const param = err.param ? `request.${err.param}` : 'request';
  return badRequest(err.message.replace(/^Invalid request: /, `Invalid request: ${err.param ? 'request.' : ''}`), param, err.code);
}

/** Candidate endpoints for a model as the data plane resolves them (src/proxy/model-access.ts), as 400s here. */
export function candidatesFor(catalog: CatalogSnapshot, model: string, kind: ModelKind): readonly ModelRoute[] {
  const routes = catalog.routesFor(model);
  if (routes.length === 0) throw badRequest(`request.model: the catalog serves no model "${model}".`, 'request.model', 'model_not_found');
  const matching = routes.filter((r) => r.kind === kind);
  if (matching.length === 0) throw badRequest(`request.model: "${model}" is not ${kind === 'chat' ? 'a chat' : 'an embeddings'} model.`, 'request.model', 'model_not_supported');
  return matching;
}

/**
 * The input the gateway would build for this request (src/proxy/governance.ts): the same
 * validation, PII scan of the body, catalog candidates, x-gatehouse-* metadata headers and an
 * empty spend section — from a synthetic key of the principal's workspace.
 */
export function sampleInput(body: unknown, catalog: CatalogSnapshot, principal: SamplePrincipal, scan: PiiScanner = piiScanner()): SampleInput {
  const parsed = sampleRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['request', ...issue.path.map(String)].join('.');
    throw badRequest(`${path}: ${issue.message}`, path);
  }
  const { route: askedRoute, headers, ...rest } = parsed.data;
  const embeddings = askedRoute === 'embeddings' || (askedRoute === undefined && 'input' in rest && !('messages' in rest));
  const route = embeddings ? 'embeddings' : (askedRoute ?? 'chat.completions');
  let req;
  let shape: BodyShape;
  try {
    req = embeddings ? parseEmbeddingsRequest(rest) : parseChatRequest(rest);
    shape = embeddings ? 'openai.embeddings.request' : 'openai.chat.request';
  } catch (err) {
    throw underRequest(err);
  }
  const routes = candidatesFor(catalog, req.model, embeddings ? 'embeddings' : 'chat');
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) lowered[name.toLowerCase()] = value;
  const maxTokens = 'messages' in req ? (req.max_tokens ?? req.max_completion_tokens ?? null) : null;
  const input = buildPolicyInput(
    { org: principal.orgSlug, workspace: principal.workspaceSlug, key_id: SYNTHETIC_KEY_ID, user_id: principal.userId, roles: [], groups: [] },
    { endpoint: route, model: req.model, stream: 'messages' in req && req.stream === true, max_tokens: maxTokens, headers: metadataHeaders(lowered) },
    scanBody(shape, req, scan).summary, routes,
  );
  return { input, route, model: req.model };
}
