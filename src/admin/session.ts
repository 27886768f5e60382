import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Pool } from 'pg';
import { authenticateAdminToken, loadPrincipal, principalKey, type PgSessionStore, type PrincipalRef } from '../identity';
import type { AdminConfig } from './config';
import { contextFor, forbidden, unauthorized } from './http';

declare module 'express-session' {
  interface SessionData {
    ref?: PrincipalRef;
    userKey?: string;
    /** Login time (ms): the absolute timeout counts from here. */
    loginAt?: number;
    /** Synchroniser token for cookie-authenticated mutations. */
    csrf?: string;
  }
}

export function sessionMiddleware(store: PgSessionStore, secret: string, config: AdminConfig): RequestHandler {
  return session({
    name: config.cookieName,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    // Every answer refreshes the idle window (cookie and store row).
    rolling: true,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      secure: config.cookieSecure,
      // Lax: the OIDC callback is a top-level GET from the IdP and must carry the cookie.
      sameSite: 'lax',
      maxAge: config.sessionIdleMs,
      path: '/',
    },
  });
}

const promisify = (fn: (cb: (err?: unknown) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

/**
 * Logs a principal in: a brand-new session id (the pre-login id, which an attacker may have
 * planted, is discarded), the principal reference, the login time and a fresh CSRF token.
 */
export async function establishSession(req: Request, ref: PrincipalRef): Promise<string> {
  await promisify((cb) => req.session.regenerate(cb));
  const csrf = randomBytes(32).toString('base64url');
  req.session.ref = ref;
  req.session.userKey = principalKey(ref);
  req.session.loginAt = Date.now();
  req.session.csrf = csrf;
  await promisify((cb) => req.session.save(cb));
  return csrf;
}

export async function endSession(req: Request): Promise<void> {
  if (req.session) await promisify((cb) => req.session.destroy(cb));
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AuthenticateOptions {
  pool: Pool;
  config: AdminConfig;
}

/**
 * Admin authentication: `Authorization: Bearer gha_…` (admin API token, no cookie involved) or the
 * console session cookie. Session requests are checked for the absolute timeout and, when they
 * change something, for the CSRF token (`x-csrf-token`). The principal is reloaded from the
 * database each time, so removed roles and deactivated users stop working at once.
 */
export function authenticateAdmin(options: AuthenticateOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const header = req.headers.authorization;
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        if (!match) throw unauthorized('The Authorization header must be "Bearer <admin token>".', 'invalid_token');
        const auth = await authenticateAdminToken(options.pool, match[1]);
        if (!auth.ok) throw unauthorized(`The admin token is ${auth.reason === 'owner_inactive' ? 'owned by an inactive user' : auth.reason}.`, `token_${auth.reason}`);
        res.locals.admin = contextFor(auth.principal, 'token');
        return;
      }
      const s = req.session;
      if (!s?.ref) throw unauthorized('Sign in or send an admin API token.', 'unauthenticated');
      if ((s.loginAt ?? 0) + options.config.sessionAbsoluteMs <= Date.now()) {
        await endSession(req);
        throw unauthorized('The session has expired; sign in again.', 'session_expired');
      }
      if (MUTATING.has(req.method)) {
        const presented = req.headers['x-csrf-token'];
        if (typeof presented !== 'string' || !s.csrf || !sameToken(presented, s.csrf)) {
          throw forbidden('Missing or wrong x-csrf-token header (cookie-authenticated changes need it).', 'csrf_failed');
        }
      }
      const principal = await loadPrincipal(options.pool, s.ref);
      if (!principal) {
        await endSession(req);
        throw unauthorized('The account is no longer active.', 'account_inactive');
      }
      res.locals.admin = contextFor(principal, 'session');
    })().then(() => next(), next);
  };
}
