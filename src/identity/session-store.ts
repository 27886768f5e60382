import session from 'express-session';
import type { Pool } from 'pg';

/**
 * express-session store on the admin_sessions table (migration 040). Our own ~60 lines rather
 * than connect-pg-simple: that package creates and owns its table outside our migrations, and we
 * need a `user_key` column so deprovisioning (SCIM, IdP removal) can end a user's sessions at once.
 * Idle expiry is server side (expires_at, refreshed by touch), so a stolen cookie with a forged
 * expiry is still refused.
 */
export interface SessionWithUser extends session.SessionData {
  /** `user:<uuid>` or `local:<uuid>`; set at login. */
  userKey?: string;
}

export class PgSessionStore extends session.Store {
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(private readonly pool: Pool, private readonly idleMs: number, pruneEveryMs = 15 * 60_000) {
    super();
    this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), pruneEveryMs);
    this.pruneTimer.unref();
  }

  private expiry(sess: session.SessionData): Date {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Infinity;
    return new Date(Math.min(Date.now() + this.idleMs, cookieExpiry));
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.pool.query<{ sess: session.SessionData }>('SELECT sess FROM admin_sessions WHERE sid = $1 AND expires_at > now()', [sid])
      .then(({ rows }) => callback(null, rows.length ? rows[0].sess : null), (err) => callback(err));
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const userKey = (sess as SessionWithUser).userKey ?? null;
    this.pool.query(
      `INSERT INTO admin_sessions (sid, sess, user_key, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sid) DO UPDATE SET sess = EXCLUDED.sess, user_key = EXCLUDED.user_key, expires_at = EXCLUDED.expires_at`,
      [sid, JSON.stringify(sess), userKey, this.expiry(sess)],
    ).then(() => callback?.(), (err) => callback?.(err));
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    this.pool.query('UPDATE admin_sessions SET expires_at = $2 WHERE sid = $1 AND expires_at > now()', [sid, this.expiry(sess)])
      .then(() => callback?.(), (err) => callback?.(err));
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.pool.query('DELETE FROM admin_sessions WHERE sid = $1', [sid]).then(() => callback?.(), (err) => callback?.(err));
  }

  /** Ends every session of a user (deprovisioned, deactivated, roles withdrawn). */
  async destroyForUser(userKey: string): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM admin_sessions WHERE user_key = $1', [userKey]);
    return rowCount ?? 0;
  }

  async prune(): Promise<void> {
    await this.pool.query('DELETE FROM admin_sessions WHERE expires_at <= now()');
  }

  close(): void {
    clearInterval(this.pruneTimer);
  }
}
