/** Identity: API keys (format, hashing, hot-path key store). SSO and sessions arrive with issue #8. */
export { API_KEY_PREFIX, generateApiKey, hashApiKey, isWellFormedApiKey, lookupIdOf, apiKeyMatches } from './api-key-format';
export type { GeneratedApiKey } from './api-key-format';
export { KeyStore } from './key-store';
export type { AuthFailure, AuthResult, KeyStoreOptions } from './key-store';
export { createApiKey, type CreatedApiKey, type CreateApiKeyInput } from './api-key-service';
