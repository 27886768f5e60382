import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyRecord } from '../db';
import type { KeyStore } from '../identity';
import { GatewayError, unauthorized } from '../http';

/** The key from `Authorization: Bearer`, Anthropic's `x-api-key` or Azure's `api-key`. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const space = auth.indexOf(' ');
    if (space > 0 && auth.slice(0, space).toLowerCase() === 'bearer') return auth.slice(space + 1).trim();
    return undefined;
  }
  const xApiKey = headers['x-api-key'] ?? headers['api-key'];
  return typeof xApiKey === 'string' ? xApiKey.trim() : undefined;
}

const MESSAGES = {
  missing: 'No API key provided. Send it as "Authorization: Bearer gh_..." (or x-api-key).',
  malformed: 'The API key is not a valid Gatehouse key.',
  unknown: 'Incorrect API key provided.',
  revoked: 'This API key has been revoked.',
  expired: 'This API key has expired.',
} as const;

/** A key created with scopes may call only those data-plane routes (403 otherwise). */
export function requireScope(key: ApiKeyRecord, scope: 'chat' | 'messages' | 'embeddings' | 'models'): void {
  if (key.scopes && !key.scopes.includes(scope)) {
    throw new GatewayError(`This API key is not allowed to use ${scope} (its scopes: ${key.scopes.join(', ') || 'none'}).`, {
      status: 403, type: 'permission_error', code: 'insufficient_scope',
    });
  }
}

export async function authenticate(keys: KeyStore, headers: IncomingHttpHeaders): Promise<ApiKeyRecord> {
  const result = await keys.authenticate(presentedKey(headers)).catch((err: unknown) => {
    // An uncached key whose record cannot be read (PostgreSQL down): a retryable outage, not a 500.
    throw new GatewayError('API keys cannot be checked right now; retry shortly.', {
      status: 503, type: 'server_error', code: 'auth_unavailable', headers: { 'retry-after': '2' },
    });
  });
  if (!result.ok) {
    const code = result.reason === 'missing' ? 'missing_api_key' : result.reason === 'revoked' ? 'revoked_api_key'
      : result.reason === 'expired' ? 'expired_api_key' : 'invalid_api_key';
    throw unauthorized(MESSAGES[result.reason], code);
  }
  return result.key;
}
