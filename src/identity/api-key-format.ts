import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keys look like `gh_` + 48 base62 characters (~285 bits of randomness). */
export const API_KEY_PREFIX = 'gh_';
const SECRET_LENGTH = 48;
/** The first characters of the secret part identify the row; they are shown in listings. */
const LOOKUP_LENGTH = 12;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Generated keys are base62; imported keys (GATEHOUSE_DEMO_API_KEY) may also use '-' and '_'.
const KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z_-]{32,128}$`);

export interface GeneratedApiKey {
  key: string;
  lookupId: string;
  hash: Buffer;
}

// base62 (no '-' or '_') so a key is selected whole by a double click; rejection sampling keeps it unbiased.
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

/** SHA-256 suffices: the key carries 285 random bits, so a slow password hash would add nothing. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBase62(SECRET_LENGTH);
  return { key, lookupId: lookupIdOf(key)!, hash: hashApiKey(key) };
}

/** The lookup id of a well-formed key, or null when the string cannot be one of our keys. */
export function lookupIdOf(key: string): string | null {
  if (!KEY_SHAPE.test(key)) return null;
  return key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + LOOKUP_LENGTH);
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}

export function apiKeyMatches(key: string, storedHash: Buffer): boolean {
  const presented = hashApiKey(key);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}
