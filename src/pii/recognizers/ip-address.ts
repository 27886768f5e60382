/**
 * IP addresses found by the digit recognizer: IPv6 around a colon-adjacent token, IPv4 as four dotted groups.
 * Versions (`version 1.2.3.4`, `v1.2.3.4`, `Bump parser to 6.10.5.119`), OIDs (five or more groups) and addresses
 * that identify nobody (loopback, unspecified, broadcast) are not reported.
 */
import { isIPv6 } from 'node:net';
import { isAsciiAlnum, isAsciiLetter } from '../scan/chars';
import { hasContext } from '../scan/context';
import type { ScanEnv } from '../scan/env';
import { CONTEXT } from './context-words';
import type { Group } from './digit-windows';

/** IPv6 around a colon-adjacent token; returns the end, or -1 when it is not an address. */
export function tryIpv6(env: ScanEnv, ts: number): number {
  const text = env.text;
  const isV6Char = (c: number) =>
    (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
  let start = ts;
  let limit = 0;
  while (start > 0 && isV6Char(text.charCodeAt(start - 1)) && limit++ < 45) start--;
  let end = ts;
  limit = 0;
  while (end < text.length && isV6Char(text.charCodeAt(end)) && limit++ < 45) end++;
  while (end > start && (text[end - 1] === '.' || (text[end - 1] === ':' && text[end - 2] !== ':'))) end--;
  // Letters glued in front (`Note:fe80::1`): drop the first group.
  if (start > 0 && isAsciiAlnum(text.charCodeAt(start - 1))) {
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon >= end) return -1;
    start = text[colon + 1] === ':' ? colon : colon + 1;
  }
  if (end < text.length && isAsciiAlnum(text.charCodeAt(end))) return -1;
  const candidate = text.slice(start, end);
  let colons = 0;
  for (let k = 0; k < candidate.length; k++) if (candidate.charCodeAt(k) === 58) colons++;
  if (colons < 2 || (colons < 7 && !candidate.includes('::'))) return -1;
  if (!isIPv6(candidate)) return -1;
  // Unspecified and loopback (`::`, `::1`, `0:0:0:0:0:0:0:1`) identify nobody.
  if (/^[0:]*1?$/.test(candidate)) return end;
  env.sink.add('IP_ADDRESS', start, end, hasContext(text, start, end, CONTEXT.IP_ADDRESS) ? 0.95 : 0.75);
  return end;
}


export function onDotted(env: ScanEnv, groups: Group[], runEnd: number): number {
  if (groups.length > 4 && groups[4]!.sep === '.') return runEnd; // 1.2.3.4.5: a version or an OID
  for (let k = 0; k < 4; k++) {
    const d = groups[k]!.digits;
    if (d.length > 3 || +d > 255 || (d.length > 1 && d[0] === '0')) return runEnd;
  }
  const start = groups[0]!.start;
  const end = groups[3]!.end;
  const text = env.text;
  if (hasContext(text, start, end, CONTEXT.VERSION, 24, 0)) return runEnd;
  const prev = text.charCodeAt(start - 1);
  if (isAsciiLetter(prev)) return runEnd; // v1.2.3.4
  // Loopback, "this network" and broadcast addresses identify nobody.
  const a = +groups[0]!.digits;
  if (a === 127 || a === 0 || (a === 255 && groups[3]!.digits === '255')) return end;
  env.sink.add('IP_ADDRESS', start, end, hasContext(text, start, end, CONTEXT.IP_ADDRESS) ? 0.85 : 0.6);
  return end;
}
