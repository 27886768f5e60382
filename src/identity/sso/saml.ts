import { Strategy as SamlStrategy, ValidateInResponseTo, type CacheItem, type CacheProvider, type Profile, type VerifiedCallback } from '@node-saml/passport-saml';
import type { Redis } from 'ioredis';
import type { IdpProfile } from '../provisioning';
import type { SamlSettings } from '../repositories/sso-connections';
import { groupsFrom } from './oidc';
import { SsoRefusal } from './refusal';

const REQUEST_TTL_MS = 10 * 60_000;
const CLOCK_SKEW_MS = 60_000;
/** An assertion older than this is refused even if the IdP gave it a longer life. */
const MAX_ASSERTION_AGE_MS = 10 * 60_000;

/**
 * AuthnRequest ids issued by any gateway instance, in Redis, so the instance receiving the POST
 * can check InResponseTo (an unsolicited or replayed response has no matching request).
 */
export class RedisSamlRequestCache implements CacheProvider {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const createdAt = Date.now();
    const stored = await this.redis.set(`${this.prefix}${key}`, JSON.stringify({ value, createdAt }), 'PX', REQUEST_TTL_MS, 'NX');
    return stored === 'OK' ? { value, createdAt } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    const raw = await this.redis.get(`${this.prefix}${key}`);
    return raw ? (JSON.parse(raw) as CacheItem).value : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    const removed = await this.redis.getdel(`${this.prefix}${key}`);
    return removed ? key : null;
  }
}

/** Remembers consumed assertion ids until they expire: the same assertion never logs in twice. */
export class AssertionReplayCache {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  /** True when the id was unseen (and is now recorded). */
  async consume(orgId: string, assertionId: string, notOnOrAfterMs: number): Promise<boolean> {
    const ttl = Math.max(1_000, Math.min(notOnOrAfterMs - Date.now() + CLOCK_SKEW_MS, 24 * 3_600_000));
    const set = await this.redis.set(`${this.prefix}${orgId}:${assertionId}`, '1', 'PX', ttl, 'NX');
    return set === 'OK';
  }
}

export interface SamlStrategyInput {
  orgId: string;
  settings: SamlSettings;
  /** Our Assertion Consumer Service URL: the bearer SubjectConfirmation's Recipient must equal it. */
  acsUrl: string;
  groupsAttribute: string;
  requestCache: CacheProvider;
  replay: AssertionReplayCache;
}

type XmlNode = { $?: Record<string, string>; _?: string; [child: string]: unknown };
const first = (value: unknown): XmlNode | undefined => (Array.isArray(value) ? (value[0] as XmlNode) : undefined);
const all = (value: unknown): XmlNode[] => (Array.isArray(value) ? (value as XmlNode[]) : []);

/**
 * Checks node-saml leaves to us, on the signed assertion it returns: Issuer, a bearer
 * SubjectConfirmation whose Recipient is our ACS URL and whose NotOnOrAfter is in the future, and
 * the assertion id not seen before. Returns the NotOnOrAfter used for the replay record.
 */
export function checkAssertion(profile: Profile, input: Pick<SamlStrategyInput, 'settings' | 'acsUrl'>, nowMs: number = Date.now()): { id: string; notOnOrAfterMs: number } {
  if (profile.issuer !== input.settings.idpIssuer) throw new SsoRefusal(`assertion issuer ${String(profile.issuer)} is not the configured IdP`, 'saml_issuer');
  const parsed = profile.getAssertion?.() as { Assertion?: XmlNode } | undefined;
  const assertion = parsed?.Assertion;
  const id = assertion?.$?.ID;
  if (!assertion || !id) throw new SsoRefusal('the assertion has no ID', 'saml_invalid');
  const confirmations = all(first(assertion.Subject)?.SubjectConfirmation)
    .filter((c) => c.$?.Method === 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
  let notOnOrAfterMs = NaN;
  const valid = confirmations.some((c) => {
    const data = first(c.SubjectConfirmationData)?.$;
    if (!data || data.Recipient !== input.acsUrl || !data.NotOnOrAfter) return false;
    const until = Date.parse(data.NotOnOrAfter);
    if (!(until + CLOCK_SKEW_MS > nowMs)) return false;
    if (data.NotBefore && Date.parse(data.NotBefore) - CLOCK_SKEW_MS > nowMs) return false;
    notOnOrAfterMs = until;
    return true;
  });
  if (!valid) throw new SsoRefusal('no bearer subject confirmation for this service provider that is still valid (Recipient / NotOnOrAfter)', 'saml_recipient');
  return { id, notOnOrAfterMs };
}

function attribute(profile: Profile, name: string): unknown {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  return attributes[name] ?? (profile as Record<string, unknown>)[name];
}

/**
 * passport-saml's strategy for one organisation: signed assertions required (wantAssertionsSigned),
 * IdP certificate pinned, Audience = our entity id, Conditions and SubjectConfirmation times with a
 * one-minute skew, InResponseTo required (SP-initiated only), then checkAssertion and the replay cache.
 */
export function buildSamlStrategy(input: SamlStrategyInput): SamlStrategy {
  const signon = (profile: Profile | null, done: VerifiedCallback): void => {
    if (!profile) return done(new SsoRefusal('the IdP sent no assertion', 'saml_invalid'));
    let checked: { id: string; notOnOrAfterMs: number };
    try {
      checked = checkAssertion(profile, input);
    } catch (err) {
      return done(err as Error);
    }
    const emailValue = attribute(profile, input.settings.emailAttribute);
    const email = typeof emailValue === 'string' ? emailValue : /^[^\s@]+@[^\s@]+$/.test(profile.nameID) ? profile.nameID : null;
    if (!email) return done(new SsoRefusal(`the assertion carries no ${input.settings.emailAttribute} attribute and the NameID is not an e-mail`));
    const nameValue = attribute(profile, input.settings.nameAttribute);
    const idp: IdpProfile = {
      subject: profile.nameID, email, displayName: typeof nameValue === 'string' ? nameValue : null,
      groups: groupsFrom(attribute(profile, input.groupsAttribute)),
    };
    input.replay.consume(input.orgId, checked.id, checked.notOnOrAfterMs).then(
      (fresh) => (fresh ? done(null, idp as unknown as Record<string, unknown>) : done(new SsoRefusal('this assertion was already used', 'saml_replay'))),
      (err: Error) => done(err),
    );
  };
  return new SamlStrategy({
    callbackUrl: input.acsUrl,
    entryPoint: input.settings.entryPoint,
    issuer: input.settings.spEntityId,
    audience: input.settings.spEntityId,
    idpIssuer: input.settings.idpIssuer,
    idpCert: input.settings.idpCerts,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    signatureAlgorithm: 'sha256',
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    maxAssertionAgeMs: MAX_ASSERTION_AGE_MS,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: input.requestCache,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  }, signon, (_profile, done) => done(new SsoRefusal('single logout is not supported')));
}
