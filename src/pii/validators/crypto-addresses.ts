/** Validators for cryptocurrency addresses: Bitcoin Base58Check and Bech32/Bech32m, Ethereum EIP-55. */
import { createHash } from 'node:crypto';
import { keccak256Hex } from './keccak';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B58_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B58.length; i++) B58_INDEX[B58.charCodeAt(i)] = i;

function base58Decode(s: string): Uint8Array | null {
  const le: number[] = []; // little-endian base-256 digits of the number
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B58_INDEX[c]! : -1;
    if (v < 0) return null;
    let carry = v;
    for (let j = 0; j < le.length; j++) {
      carry += le[j]! * 58;
      le[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      le.push(carry & 0xff);
      carry >>= 8;
    }
  }
  let zeros = 0;
  while (zeros < s.length && s.charCodeAt(zeros) === 49) zeros++; // each leading '1' is a zero byte
  const out = new Uint8Array(zeros + le.length);
  for (let i = 0; i < le.length; i++) out[zeros + i] = le[le.length - 1 - i]!;
  return out;
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Bitcoin legacy (P2PKH `1…`) or script (P2SH `3…`) address: 25 bytes, version 0x00/0x05, double-SHA256 checksum. */
export function base58CheckValid(address: string): boolean {
  if (address.length < 25 || address.length > 35) return false;
  const raw = base58Decode(address);
  if (!raw || raw.length !== 25) return false;
  if (raw[0] !== 0x00 && raw[0] !== 0x05) return false;
  const payload = raw.subarray(0, 21);
  const check = sha256(sha256(payload));
  for (let i = 0; i < 4; i++) if (check[i] !== raw[21 + i]) return false;
  return true;
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function bech32Polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GEN[i]!;
  }
  return chk >>> 0;
}

/** Bitcoin SegWit address (`bc1…`/`tb1…`), Bech32 (v0) or Bech32m (v1+) checksum. Case must not be mixed. */
export function bech32Valid(address: string): boolean {
  if (address.length < 14 || address.length > 90) return false;
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return false;
  const s = address.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || s.length - sep - 1 < 6) return false;
  const hrp = s.slice(0, sep);
  if (hrp !== 'bc' && hrp !== 'tb') return false;
  const data: number[] = [];
  for (let i = sep + 1; i < s.length; i++) {
    const v = BECH32_CHARSET.indexOf(s[i]!);
    if (v < 0) return false;
    data.push(v);
  }
  const expanded: number[] = [];
  for (let i = 0; i < hrp.length; i++) expanded.push(hrp.charCodeAt(i) >> 5);
  expanded.push(0);
  for (let i = 0; i < hrp.length; i++) expanded.push(hrp.charCodeAt(i) & 31);
  const pm = bech32Polymod(expanded.concat(data));
  const version = data[0]!;
  if (version === 0) return pm === 1;
  return version <= 16 && pm === 0x2bc830a3;
}

/** Ethereum address `0x` + 40 hex. All-lower or all-upper is accepted; mixed case must satisfy EIP-55. */
export function ethereumAddressValid(address: string): boolean {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return false;
  const hex = address.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return true;
  const hash = keccak256Hex(Buffer.from(hex.toLowerCase(), 'ascii'));
  for (let i = 0; i < 40; i++) {
    const c = hex[i]!;
    if (c >= '0' && c <= '9') continue;
    const upper = parseInt(hash[i]!, 16) >= 8;
    if (upper !== (c >= 'A' && c <= 'F')) return false;
  }
  return true;
}
