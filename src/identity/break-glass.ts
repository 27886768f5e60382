import type { Pool } from 'pg';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password';
import { findLocalAdmin, insertLocalAdmin, recordLocalAdminFailure, recordLocalAdminSuccess, USERNAME_SHAPE, type LocalAdminRecord } from './repositories/local-admins';
import type { SecretBox } from './secret-box';
import { generateTotpSecret, matchTotp, totpUri } from './totp';

export interface CreateLocalAdminInput {
  username: string;
  password: string;
  /** Organisation the admin owns; null makes a platform administrator. */
  orgId: string | null;
  totp: boolean;
}

export interface CreatedLocalAdmin {
  admin: LocalAdminRecord;
  /** Base32 TOTP secret and its otpauth:// URI, shown once. */
  totp: { secret: string; uri: string } | null;
}

export async function createLocalAdmin(pool: Pool, box: SecretBox, input: CreateLocalAdminInput): Promise<CreatedLocalAdmin> {
  if (!USERNAME_SHAPE.test(input.username)) throw new Error('the user name must be 2-63 lower-case letters, digits, ".", "_" or "-"');
  if (await findLocalAdmin(pool, input.username)) throw new Error(`local admin "${input.username}" already exists`);
  const passwordHash = await hashPassword(input.password);
  const secret = input.totp ? generateTotpSecret() : null;
  // The seal's context is the user name: a sealed seed copied to another row does not open.
  const admin = await insertLocalAdmin(pool, {
    username: input.username, orgId: input.orgId, passwordHash, totpSealed: secret ? box.seal(secret, `totp:${input.username}`) : null,
  });
  return { admin, totp: secret ? { secret, uri: totpUri(secret, input.username) } : null };
}

export type LocalLoginFailure = 'invalid_credentials' | 'totp_required' | 'locked' | 'disabled';

export type LocalLoginResult = { ok: true; admin: LocalAdminRecord } | { ok: false; reason: LocalLoginFailure; admin: LocalAdminRecord | null };

/**
 * Break-glass login: scrypt check (a decoy hash when the name is unknown, so timing does not tell
 * names apart), lockout after repeated failures, TOTP when enrolled with each code usable once.
 */
export async function loginLocalAdmin(
  pool: Pool, box: SecretBox, input: { username: string; password: string; totp?: string }, nowMs: number = Date.now(),
): Promise<LocalLoginResult> {
  const admin = USERNAME_SHAPE.test(input.username) ? await findLocalAdmin(pool, input.username) : null;
  const passwordOk = await verifyPassword(input.password, admin?.passwordHash ?? (await decoyPasswordHash()));
  if (!admin) return { ok: false, reason: 'invalid_credentials', admin: null };
  if (admin.disabled) return { ok: false, reason: 'disabled', admin };
  if (admin.lockedUntil !== null && admin.lockedUntil > nowMs) return { ok: false, reason: 'locked', admin };
  if (!passwordOk) {
    await recordLocalAdminFailure(pool, admin.id);
    return { ok: false, reason: 'invalid_credentials', admin };
  }
  let step: number | null = null;
  if (admin.totpSealed) {
    if (!input.totp) return { ok: false, reason: 'totp_required', admin };
    step = matchTotp(box.open(admin.totpSealed, `totp:${admin.username}`), input.totp, nowMs);
    if (step === null || (admin.totpLastStep !== null && step <= admin.totpLastStep)) {
      await recordLocalAdminFailure(pool, admin.id);
      return { ok: false, reason: 'invalid_credentials', admin };
    }
  }
  if (!(await recordLocalAdminSuccess(pool, admin.id, step))) {
    // Another login consumed this TOTP step first.
    await recordLocalAdminFailure(pool, admin.id);
    return { ok: false, reason: 'invalid_credentials', admin };
  }
  return { ok: true, admin };
}
