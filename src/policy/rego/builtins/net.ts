/**
 * CIDR builtins with Go's net package rules: net.cidr_contains, net.cidr_intersects,
 * net.cidr_contains_matches, net.cidr_is_valid, net.cidr_expand (bounded), net.cidr_merge.
 * Addresses are BigInts; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as IPv4, as in Go.
 */
import { named, str, typeError } from './args';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import { isObject, isSet, objectKeys, RegoSet, objectGet } from '../value';
import type { Value } from '../value';

/** Most addresses net.cidr_expand will list (a /12 in IPv4). */
export const MAX_EXPANSION = 1 << 20;

interface Addr {
  bits: 32 | 128;
  n: bigint;
}

interface Net {
  bits: 32 | 128;
  /** first address (network number) */
  first: bigint;
  last: bigint;
  prefix: number;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    // Go rejects empty parts, leading zeros and values above 255.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  if (s.includes('%')) return undefined;
  let tail4: bigint | undefined;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    text = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<string>(8 - total).fill('0'), ...rest];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) n = (n & ~0xffffffffn) | tail4;
  return n;
}


function parseIP(s: string): Addr | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { bits: 32, n: v4 };
  const v6 = parseV6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { bits: 32, n: v6 & 0xffffffffn };
  return { bits: 128, n: v6 };
}

function parseCIDR(s: string): Net | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ipText = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  const v4 = parseV4(ipText);
  let bits: 32 | 128;
  let n: bigint;
  if (v4 !== undefined) {
    bits = 32;
    n = v4;
    if (prefix > 32) return undefined;
  } else {
    const v6 = parseV6(ipText);
    if (v6 === undefined || prefix > 128) return undefined;
    if (v6 >> 32n === 0xffffn && prefix >= 96) {
      bits = 32;
      n = v6 & 0xffffffffn;
      prefix -= 96;
    } else {
      bits = 128;
      n = v6;
    }
  }
  const hostBits = BigInt(bits - prefix);
  const first = (n >> hostBits) << hostBits;
  return { bits, first, last: first | ((1n << hostBits) - 1n), prefix };
}

/** Parsed networks by text: policies compare against a fixed allowlist of CIDRs. */
const cidrCache = new Map<string, Net | null>();

function cachedCIDR(s: string): Net | undefined {
  const hit = cidrCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const net = parseCIDR(s);
  if (cidrCache.size >= 4096) cidrCache.clear();
  cidrCache.set(s, net ?? null);
  return net;
}

function cidrArg(args: Value[], i: number): Net {
  const s = str(args, i);
  const net = cachedCIDR(s);
  if (!net) throw new BuiltinError(`invalid CIDR address: ${s}`);
  return net;
}

function contains(net: Net, x: string): boolean {
  const ip = parseIP(x);
  if (ip) return ip.bits === net.bits && ip.n >= net.first && ip.n <= net.last;
  const other = cachedCIDR(x);
  if (!other) throw new BuiltinError(`invalid CIDR address: ${x}`);
  return other.bits === net.bits && other.first >= net.first && other.last <= net.last;
}

export function formatIP(a: Addr): string {
  if (a.bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((a.n >> s) & 0xffn)).join('.');
  if (a.n >> 32n === 0xffffn) return formatIP({ bits: 32, n: a.n & 0xffffffffn });
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((a.n >> s) & 0xffffn));
  // Longest run of ≥2 zero groups becomes "::", the first one on ties (Go's rule).
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return hex.slice(0, bestAt).join(':') + '::' + hex.slice(bestAt + bestLen).join(':');
}

/** The smallest set of CIDRs covering exactly the union of the given addresses and networks. */
function mergeCIDRs(items: string[]): RegoSet {
  const ranges: { 32: [bigint, bigint][]; 128: [bigint, bigint][] } = { 32: [], 128: [] };
  for (const s of items) {
    const ip = parseIP(s);
    if (ip) ranges[ip.bits].push([ip.n, ip.n]);
    else {
      const net = cachedCIDR(s);
      if (!net) throw new BuiltinError(`IP/CIDR syntax error: ${s}`);
      ranges[net.bits].push([net.first, net.last]);
    }
  }
  const out = new RegoSet();
  for (const bits of [32, 128] as const) {
    const list = ranges[bits].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: [bigint, bigint][] = [];
    for (const r of list) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1n) {
        if (r[1] > last[1]) last[1] = r[1];
      } else merged.push([r[0], r[1]]);
    }
    // Cut each interval into the largest aligned blocks.
    for (let [lo, hi] of merged) {
      while (lo <= hi) {
        let size = 0n;
        while (size < BigInt(bits) && (lo & ((1n << (size + 1n)) - 1n)) === 0n && lo + (1n << (size + 1n)) - 1n <= hi) size++;
        out.add(`${formatIP({ bits, n: lo })}/${bits - Number(size)}`);
        lo += 1n << size;
      }
    }
  }
  return out;
}

/** Entries of a cidr_contains_matches operand: [key reported in results, CIDR or IP string]. */
function matchEntries(v: Value, pos: number): [Value, string][] {
  const address = (x: Value): string => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && typeof x[0] === 'string') return x[0];
    throw new BuiltinError(`operand ${pos}: element must be string or non-empty array whose first element is a string`);
  };
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => [i, address(x)]);
  if (isSet(v)) return [...v.values()].map((x) => [x, address(x)]);
  if (isObject(v)) return objectKeys(v).map((k) => [k, address(objectGet(v, k) as Value)]);
  throw typeError(pos, v, 'string', 'array', 'set', 'object');
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'net.cidr_contains',
    arity: 2,
    fn: (args) => contains(cidrArg(args, 0), str(args, 1)),
  },
  {
    name: 'net.cidr_intersects',
    arity: 2,
    fn: (args) => {
      const a = cidrArg(args, 0);
      const b = cidrArg(args, 1);
      return a.bits === b.bits && a.first <= b.last && b.first <= a.last;
    },
  },
  {
    name: 'net.cidr_is_valid',
    arity: 1,
    fn: (args) => typeof args[0] === 'string' && cachedCIDR(args[0]) !== undefined,
  },
  {
    name: 'net.cidr_expand',
    arity: 1,
    fn: (args) => {
      const net = cidrArg(args, 0);
      const size = net.last - net.first + 1n;
      if (size > BigInt(MAX_EXPANSION)) throw new BuiltinError(`CIDR ${args[0] as string} has ${size} addresses, more than the limit of ${MAX_EXPANSION}`);
      const out = new RegoSet();
      for (let n = net.first; n <= net.last; n++) out.add(formatIP({ bits: net.bits, n }));
      return out;
    },
  },
  {
    name: 'net.cidr_contains_matches',
    arity: 2,
    fn: (args) => {
      const cidrs = matchEntries(args[0], 1).map(([k, s]) => {
        const net = cachedCIDR(s);
        if (!net) throw new BuiltinError(`invalid CIDR address: ${s}`);
        return [k, net] as const;
      });
      const items = matchEntries(args[1], 2);
      const out = new RegoSet();
      for (const [ck, net] of cidrs) for (const [ik, s] of items) if (contains(net, s)) out.add([ck, ik]);
      return out;
    },
  },
  {
    name: 'net.cidr_merge',
    arity: 1,
    fn: (args) => {
      const v = args[0];
      const items = Array.isArray(v) ? v : isSet(v) ? [...v.values()] : undefined;
      if (!items) throw typeError(1, v, 'array', 'set');
      for (const x of items) if (typeof x !== 'string') throw new BuiltinError(`operand 1 must contain strings but got ${x === null ? 'null' : typeof x}`);
      return mergeCIDRs(items as string[]);
    },
  },
]);

