import type { Pool } from 'pg';
import type { Grant } from '../authz';
import {
  findUserByEmail, findUserBySubject, inTransaction, normaliseEmail, replaceSourcedGrants, toUser,
  type GrantDiff, type UserRecord,
} from './repositories/directory';
import { grantsForGroups, type SsoConnection } from './repositories/sso-connections';

/** What an IdP told us about a user, protocol-neutral. */
export interface IdpProfile {
  /** OIDC `sub` or SAML NameID. */
  subject: string;
  email: string;
  displayName: string | null;
  groups: string[];
}

export type ProvisionFailure = 'not_provisioned' | 'deactivated' | 'email_domain' | 'subject_conflict';

export type ProvisionResult =
  | { ok: true; user: UserRecord; created: boolean; grants: Grant[]; diff: GrantDiff }
  | { ok: false; reason: ProvisionFailure; message: string };

const MAX_GROUPS = 1000;

/**
 * Just-in-time provisioning at SSO login: finds the user by IdP subject (then by e-mail, linking
 * an account created by hand or by SCIM), creates it when JIT is on, refreshes name and groups,
 * and makes the SSO-granted roles exactly what the IdP groups map to now — a user removed from
 * a group loses its role at this login. One transaction.
 */
export async function provisionFromLogin(pool: Pool, connection: SsoConnection, profile: IdpProfile): Promise<ProvisionResult> {
  const orgId = connection.orgId;
  const email = normaliseEmail(profile.email);
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (connection.emailDomains.length > 0 && !connection.emailDomains.includes(domain)) {
    return { ok: false, reason: 'email_domain', message: `e-mail domain ${domain} is not one of the organisation's SSO domains` };
  }
  const groups = [...new Set(profile.groups.filter((g) => typeof g === 'string' && g.length > 0 && g.length <= 256))].slice(0, MAX_GROUPS);
  return inTransaction(pool, async (client) => {
    // Serialise concurrent first logins of the same subject (double-clicked callback).
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${orgId}:${profile.subject}`]);
    let user = await findUserBySubject(client, orgId, profile.subject);
    if (!user) {
      const byEmail = await findUserByEmail(client, orgId, email);
      if (byEmail && byEmail.idpSubject !== null && byEmail.idpSubject !== profile.subject) {
        return { ok: false as const, reason: 'subject_conflict' as const, message: 'this e-mail is already linked to another IdP identity' };
      }
      user = byEmail;
    }
    let created = false;
    if (!user) {
      if (!connection.jit) return { ok: false as const, reason: 'not_provisioned' as const, message: 'the user is not provisioned and JIT provisioning is off' };
      const { rows } = await client.query(
        `INSERT INTO users (org_id, email, display_name, idp_subject, idp_groups, last_login_at) VALUES ($1, $2, $3, $4, $5, now())
         RETURNING id, org_id, email, display_name, active, idp_subject, external_id, idp_groups, created_at, updated_at, last_login_at`,
        [orgId, email, profile.displayName, profile.subject, groups]);
      user = toUser(rows[0]);
      created = true;
    } else {
      if (!user.active) return { ok: false as const, reason: 'deactivated' as const, message: 'the user is deactivated' };
      const { rows } = await client.query(
        `UPDATE users SET email = $3, display_name = COALESCE($4, display_name), idp_subject = $5, idp_groups = $6,
            last_login_at = now(), updated_at = now()
          WHERE org_id = $1 AND id = $2
          RETURNING id, org_id, email, display_name, active, idp_subject, external_id, idp_groups, created_at, updated_at, last_login_at`,
        [orgId, user.id, email, profile.displayName, profile.subject, groups]);
      user = toUser(rows[0]);
    }
    const grants = await grantsForGroups(client, orgId, groups);
    const diff = await replaceSourcedGrants(client, orgId, user.id, 'sso', grants);
    return { ok: true as const, user, created, grants, diff };
  });
}
