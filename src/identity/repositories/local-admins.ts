import type { Queryable } from './directory';

/** Break-glass local administrators. */
export interface LocalAdminRecord {
  id: string;
  username: string;
  orgId: string | null;
  passwordHash: string;
  totpSealed: Buffer | null;
  totpLastStep: number | null;
  failedAttempts: number;
  lockedUntil: number | null;
  disabled: boolean;
}

interface LocalAdminRow {
  id: string; username: string; org_id: string | null; password_hash: string; totp_sealed: Buffer | null; totp_last_step: string | null;
  failed_attempts: number; locked_until: Date | null; disabled_at: Date | null;
}

const toLocalAdmin = (r: LocalAdminRow): LocalAdminRecord => ({
  id: r.id, username: r.username, orgId: r.org_id, passwordHash: r.password_hash, totpSealed: r.totp_sealed,
  totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step), failedAttempts: r.failed_attempts,
  lockedUntil: r.locked_until?.getTime() ?? null, disabled: r.disabled_at !== null,
});

export const USERNAME_SHAPE = /^[a-z0-9][a-z0-9._-]{1,62}$/;

export async function insertLocalAdmin(
  db: Queryable, input: { username: string; orgId: string | null; passwordHash: string; totpSealed: Buffer | null },
): Promise<LocalAdminRecord> {
  const { rows } = await db.query<LocalAdminRow>(
    `INSERT INTO local_admins (username, org_id, password_hash, totp_sealed) VALUES ($1, $2, $3, $4) RETURNING *`,
    [input.username, input.orgId, input.passwordHash, input.totpSealed]);
  return toLocalAdmin(rows[0]);
}

export async function findLocalAdmin(db: Queryable, username: string): Promise<LocalAdminRecord | null> {
  const { rows } = await db.query<LocalAdminRow>('SELECT * FROM local_admins WHERE username = $1', [username]);
  return rows.length ? toLocalAdmin(rows[0]) : null;
}

export async function findLocalAdminById(db: Queryable, id: string): Promise<LocalAdminRecord | null> {
  const { rows } = await db.query<LocalAdminRow>('SELECT * FROM local_admins WHERE id = $1', [id]);
  return rows.length ? toLocalAdmin(rows[0]) : null;
}

/** Counts a failure; from the 5th in a row the account locks for 15 minutes (doubling after). */
export async function recordLocalAdminFailure(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE local_admins SET failed_attempts = failed_attempts + 1,
        locked_until = CASE WHEN failed_attempts + 1 >= 5
          THEN now() + interval '15 minutes' * power(2, LEAST(failed_attempts + 1 - 5, 6)) ELSE locked_until END
      WHERE id = $1`, [id]);
}

/**
 * Records a successful login. With TOTP, the step is stored only if it is newer than the last
 * one (a concurrent replay of the same code loses the race): returns false when it was not.
 */
export async function recordLocalAdminSuccess(db: Queryable, id: string, totpStep: number | null): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE local_admins SET failed_attempts = 0, locked_until = NULL, last_login_at = now(),
        totp_last_step = COALESCE($2::bigint, totp_last_step)
      WHERE id = $1 AND ($2::bigint IS NULL OR totp_last_step IS NULL OR totp_last_step < $2::bigint)`, [id, totpStep]);
  return (rowCount ?? 0) > 0;
}

export async function setLocalAdminPassword(db: Queryable, username: string, passwordHash: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE local_admins SET password_hash = $2, failed_attempts = 0, locked_until = NULL WHERE username = $1', [username, passwordHash]);
  return (rowCount ?? 0) > 0;
}

export async function setLocalAdminDisabled(db: Queryable, username: string, disabled: boolean): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE local_admins SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) ELSE NULL END WHERE username = $1', [username, disabled]);
  return (rowCount ?? 0) > 0;
}

export async function listLocalAdmins(db: Queryable): Promise<Array<{ id: string; username: string; orgId: string | null; totp: boolean; disabled: boolean }>> {
  const { rows } = await db.query<LocalAdminRow>('SELECT * FROM local_admins ORDER BY username');
  return rows.map((r) => ({ id: r.id, username: r.username, orgId: r.org_id, totp: r.totp_sealed !== null, disabled: r.disabled_at !== null }));
}
