/**
 * PEM blocks. Private keys (PKCS#1/#8, EC, DSA, OpenSSH, encrypted, PGP) are reported from BEGIN to END, also when
 * newlines are escaped (`\n` inside a JSON string) or lines are indented (YAML block scalars); a block cut off
 * before its END line is still reported up to where its base64 body stops. Public keys and certificates are
 * skipped whole (they are not secrets, and their base64 must not produce false hits).
 */
import type { ScanEnv } from '../scan/env';

const BEGIN = /-----BEGIN ([A-Z0-9 ]{1,48})-----/y;
const MAX_BLOCK = 64 * 1024;

function isBodyChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 43 || c === 47 || c === 61 || c === 32 || c === 9 || c === 10 || c === 13 || c === 92 || c === 58 ||
    c === 44 || c === 45 || c === 34 || c === 39 || c === 124
  );
}

export function onPemBegin(env: ScanEnv, at: number): number {
  const text = env.text;
  BEGIN.lastIndex = at;
  const m = BEGIN.exec(text);
  if (!m) return at + 1;
  const label = m[1]!;
  const headerEnd = at + m[0].length;
  const endMarker = `-----END ${label}-----`;
  const limit = Math.min(text.length, headerEnd + MAX_BLOCK);
  const endAt = text.indexOf(endMarker, headerEnd);
  const found = endAt >= 0 && endAt < limit;
  const isPrivate = label.includes('PRIVATE KEY');
  if (found) {
    const end = endAt + endMarker.length;
    if (isPrivate) env.sink.add('PRIVATE_KEY', at, end, 1);
    return end;
  }
  // Truncated block: extend over base64 body characters (and escaped newlines / indentation).
  let end = headerEnd;
  while (end < limit && isBodyChar(text.charCodeAt(end))) {
    if (text.startsWith('-----', end)) break;
    end++;
  }
  while (end > headerEnd && !/[A-Za-z0-9+/=]/.test(text[end - 1]!)) end--;
  if (isPrivate) env.sink.add('PRIVATE_KEY', at, end, 0.9);
  return end;
}
