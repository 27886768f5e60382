/**
 * Email addresses, found from their `@`: the local part is read backwards, the domain forwards (labels and an
 * alphabetic TLD that is not a file extension, so `logo@2x.png` is not an address). `user:pass@host` inside a URL
 * is reported as a credential instead.
 */
import type { ScanEnv } from '../scan/env';
import { isAsciiAlnum } from '../scan/chars';

const DOMAIN = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}([A-Za-z]{2,24})(?![A-Za-z0-9-])/y;
const FILE_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'js', 'mjs', 'cjs', 'ts', 'css', 'map', 'json', 'html',
  'htm', 'txt', 'md', 'pdf', 'zip', 'gz', 'tar', 'lock', 'yml', 'yaml', 'xml', 'py', 'rb', 'go', 'rs', 'java',
  'exe', 'dll', 'so', 'dylib', 'wasm', 'mp3', 'mp4', 'mov', 'avi', 'csv', 'log', 'tsx', 'jsx', 'vue', 'scss',
]);
const URL_CREDENTIAL = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/@:]*:$/;

function isLocalChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 39;
}

export function onAt(env: ScanEnv, at: number): number {
  const text = env.text;
  let start = at;
  while (start > 0 && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start--;
  while (start < at && (text[start] === '.' || text[start] === "'")) start++;
  if (start === at || text[at - 1] === '.') return at + 1;
  DOMAIN.lastIndex = at + 1;
  const m = DOMAIN.exec(text);
  if (!m) return at + 1;
  const end = at + 1 + m[0].length;
  // `https://user:secret@host`: the part before @ is a password, not a mailbox.
  if (text.charCodeAt(start - 1) === 58) {
    const lineStart = Math.max(0, start - 200);
    if (URL_CREDENTIAL.test(text.slice(lineStart, start))) {
      env.sink.add('GENERIC_SECRET', start, at, 0.8);
      return end;
    }
  }
  if (FILE_EXTENSIONS.has(m[1]!.toLowerCase())) return end;
  env.sink.add('EMAIL_ADDRESS', start, end, 0.95);
  return end;
}
