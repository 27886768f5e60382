import { randomFillSync } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then randomness. Ids sort by creation time,
 * which keeps the audit table's id index append-friendly. Within one millisecond the 12-bit
 * rand_a field counts up from a random start, so ids from this process stay strictly
 * increasing (RFC 9562 §6.2, method 1); if it overflows the timestamp is advanced by one ms.
 */

const POOL_SIZE = 8 * 256;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = 0;
let counter = 0;

function randomBytes8(): Buffer {
  if (poolOffset >= POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + 8);
  poolOffset += 8;
  return slice;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidv7(now: number = Date.now()): string {
  const rnd = randomBytes8();
  if (now > lastMs) {
    lastMs = now;
    counter = ((rnd[6] << 8) | rnd[7]) & 0x7ff; // random start, leaving headroom to count up
  } else {
    counter += 1;
    if (counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
  }
  const ms = lastMs;
  const hi = Math.floor(ms / 0x1000000); // upper 24 bits of the 48-bit timestamp
  const lo = ms % 0x1000000;
  return (
    HEX[(hi >>> 16) & 0xff] + HEX[(hi >>> 8) & 0xff] + HEX[hi & 0xff] +
    HEX[(lo >>> 16) & 0xff] + '-' + HEX[(lo >>> 8) & 0xff] + HEX[lo & 0xff] + '-' +
    HEX[0x70 | (counter >>> 8)] + HEX[counter & 0xff] + '-' +
    HEX[0x80 | (rnd[0] & 0x3f)] + HEX[rnd[1]] + '-' +
    HEX[rnd[2]] + HEX[rnd[3]] + HEX[rnd[4]] + HEX[rnd[5]] + HEX[rnd[6]] + HEX[rnd[7]]
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** The creation time embedded in a UUIDv7, in Unix ms (null for other versions). */
export function uuidv7Time(id: string): number | null {
  if (!isUuid(id) || id[14] !== '7') return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
