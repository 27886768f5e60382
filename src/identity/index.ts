/**
 * Identity: API keys (format, hashing, hot-path key store), users and memberships, SSO (OIDC and
 * SAML strategies for passport, JIT provisioning with group → role mapping), console sessions,
 * admin API and SCIM tokens, break-glass local administrators (scrypt + TOTP).
 */
export { API_KEY_PREFIX, generateApiKey, hashApiKey, isWellFormedApiKey, lookupIdOf, apiKeyMatches } from './api-key-format';
export type { GeneratedApiKey } from './api-key-format';
export { KeyStore } from './key-store';
export type { AuthFailure, AuthResult, KeyStoreOptions } from './key-store';
export { createApiKey, type CreatedApiKey, type CreateApiKeyInput } from './api-key-service';

export * from './repositories/directory';
export * from './repositories/sso-connections';
export * from './repositories/credentials';
export * from './repositories/local-admins';
export { SecretBox } from './secret-box';
export { hashPassword, verifyPassword, passwordProblem, MIN_PASSWORD_LENGTH } from './password';
export { generateTotpSecret, totpCode, matchTotp, totpUri, base32Encode, base32Decode, hotp, totpStep } from './totp';
export { generateToken, tokenLookupId, tokenMatches, hashToken, type OpaqueToken, type TokenPrefix } from './opaque-token';
export { PgSessionStore, type SessionWithUser } from './session-store';
export { provisionFromLogin, type IdpProfile, type ProvisionResult, type ProvisionFailure } from './provisioning';
export { loadPrincipal, authenticateAdminToken, principalKey, type PrincipalRef, type AdminTokenAuth, type AdminTokenFailure } from './principals';
export { createLocalAdmin, loginLocalAdmin, type CreateLocalAdminInput, type CreatedLocalAdmin, type LocalLoginResult, type LocalLoginFailure } from './break-glass';
export { SsoService, type SsoServiceOptions, type OrgStrategy } from './sso/service';
export { SsoRefusal } from './sso/refusal';
export { authorizationExtras } from './sso/oidc';
export { checkAssertion, RedisSamlRequestCache, AssertionReplayCache } from './sso/saml';
export { parseIdpMetadata, type ImportedIdpMetadata } from './sso/saml-metadata';
export { oidcRedirectPath, samlAcsPath } from './sso/service';
export { ssoConfigInput, applySsoConfig, SsoConfigError, type SsoConfigInput, type AppliedSsoConfig } from './sso/configure';
