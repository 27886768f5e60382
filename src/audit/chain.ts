import { createHash } from 'node:crypto';

/**
 * The hash chain: hash(n) = SHA-256(prev_hash(n) ‖ UTF-8 canonical JSON of event n), with
 * prev_hash(n) = hash(n-1) and the first event of an organisation's chain chained to 32 zero
 * bytes. One chain per organisation; `seq` counts from 1 without gaps.
 */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

export function chainHash(prevHash: Buffer, canonicalBody: string): Buffer {
  return createHash('sha256').update(prevHash).update(canonicalBody, 'utf8').digest();
}

export interface ChainHead {
  seq: number;
  hash: Buffer;
}

export const GENESIS_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
