import type { Strategy as PassportStrategy } from 'passport';
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import type { Organisation } from '../../db';
import { getSsoConnection, type SsoConnection } from '../repositories/sso-connections';
import type { SecretBox } from '../secret-box';
import { buildOidcStrategy } from './oidc';
import { AssertionReplayCache, buildSamlStrategy, RedisSamlRequestCache } from './saml';

export interface SsoServiceOptions {
  pool: Pool;
  redis: Redis;
  /** Redis key prefix of this deployment. */
  prefix: string;
  box: SecretBox;
}

export interface OrgStrategy {
  connection: SsoConnection;
  strategy: PassportStrategy;
}

interface CachedStrategy {
  key: string;
  strategy: Promise<PassportStrategy>;
}

export const oidcRedirectPath = (orgSlug: string): string => `/auth/sso/${orgSlug}/callback`;
export const samlAcsPath = (orgSlug: string): string => `/auth/sso/${orgSlug}/acs`;

/**
 * One passport strategy per organisation, built from its stored SSO connection and cached until
 * the connection's version (bumped on every change) or the public URL differs. The connection is
 * re-read at each login, so an edit on one instance applies on all of them at the next login.
 */
export class SsoService {
  private readonly cache = new Map<string, CachedStrategy>();
  private readonly requestCache: RedisSamlRequestCache;
  private readonly replay: AssertionReplayCache;

  constructor(private readonly options: SsoServiceOptions) {
    this.requestCache = new RedisSamlRequestCache(options.redis, `${options.prefix}saml:request:`);
    this.replay = new AssertionReplayCache(options.redis, `${options.prefix}saml:assertion:`);
  }

  /** The organisation's enabled connection and its strategy, or null when SSO is not configured. */
  async strategyFor(org: Organisation, baseUrl: string): Promise<OrgStrategy | null> {
    const connection = await getSsoConnection(this.options.pool, org.id);
    if (!connection || !connection.enabled) return null;
    const key = `${connection.version}|${baseUrl}`;
    let cached = this.cache.get(org.id);
    if (!cached || cached.key !== key) {
      cached = { key, strategy: this.build(org, connection, baseUrl) };
      this.cache.set(org.id, cached);
      // A failed build (IdP discovery down) is not kept: the next login tries again.
      const attempt = cached;
      attempt.strategy.catch(() => { if (this.cache.get(org.id) === attempt) this.cache.delete(org.id); });
    }
    return { connection, strategy: await cached.strategy };
  }

  private async build(org: Organisation, connection: SsoConnection, baseUrl: string): Promise<PassportStrategy> {
    if (connection.protocol === 'oidc') {
      const secret = connection.secretSealed ? this.options.box.open(connection.secretSealed, `oidc:${org.id}`) : null;
      return buildOidcStrategy({
        orgId: org.id, settings: connection.settings, clientSecret: secret, redirectUri: baseUrl + oidcRedirectPath(org.slug),
        groupsAttribute: connection.groupsAttribute,
      }) as Promise<PassportStrategy>;
    }
    return buildSamlStrategy({
      orgId: org.id, settings: connection.settings, acsUrl: baseUrl + samlAcsPath(org.slug), groupsAttribute: connection.groupsAttribute,
      requestCache: this.requestCache, replay: this.replay,
    }) as unknown as PassportStrategy;
  }

  /** Forgets a cached strategy (connection deleted). */
  forget(orgId: string): void {
    this.cache.delete(orgId);
  }
}
