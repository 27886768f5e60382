import { randomBytes } from 'node:crypto';

// A 16-byte pool refilled in bulk: one randomBytes call per 256 ids instead of one per request.
let pool = Buffer.alloc(0);
let offset = 0;

/** `req_` + 24 hex chars; a client-supplied id is kept only when it is short and harmless. */
export function newRequestId(): string {
  if (offset + 12 > pool.length) {
    pool = randomBytes(12 * 256);
    offset = 0;
  }
  const id = 'req_' + pool.toString('hex', offset, offset + 12);
  offset += 12;
  return id;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : newRequestId();
}
