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

function isBase64Char(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 61;
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
  // The next END line of this label after the header. Remembered per scan: a text with many BEGIN lines and no
  // END would otherwise search to its end once per BEGIN (quadratic time).
  let endAt = env.memo.get(endMarker);
  if (endAt === undefined || (endAt >= 0 && endAt < headerEnd)) {
    endAt = text.indexOf(endMarker, headerEnd);
    env.memo.set(endMarker, endAt);
  }
  // Another BEGIN before the END: this header has no block of its own (the END belongs to the later one).
  const nextBegin = endAt >= 0 ? text.indexOf('-----BEGIN ', headerEnd) : -1;
  const found = endAt >= 0 && endAt < limit && (nextBegin < 0 || nextBegin > endAt);
  const isPrivate = label.includes('PRIVATE KEY');
  if (found) {
    const end = endAt + endMarker.length;
    if (isPrivate) env.sink.add('PRIVATE_KEY', at, end, 1);
    return end;
  }
  // Truncated block: extend over base64 body characters (and escaped newlines / indentation).
  let end = headerEnd;
  let base64 = 0;
  while (end < limit && isBodyChar(text.charCodeAt(end))) {
    if (text.charCodeAt(end) === 45 && text.startsWith('-----', end)) break;
    if (isBase64Char(text.charCodeAt(end))) base64++;
    end++;
  }
  while (end > headerEnd && !isBase64Char(text.charCodeAt(end - 1))) end--;
  // A BEGIN line with (almost) nothing after it is talk about keys (`files start with -----BEGIN …`), not a key.
  if (isPrivate && base64 >= 32) env.sink.add('PRIVATE_KEY', at, end, 0.9);
  return end;
}
