/**
 * uuid.rfc4122 (random v4, stable per key within one evaluation, as OPA) and uuid.parse (the
 * fields OPA reports: version, variant, and for time-based UUIDs time, clock sequence, node).
 */
import { randomUUID } from 'node:crypto';
import { named, str } from './args';
import type { BuiltinDef } from './types';
import { makeObject } from '../value';
import type { Value } from '../value';

/** 100 ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET = 122192928000000000n;

function hexBytes(s: string): Uint8Array | undefined {
  let hex: string;
  if (s.length === 36) hex = s;
  else if (s.length === 38 && s[0] === '{' && s[37] === '}') hex = s.slice(1, 37);
  else if (s.length === 45 && s.slice(0, 9).toLowerCase() === 'urn:uuid:') hex = s.slice(9);
  else if (s.length === 32) return /^[0-9a-fA-F]{32}$/.test(s) ? Uint8Array.from(Buffer.from(s, 'hex')) : undefined;
  else return undefined;
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex.replaceAll('-', ''), 'hex'));
}

function variantName(b: number): string {
  if ((b & 0xc0) === 0x80) return 'RFC4122';
  if ((b & 0xe0) === 0xc0) return 'Microsoft';
  if ((b & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

function be(u: Uint8Array, from: number, to: number): bigint {
  let n = 0n;
  for (let i = from; i < to; i++) n = (n << 8n) | BigInt(u[i]);
  return n;
}

function gregorianToUnixNs(t100: bigint): number {
  return Number((t100 - GREGORIAN_OFFSET) * 100n);
}

function parseUuid(s: string): Value | undefined {
  const u = hexBytes(s);
  if (!u) return undefined;
  const version = u[6] >> 4;
  const entries: [string, Value][] = [['version', version], ['variant', variantName(u[8])]];
  if (version === 1 || version === 2) {
    const t = ((be(u, 6, 8) & 0xfffn) << 48n) | (be(u, 4, 6) << 32n) | be(u, 0, 4);
    const node = [...u.slice(10, 16)].map((b) => b.toString(16).padStart(2, '0')).join('-');
    entries.push(
      ['time', gregorianToUnixNs(t)],
      ['clocksequence', ((u[8] & 0x3f) << 8) | u[9]],
      ['nodeid', node],
      ['macvariables', `${u[10] & 0x02 ? 'local' : 'global'}:${u[10] & 0x01 ? 'multicast' : 'unicast'}`],
    );
    if (version === 2) {
      const domain = u[9];
      entries.push(['id', Number(be(u, 0, 4))], ['domain', domain === 0 ? 'Person' : domain === 1 ? 'Group' : domain === 2 ? 'Org' : `Domain${domain}`]);
    }
  } else if (version === 6) {
    const t = (be(u, 0, 4) << 28n) | (be(u, 4, 6) << 12n) | (be(u, 6, 8) & 0xfffn);
    entries.push(['time', gregorianToUnixNs(t)]);
  } else if (version === 7) {
    entries.push(['time', Number(be(u, 0, 6) * 1000000n)]);
  }
  return makeObject(entries);
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'uuid.rfc4122',
    arity: 1,
    nondeterministic: true,
    fn: (args, ctx) => {
      const key = 'uuid.rfc4122\u0000' + str(args, 0);
      const hit = ctx.cache.get(key);
      if (typeof hit === 'string') return hit;
      const id = randomUUID();
      ctx.cache.set(key, id);
      return id;
    },
  },
  {
    // A malformed UUID is undefined rather than an error, as in OPA.
    name: 'uuid.parse',
    arity: 1,
    fn: (args) => parseUuid(str(args, 0)),
  },
]);
