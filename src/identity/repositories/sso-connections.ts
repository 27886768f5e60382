import type { Grant, Role } from '../../authz';
import type { Queryable } from './directory';

export interface OidcSettings {
  /** Issuer identifier; discovery reads `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  scopes: string[];
  /** Claim carrying the e-mail (default `email`); `email_verified: false` is refused. */
  emailClaim: string;
  nameClaim: string;
}

export interface SamlSettings {
  /** IdP SSO URL (HTTP-Redirect binding). */
  entryPoint: string;
  /** IdP entity id: the assertion's Issuer must equal it. */
  idpIssuer: string;
  /** IdP signing certificates (PEM or bare base64); several during a rollover. */
  idpCerts: string[];
  /** Our entity id at the IdP: the assertion's Audience must equal it. */
  spEntityId: string;
  /** Attribute with the e-mail; when absent, an e-mail-shaped NameID is used. */
  emailAttribute: string;
  nameAttribute: string;
}

export type SsoSettings = { protocol: 'oidc'; settings: OidcSettings } | { protocol: 'saml'; settings: SamlSettings };

export type SsoConnection = SsoSettings & {
  orgId: string;
  groupsAttribute: string;
  jit: boolean;
  enabled: boolean;
  version: number;
  updatedAt: string;
  /** Sealed OIDC client secret (never leaves the server). */
  secretSealed: Buffer | null;
  emailDomains: string[];
};

interface ConnectionRow {
  org_id: string; protocol: 'oidc' | 'saml'; settings: OidcSettings & SamlSettings; secret_sealed: Buffer | null;
  groups_attribute: string; jit: boolean; enabled: boolean; version: number; updated_at: Date; domains: string[] | null;
}

export async function getSsoConnection(db: Queryable, orgId: string): Promise<SsoConnection | null> {
  const { rows } = await db.query<ConnectionRow>(
    `SELECT c.*, (SELECT array_agg(domain ORDER BY domain) FROM sso_email_domains d WHERE d.org_id = c.org_id) AS domains
       FROM sso_connections c WHERE c.org_id = $1`, [orgId]);
  if (rows.length === 0) return null;
  const r = rows[0];
  const common = {
    orgId: r.org_id, groupsAttribute: r.groups_attribute, jit: r.jit, enabled: r.enabled, version: r.version,
    updatedAt: r.updated_at.toISOString(), secretSealed: r.secret_sealed, emailDomains: r.domains ?? [],
  };
  return r.protocol === 'oidc'
    ? { ...common, protocol: 'oidc', settings: r.settings }
    : { ...common, protocol: 'saml', settings: r.settings };
}

export interface PutSsoConnection {
  sso: SsoSettings;
  secretSealed: Buffer | null;
  groupsAttribute: string;
  jit: boolean;
  enabled: boolean;
}

/** Creates or replaces the organisation's connection; bumps the version so every instance rebuilds its strategy. */
export async function putSsoConnection(db: Queryable, orgId: string, input: PutSsoConnection): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    `INSERT INTO sso_connections (org_id, protocol, settings, secret_sealed, groups_attribute, jit, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (org_id) DO UPDATE SET protocol = EXCLUDED.protocol, settings = EXCLUDED.settings,
        secret_sealed = EXCLUDED.secret_sealed, groups_attribute = EXCLUDED.groups_attribute, jit = EXCLUDED.jit,
        enabled = EXCLUDED.enabled, version = sso_connections.version + 1, updated_at = now()
     RETURNING version`,
    [orgId, input.sso.protocol, JSON.stringify(input.sso.settings), input.secretSealed, input.groupsAttribute, input.jit, input.enabled],
  );
  return rows[0].version;
}

export async function deleteSsoConnection(db: Queryable, orgId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM sso_connections WHERE org_id = $1', [orgId]);
  return (rowCount ?? 0) > 0;
}

export class DomainTakenError extends Error {}

/** Replaces the organisation's login domains; a domain of another organisation is refused. */
export async function setEmailDomains(db: Queryable, orgId: string, domains: readonly string[]): Promise<void> {
  const wanted = [...new Set(domains.map((d) => d.trim().toLowerCase()))];
  const { rows } = await db.query<{ domain: string }>(
    'SELECT domain FROM sso_email_domains WHERE domain = ANY($1::text[]) AND org_id <> $2', [wanted, orgId]);
  if (rows.length > 0) throw new DomainTakenError(`e-mail domain ${rows.map((r) => r.domain).join(', ')} already belongs to another organisation`);
  await db.query('DELETE FROM sso_email_domains WHERE org_id = $1 AND NOT (domain = ANY($2::text[]))', [orgId, wanted]);
  for (const domain of wanted) {
    await db.query('INSERT INTO sso_email_domains (domain, org_id) VALUES ($1, $2) ON CONFLICT (domain) DO NOTHING', [domain, orgId]);
  }
}

export async function orgIdForEmailDomain(db: Queryable, domain: string): Promise<string | null> {
  const { rows } = await db.query<{ org_id: string }>('SELECT org_id FROM sso_email_domains WHERE domain = $1', [domain.toLowerCase()]);
  return rows.length ? rows[0].org_id : null;
}

export interface GroupMapping {
  group: string;
  /** null for `owner` (organisation-wide). */
  workspaceId: string | null;
  role: Role;
}

export async function listGroupMappings(db: Queryable, orgId: string): Promise<GroupMapping[]> {
  const { rows } = await db.query<{ idp_group: string; workspace_id: string | null; role: Role }>(
    'SELECT idp_group, workspace_id, role FROM group_role_mappings WHERE org_id = $1 ORDER BY idp_group, role', [orgId]);
  return rows.map((r) => ({ group: r.idp_group, workspaceId: r.workspace_id, role: r.role }));
}

export async function replaceGroupMappings(db: Queryable, orgId: string, mappings: readonly GroupMapping[]): Promise<void> {
  await db.query('DELETE FROM group_role_mappings WHERE org_id = $1', [orgId]);
  for (const m of mappings) {
    await db.query(
      `INSERT INTO group_role_mappings (org_id, idp_group, workspace_id, role) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [orgId, m.group, m.workspaceId, m.role]);
  }
}

/** The grants the IdP groups map to (exact, case-sensitive group names). */
export async function grantsForGroups(db: Queryable, orgId: string, groups: readonly string[]): Promise<Grant[]> {
  if (groups.length === 0) return [];
  const { rows } = await db.query<{ workspace_id: string | null; role: Role }>(
    'SELECT DISTINCT workspace_id, role FROM group_role_mappings WHERE org_id = $1 AND idp_group = ANY($2::text[])', [orgId, [...groups]]);
  return rows.map((r) => ({ role: r.role, orgId, workspaceId: r.workspace_id }));
}
