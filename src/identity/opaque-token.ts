import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets of the admin plane (admin API tokens `gha_…`, SCIM tokens `ghs_…`): 48 base62
 * characters (~285 random bits), stored as SHA-256 only, found by their first 12 characters.
 */
const SECRET_LENGTH = 48;
const LOOKUP_LENGTH = 12;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export interface OpaqueToken {
  token: string;
  lookupId: string;
  hash: Buffer;
}

export type TokenPrefix = 'gha_' | 'ghs_';

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function generateToken(prefix: TokenPrefix): OpaqueToken {
  const token = prefix + randomBase62(SECRET_LENGTH);
  return { token, lookupId: token.slice(prefix.length, prefix.length + LOOKUP_LENGTH), hash: hashToken(token) };
}

/** The lookup id of a presented token of this kind, or null when it cannot be one. */
export function tokenLookupId(prefix: TokenPrefix, presented: string): string | null {
  if (presented.length !== prefix.length + SECRET_LENGTH || !presented.startsWith(prefix)) return null;
  if (!/^[0-9A-Za-z]+$/.test(presented.slice(prefix.length))) return null;
  return presented.slice(prefix.length, prefix.length + LOOKUP_LENGTH);
}

export function tokenMatches(presented: string, stored: Buffer): boolean {
  const hash = hashToken(presented);
  return hash.length === stored.length && timingSafeEqual(hash, stored);
}
