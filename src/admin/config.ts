/** Admin-plane settings from the environment (read once by the composition root). */
export interface AdminConfig {
  /**
   * External base URL of the gateway (https://gateway.example.com). Used for OIDC redirect URIs and
   * the SAML ACS URL. When unset they are derived from the request's Host header — fine on a
   * laptop, not behind a proxy: set it in production.
   */
  publicUrl: string | null;
  /** Secure cookie attribute. Default true; only a plain-HTTP development setup turns it off. */
  cookieSecure: boolean;
  cookieName: string;
  /** A console session ends after this much inactivity… */
  sessionIdleMs: number;
  /** …and this long after login, whatever the activity. */
  sessionAbsoluteMs: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const publicUrl = env.GATEHOUSE_PUBLIC_URL?.trim() || null;
  if (publicUrl !== null && !/^https?:\/\/[^/]+(\/.*)?$/.test(publicUrl)) throw new Error(`GATEHOUSE_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  const secure = env.GATEHOUSE_ADMIN_COOKIE_SECURE ?? 'true';
  if (secure !== 'true' && secure !== 'false') throw new Error('GATEHOUSE_ADMIN_COOKIE_SECURE must be true or false');
  return {
    publicUrl: publicUrl?.replace(/\/+$/, '') ?? null,
    cookieSecure: secure === 'true',
    cookieName: env.GATEHOUSE_ADMIN_COOKIE_NAME || 'gatehouse_admin',
    sessionIdleMs: positiveInt(env, 'GATEHOUSE_ADMIN_SESSION_IDLE_SECONDS', 30 * 60) * 1000,
    sessionAbsoluteMs: positiveInt(env, 'GATEHOUSE_ADMIN_SESSION_ABSOLUTE_SECONDS', 12 * 3600) * 1000,
  };
}
