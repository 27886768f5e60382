/** JSON Web Tokens: three base64url segments whose header and payload decode to JSON objects. */
import { isAsciiAlnum } from '../scan/chars';
import type { ScanEnv } from '../scan/env';

const JWT = /eyJ[A-Za-z0-9_-]{5,8192}\.eyJ[A-Za-z0-9_-]{2,65536}\.[A-Za-z0-9_-]{0,8192}/y;

function decodesToObject(segment: string): boolean {
  const json = Buffer.from(segment, 'base64url').toString('utf8');
  // Cheap shape check first: a failed JSON.parse throws, and exceptions are slow on adversarial input.
  if (json.charCodeAt(0) !== 123 || json.charCodeAt(json.length - 1) !== 125) return false;
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

export function onJwt(env: ScanEnv, at: number): number {
  const text = env.text;
  const prev = at > 0 ? text.charCodeAt(at - 1) : 0;
  if (isAsciiAlnum(prev) || prev === 95 || prev === 45) return at + 1;
  JWT.lastIndex = at;
  const m = JWT.exec(text);
  if (!m) return at + 3;
  const token = m[0];
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  // Not a JWT: no token can start inside this header segment, so scanning resumes at its end.
  if (!decodesToObject(token.slice(0, dot1)) || !decodesToObject(token.slice(dot1 + 1, dot2))) return at + dot1;
  const end = at + token.length;
  env.sink.add('JWT', at, end, token.length - dot2 > 1 ? 0.95 : 0.85);
  return end;
}
