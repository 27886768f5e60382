/**
 * Email addresses, found from their `@`: the local part is read backwards, the domain forwards (labels and an
 * alphabetic TLD that is not a file extension, so `logo@2x.png` is not an address). `user:pass@host` inside a URL
 * is reported as a credential instead.
 */
import type { ScanEnv } from '../scan/env';
import { isAsciiAlnum } from '../scan/chars';
import { looksLikeSecret } from './keyword-secrets';

const DOMAIN = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}([A-Za-z]{2,24})(?![A-Za-z0-9-])/y;
const FILE_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'js', 'mjs', 'cjs', 'ts', 'css', 'map', 'json', 'html',
  'htm', 'txt', 'md', 'pdf', 'zip', 'gz', 'tar', 'lock', 'yml', 'yaml', 'xml', 'py', 'rb', 'go', 'rs', 'java',
  'exe', 'dll', 'so', 'dylib', 'wasm', 'mp3', 'mp4', 'mov', 'avi', 'csv', 'log', 'tsx', 'jsx', 'vue', 'scss',
]);
const SCHEME_BEFORE = /[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/$/;
const PASSWORD_PLACEHOLDER = /^(?:\$\{?[A-Za-z_][\w]*\}?|\*+|x+|<[^>]*>|\{\{.*\}\}|%[A-Za-z_]+%?|password|pass|pwd|secret|changeme)$/i;

function isUserinfoChar(c: number): boolean {
  // Anything but whitespace and the characters that end a URL's authority or a quoted string.
  return c > 32 && c !== 47 && c !== 64 && c !== 34 && c !== 39 && c !== 96 && c !== 60 && c !== 62 && c !== 0x3000;
}

/**
 * `scheme://user:password@host`: the password is a credential and the `@` is not an address's. Returns the end of
 * the host (where scanning resumes), or -1 when `at` is not inside a URL's userinfo.
 */
function tryUrlCredential(env: ScanEnv, at: number): number {
  const text = env.text;
  let p = at;
  while (p > 0 && at - p < 256 && isUserinfoChar(text.charCodeAt(p - 1))) p--;
  if (p < 3 || text.charCodeAt(p - 1) !== 47 || text.charCodeAt(p - 2) !== 47 ||
      !SCHEME_BEFORE.test(text.slice(Math.max(0, p - 34), p))) {
    return -1;
  }
  const colon = text.indexOf(':', p);
  let end = at + 1;
  while (end < text.length && (isAsciiAlnum(text.charCodeAt(end)) || text[end] === '.' || text[end] === '-')) end++;
  if (colon < 0 || colon >= at) return end; // user only
  const password = text.slice(colon + 1, at);
  if (!PASSWORD_PLACEHOLDER.test(password) && looksLikeSecret(password, 'password')) {
    env.sink.add('GENERIC_SECRET', colon + 1, at, 0.8);
  }
  return end;
}

function isLocalChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 39;
}

export function onAt(env: ScanEnv, at: number): number {
  const text = env.text;
  const url = tryUrlCredential(env, at);
  if (url >= 0) return url;
  let start = at;
  while (start > 0 && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start--;
  while (start < at && (text[start] === '.' || text[start] === "'")) start++;
  if (start === at || text[at - 1] === '.') return at + 1;
  DOMAIN.lastIndex = at + 1;
  const m = DOMAIN.exec(text);
  if (!m) return at + 1;
  const end = at + 1 + m[0].length;
  if (FILE_EXTENSIONS.has(m[1]!.toLowerCase())) return end;
  env.sink.add('EMAIL_ADDRESS', start, end, 0.95);
  return end;
}
