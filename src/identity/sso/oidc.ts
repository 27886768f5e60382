import {
  custom, generators, Issuer, Strategy,
  type Client, type IdTokenClaims, type StrategyVerifyCallbackUserInfo, type TokenSet, type UserinfoResponse,
} from 'openid-client';
import type { IdpProfile } from '../provisioning';
import type { OidcSettings } from '../repositories/sso-connections';
import { SsoRefusal } from './refusal';

// IdP calls (discovery, token, JWKS, userinfo) never hang a login.
custom.setHttpOptionsDefaults({ timeout: 5_000 });


export interface OidcStrategyInput {
  orgId: string;
  settings: OidcSettings;
  clientSecret: string | null;
  redirectUri: string;
  groupsAttribute: string;
}

type Done = (err: Error | null, user?: IdpProfile) => void;

function stringClaim(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Groups may be a list of strings or one string (some IdPs send a single group that way). */
export function groupsFrom(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/**
 * openid-client's passport strategy for one organisation: discovery, authorization code flow with
 * PKCE (S256), state and nonce kept in the session and checked at the callback, ID token signature,
 * issuer, audience, expiry and nonce validated by openid-client. Claims from the ID token and the
 * userinfo endpoint are merged (ID token wins) into an IdpProfile.
 */
export async function buildOidcStrategy(input: OidcStrategyInput): Promise<Strategy<IdpProfile, Client>> {
  const issuer = await Issuer.discover(input.settings.issuer);
  // Discovery may follow a path; the document's issuer must still be the configured one.
  if (issuer.metadata.issuer !== input.settings.issuer.replace(/\/$/, '') && issuer.metadata.issuer !== input.settings.issuer) {
    throw new Error(`the discovery document names issuer ${issuer.metadata.issuer}, expected ${input.settings.issuer}`);
  }
  const client = new issuer.Client({
    client_id: input.settings.clientId,
    ...(input.clientSecret ? { client_secret: input.clientSecret, token_endpoint_auth_method: 'client_secret_basic' } : { token_endpoint_auth_method: 'none' }),
    redirect_uris: [input.redirectUri],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  });
  // openid-client passes userinfo only when the IdP has a userinfo endpoint; otherwise the
  // second argument is already `done`.
  const verify = (tokenset: TokenSet, second: UserinfoResponse | Done, third?: Done): void => {
    const done = (typeof second === 'function' ? second : third) as Done;
    const userinfo = typeof second === 'function' ? undefined : second;
    const idClaims: IdTokenClaims = tokenset.claims();
    const claims: Record<string, unknown> = { ...(userinfo ?? {}), ...idClaims };
    const email = stringClaim(claims, input.settings.emailClaim);
    if (!email) return done(new SsoRefusal(`the IdP sent no ${input.settings.emailClaim} claim`));
    if (claims.email_verified === false) return done(new SsoRefusal('the IdP says the e-mail is not verified'));
    // Groups: the ID token's claim when present, else userinfo's.
    const groups = groupsFrom(idClaims[input.groupsAttribute] ?? userinfo?.[input.groupsAttribute]);
    done(null, { subject: idClaims.sub, email, displayName: stringClaim(claims, input.settings.nameClaim), groups });
  };
  return new Strategy<IdpProfile, Client>({
    client,
    params: { scope: input.settings.scopes.join(' '), response_type: 'code' },
    usePKCE: 'S256',
    sessionKey: `oidc:${input.orgId}`,
  }, verify as StrategyVerifyCallbackUserInfo<IdpProfile>);
}

/** Per-login extras for the authorization request: a fresh nonce (state is added by the strategy). */
export function authorizationExtras(): { nonce: string } {
  return { nonce: generators.nonce() };
}
