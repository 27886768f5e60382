import type { Pool } from 'pg';
import { z } from 'zod';
import { ROLES, type Role } from '../../authz';
import type { Organisation } from '../../db';
import { inTransaction } from '../repositories/directory';
import {
  DomainTakenError, getSsoConnection, putSsoConnection, replaceGroupMappings, setEmailDomains,
  type GroupMapping, type OidcSettings, type SamlSettings, type SsoSettings,
} from '../repositories/sso-connections';
import type { SecretBox } from '../secret-box';
import { parseIdpMetadata } from './saml-metadata';

/**
 * SSO configuration input (admin API body and CLI flags alike): validated here once, applied in
 * one transaction with the organisation's login domains and group → role mappings.
 */
const URL_SCHEMA = z.string().url().max(2000).refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const DOMAIN = z.string().trim().toLowerCase().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a domain name');
const mapping = z.object({
  group: z.string().min(1).max(256),
  /** Workspace slug; omitted/null for `owner`. */
  workspace: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).nullable().optional(),
  role: z.enum(ROLES as unknown as [Role, ...Role[]]),
}).strict();
const common = {
  groups_attribute: z.string().min(1).max(200).default('groups'),
  jit: z.boolean().default(true),
  enabled: z.boolean().default(true),
  email_domains: z.array(DOMAIN).max(50).default([]),
  role_mappings: z.array(mapping).max(500).default([]),
};
const oidcInput = z.object({
  protocol: z.literal('oidc'),
  issuer: URL_SCHEMA,
  client_id: z.string().min(1).max(500),
  /** Omitted on an update: the stored secret is kept. */
  client_secret: z.string().min(1).max(2000).optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).max(20).default(['openid', 'email', 'profile']),
  email_claim: z.string().min(1).max(200).default('email'),
  name_claim: z.string().min(1).max(200).default('name'),
  ...common,
}).strict().refine((b) => b.scopes.includes('openid'), { message: 'scopes must include openid', path: ['scopes'] });
const samlInput = z.object({
  protocol: z.literal('saml'),
  idp_metadata_xml: z.string().max(512 * 1024).optional(),
  entry_point: URL_SCHEMA.optional(),
  idp_issuer: z.string().min(1).max(1000).optional(),
  idp_certs: z.array(z.string().min(100).max(20_000)).min(1).max(5).optional(),
  sp_entity_id: z.string().min(1).max(1000).optional(),
  email_attribute: z.string().min(1).max(300).default('email'),
  name_attribute: z.string().min(1).max(300).default('name'),
  ...common,
}).strict();
export const ssoConfigInput = z.union([oidcInput, samlInput]);
export type SsoConfigInput = z.output<typeof ssoConfigInput>;

/** A configuration that parses but cannot be applied; `field` names the offending input. */
export class SsoConfigError extends Error {
  constructor(message: string, readonly field: string | null, readonly conflict = false) {
    super(message);
    this.name = 'SsoConfigError';
  }
}

const PEM_FRAME = /-----BEGIN CERTIFICATE-----|-----END CERTIFICATE-----|\s+/g;

export interface AppliedSsoConfig {
  sso: SsoSettings;
  version: number;
  mappings: GroupMapping[];
  secretChanged: boolean;
}

export async function applySsoConfig(pool: Pool, box: SecretBox, org: Organisation, input: SsoConfigInput): Promise<AppliedSsoConfig> {
  const existing = await getSsoConnection(pool, org.id);
  let sso: SsoSettings;
  let secretSealed: Buffer | null = null;
  if (input.protocol === 'oidc') {
    const settings: OidcSettings = { issuer: input.issuer, clientId: input.client_id, scopes: input.scopes, emailClaim: input.email_claim, nameClaim: input.name_claim };
    sso = { protocol: 'oidc', settings };
    if (input.client_secret) secretSealed = box.seal(input.client_secret, `oidc:${org.id}`);
    else if (existing?.protocol === 'oidc') secretSealed = existing.secretSealed;
  } else {
    let imported: ReturnType<typeof parseIdpMetadata> | null = null;
    if (input.idp_metadata_xml) {
      try { imported = parseIdpMetadata(input.idp_metadata_xml); } catch (err) { throw new SsoConfigError(`idp_metadata_xml: ${(err as Error).message}`, 'idp_metadata_xml'); }
    }
    const entryPoint = input.entry_point ?? imported?.ssoUrl;
    const idpIssuer = input.idp_issuer ?? imported?.entityId;
    const idpCerts = (input.idp_certs ?? imported?.signingCerts)?.map((c) => c.replace(PEM_FRAME, ''));
    if (!entryPoint || !idpIssuer || !idpCerts?.length) throw new SsoConfigError('SAML needs idp_metadata_xml or entry_point, idp_issuer and idp_certs.', 'idp_metadata_xml');
    if (idpCerts.some((c) => !/^[A-Za-z0-9+/]+=*$/.test(c))) throw new SsoConfigError('idp_certs must be PEM or base64 certificates.', 'idp_certs');
    const settings: SamlSettings = {
      entryPoint, idpIssuer, idpCerts, spEntityId: input.sp_entity_id ?? `gatehouse:${org.slug}`,
      emailAttribute: input.email_attribute, nameAttribute: input.name_attribute,
    };
    sso = { protocol: 'saml', settings };
  }
  const mappings: GroupMapping[] = [];
  if (input.role_mappings.length > 0) {
    const { rows } = await pool.query<{ id: string; slug: string }>('SELECT id, slug FROM workspaces WHERE org_id = $1', [org.id]);
    const idOf = new Map(rows.map((r) => [r.slug, r.id]));
    for (const [i, m] of input.role_mappings.entries()) {
      if (m.role === 'owner') {
        if (m.workspace) throw new SsoConfigError('owner is organisation-wide: leave workspace out', `role_mappings.${i}.workspace`);
        mappings.push({ group: m.group, workspaceId: null, role: 'owner' });
        continue;
      }
      const workspaceId = m.workspace ? idOf.get(m.workspace) : undefined;
      if (!workspaceId) throw new SsoConfigError(`unknown workspace "${m.workspace ?? ''}"`, `role_mappings.${i}.workspace`);
      mappings.push({ group: m.group, workspaceId, role: m.role });
    }
  }
  try {
    const version = await inTransaction(pool, async (client) => {
      const v = await putSsoConnection(client, org.id, { sso, secretSealed, groupsAttribute: input.groups_attribute, jit: input.jit, enabled: input.enabled });
      await setEmailDomains(client, org.id, input.email_domains);
      await replaceGroupMappings(client, org.id, mappings);
      return v;
    });
    return { sso, version, mappings, secretChanged: input.protocol === 'oidc' && input.client_secret !== undefined };
  } catch (err) {
    if (err instanceof DomainTakenError) throw new SsoConfigError(err.message, 'email_domains', true);
    throw err;
  }
}
