import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { Passport } from 'passport';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findOrganisation, type Organisation } from '../db';
import {
  authorizationExtras, loginLocalAdmin, orgIdForEmailDomain, provisionFromLogin, SsoRefusal, type IdpProfile, type OrgStrategy, type SecretBox, type SsoService,
} from '../identity';
import { GatewayError } from '../http';
import type { Logger } from '../logger';
import { SYSTEM_ACTOR, type AuditSink } from './audit';
import type { AdminConfig } from './config';
import { adminErrorHandler, badRequest, handler, noStore, notFound, parse, unauthorized, unavailable } from './http';
import { authenticateAdmin, endSession, establishSession } from './session';

export interface AuthRouterDeps {
  pool: Pool;
  sso: SsoService;
  box: SecretBox;
  audit: AuditSink;
  config: AdminConfig;
  logger: Logger;
  session: express.RequestHandler;
}

/** Platform-level events (no organisation) are filed under the nil UUID. */
export const PLATFORM_ORG_ID = '00000000-0000-0000-0000-000000000000';
const DEFAULT_RETURN = '/admin/v1/me';

/** Only same-site relative paths: never an open redirect. */
function safeReturnTo(value: unknown): string | null {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]{0,2000}$/.test(value) ? value : null;
}

export function publicBaseUrl(config: AdminConfig, req: Request): string {
  return config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

async function orgBySlug(pool: Pool, slug: string): Promise<Organisation> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) throw notFound('Unknown organisation.', 'org_not_found');
  try {
    return await findOrganisation(pool, slug);
  } catch {
    throw notFound('Unknown organisation.', 'org_not_found');
  }
}

const localLoginBody = z.object({
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1024),
  totp: z.string().regex(/^\d{6}$/).optional(),
});

/** Console sign-in: SSO (OIDC / SAML through passport) by organisation or e-mail domain, break-glass login, logout. */
export function createAuthRouter(deps: AuthRouterDeps): Router {
  const router = Router();
  const passport = new Passport();
  router.use('/auth', noStore, express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '64kb' }), deps.session, passport.initialize());

  const strategyOrFail = async (org: Organisation, req: Request): Promise<OrgStrategy> => {
    let found: OrgStrategy | null;
    try {
      found = await deps.sso.strategyFor(org, publicBaseUrl(deps.config, req));
    } catch (err) {
      deps.logger.warn({ err, org: org.slug }, 'SSO strategy could not be built (IdP unreachable or misconfigured)');
      throw unavailable('The identity provider cannot be reached right now.', 'idp_unavailable');
    }
    if (!found) throw notFound('This organisation has no single sign-on configured.', 'sso_not_configured');
    return found;
  };

  const start = async (org: Organisation, req: Request, res: Response, next: NextFunction): Promise<void> => {
    const { connection, strategy } = await strategyOrFail(org, req);
    const returnTo = safeReturnTo(req.query.return_to) ?? DEFAULT_RETURN;
    const options: Record<string, unknown> = { session: false };
    if (connection.protocol === 'oidc') {
      Object.assign(options, authorizationExtras());
      req.session.returnTo = returnTo;
    } else {
      options.additionalParams = { RelayState: returnTo };
    }
    passport.authenticate(strategy, options)(req, res, next);
  };

  // Not wrapped in `handler`: on success passport answers with a redirect and never calls next.
  router.get('/auth/login', (req, res, next) => {
    void (async () => {
      const orgSlug = typeof req.query.org === 'string' ? req.query.org : null;
      const email = typeof req.query.email === 'string' ? req.query.email.trim().toLowerCase() : null;
      let org: Organisation;
      if (orgSlug) org = await orgBySlug(deps.pool, orgSlug);
      else if (email && /^[^\s@]+@[^\s@]+$/.test(email)) {
        const orgId = await orgIdForEmailDomain(deps.pool, email.slice(email.lastIndexOf('@') + 1));
        if (!orgId) throw notFound('No organisation signs in with this e-mail domain.', 'sso_domain_unknown');
        const { rows } = await deps.pool.query<{ slug: string }>('SELECT slug FROM organisations WHERE id = $1', [orgId]);
        org = await orgBySlug(deps.pool, rows[0].slug);
      } else throw badRequest('Pass ?org=<organisation slug> or ?email=<your e-mail>.', 'org');
      await start(org, req, res, next);
    })().catch(next);
  });

  const finish = (protocol: 'oidc' | 'saml') => handler(async (req, res) => {
    const org = await orgBySlug(deps.pool, String(req.params.org));
    const { connection, strategy } = await strategyOrFail(org, req);
    if (connection.protocol !== protocol) throw notFound('This organisation does not sign in with this protocol.', 'sso_protocol');
    // Without these the strategies would start a new login instead of checking an answer.
    if (protocol === 'oidc' && typeof req.query.code !== 'string' && typeof req.query.error !== 'string') {
      throw badRequest('The callback carries neither an authorization code nor an error.', 'code');
    }
    if (protocol === 'saml' && typeof req.body?.SAMLResponse !== 'string') throw badRequest('The POST carries no SAMLResponse.', 'SAMLResponse');
    const outcome = await new Promise<{ profile: IdpProfile | null; reason: string | null }>((resolve, reject) => {
      passport.authenticate(strategy, { session: false }, (err: unknown, user: unknown, info: unknown) => {
        if (err instanceof SsoRefusal) return resolve({ profile: null, reason: err.message });
        if (err) {
          // openid-client/node-saml validation errors are refusals; anything else is ours.
          const message = (err as Error).message ?? String(err);
          if (err instanceof Error && !(err instanceof GatewayError)) return resolve({ profile: null, reason: message });
          return reject(err);
        }
        if (!user) {
          const message = info instanceof Error ? info.message : typeof (info as { message?: unknown })?.message === 'string' ? (info as { message: string }).message : 'the identity provider did not authenticate the user';
          return resolve({ profile: null, reason: message });
        }
        resolve({ profile: user as IdpProfile, reason: null });
      })(req, res, (err?: unknown) => (err ? reject(err) : resolve({ profile: null, reason: 'authentication did not complete' })));
    });
    const returnTo = protocol === 'oidc' ? (safeReturnTo(req.session.returnTo) ?? DEFAULT_RETURN) : (safeReturnTo(req.body?.RelayState) ?? DEFAULT_RETURN);
    if (!outcome.profile) {
      await deps.audit.emit({
        type: 'sso.login_failed', orgId: org.id, actor: SYSTEM_ACTOR, outcome: 'failure',
        details: { protocol, reason: outcome.reason!.slice(0, 500) },
      });
      throw unauthorized(`Single sign-on failed: ${outcome.reason}`, 'sso_failed');
    }
    const result = await provisionFromLogin(deps.pool, connection, outcome.profile);
    if (!result.ok) {
      await deps.audit.emit({
        type: 'sso.login_failed', orgId: org.id, actor: { type: 'user', id: outcome.profile.subject.slice(0, 500), label: outcome.profile.email }, outcome: 'denied',
        details: { protocol, reason: result.reason },
      });
      throw new GatewayError(`Sign-in refused: ${result.message}.`, { status: 403, type: 'permission_error', code: result.reason });
    }
    const csrf = await establishSession(req, { kind: 'user', orgId: org.id, id: result.user.id });
    await deps.audit.emit({
      type: 'sso.login', orgId: org.id, actor: { type: 'user', id: result.user.id, label: result.user.email }, outcome: 'success',
      details: {
        protocol, jit_created: result.created,
        roles_added: result.diff.added.map((g) => `${g.role}@${g.workspaceId ?? 'org'}`),
        roles_removed: result.diff.removed.map((g) => `${g.role}@${g.workspaceId ?? 'org'}`),
      },
    });
    res.setHeader('x-csrf-token', csrf);
    res.redirect(303, returnTo);
  });

  router.get('/auth/sso/:org/callback', finish('oidc'));
  router.post('/auth/sso/:org/acs', finish('saml'));

  router.get('/auth/sso/:org/metadata', handler(async (req, res) => {
    const org = await orgBySlug(deps.pool, String(req.params.org));
    const { connection, strategy } = await strategyOrFail(org, req);
    if (connection.protocol !== 'saml') throw notFound('This organisation does not use SAML.', 'sso_protocol');
    const metadata = (strategy as unknown as { generateServiceProviderMetadata(d: null, s: null): string }).generateServiceProviderMetadata(null, null);
    res.type('application/samlmetadata+xml').send(metadata);
  }));

  router.post('/auth/local', handler(async (req, res) => {
    const body = parse(localLoginBody, req.body);
    const result = await loginLocalAdmin(deps.pool, deps.box, body);
    const orgId = result.admin?.orgId ?? PLATFORM_ORG_ID;
    if (!result.ok) {
      await deps.audit.emit({
        type: 'sso.login_failed', orgId, outcome: 'denied',
        actor: result.admin ? { type: 'user', id: result.admin.id, label: `break-glass:${result.admin.username}` } : SYSTEM_ACTOR,
        details: { method: 'break_glass', reason: result.reason, ...(result.admin ? {} : { username: body.username.slice(0, 200) }) },
      });
      if (result.reason === 'totp_required') throw unauthorized('This account needs a TOTP code (field "totp").', 'totp_required');
      if (result.reason === 'locked') throw new GatewayError('Too many failed attempts; the account is locked for a while.', { status: 429, type: 'rate_limit_error', code: 'locked' });
      throw unauthorized('Wrong user name, password or code.', 'invalid_credentials');
    }
    const csrf = await establishSession(req, { kind: 'local_admin', id: result.admin.id });
    await deps.audit.emit({
      type: 'sso.login', orgId, outcome: 'success', actor: { type: 'user', id: result.admin.id, label: `break-glass:${result.admin.username}` },
      details: { method: 'break_glass', totp: result.admin.totpSealed !== null },
    });
    res.json({ ok: true, csrf_token: csrf, break_glass: true });
  }));

  // Logout is a mutation: it takes the CSRF token like any other.
  router.post('/auth/logout', authenticateAdmin({ pool: deps.pool, config: deps.config }), handler(async (req, res) => {
    const principal = (res.locals.admin as { principal: { id: string; label: string; orgId: string | null } }).principal;
    await endSession(req);
    res.clearCookie(deps.config.cookieName, { path: '/' });
    await deps.audit.emit({
      type: 'sso.logout', orgId: principal.orgId ?? PLATFORM_ORG_ID, outcome: 'success', actor: { type: 'user', id: principal.id, label: principal.label },
    });
    res.status(204).end();
  }));

  router.use('/auth', adminErrorHandler(deps.logger));
  return router;
}

declare module 'express-session' {
  interface SessionData {
    returnTo?: string;
  }
}
