/**
 * Hash and MAC builtins over the UTF-8 bytes of strings, hex-encoded as OPA returns them:
 * crypto.md5/sha1/sha256, crypto.hmac.md5/sha1/sha256/sha512, crypto.hmac.equal (constant time).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { named, str } from './args';
import type { BuiltinDef } from './types';

function hash(algorithm: string): BuiltinDef {
  return { name: `crypto.${algorithm}`, arity: 1, fn: (args) => createHash(algorithm).update(str(args, 0), 'utf8').digest('hex') };
}

function hmac(algorithm: string): BuiltinDef {
  return {
    name: `crypto.hmac.${algorithm}`,
    arity: 2,
    fn: (args) => createHmac(algorithm, Buffer.from(str(args, 1), 'utf8')).update(str(args, 0), 'utf8').digest('hex'),
  };
}

/** Compares two MACs without leaking where they differ (lengths may still differ observably, as in Go). */
function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

export const builtins: BuiltinDef[] = named([
  hash('md5'),
  hash('sha1'),
  hash('sha256'),
  hmac('md5'),
  hmac('sha1'),
  hmac('sha256'),
  hmac('sha512'),
  { name: 'crypto.hmac.equal', arity: 2, fn: (args) => constantTimeEqual(str(args, 0), str(args, 1)) },
]);
