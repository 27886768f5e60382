import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * Ed25519 signing of chain checkpoints, seals and export manifests (node:crypto only).
 * A key is named by its key id: the first 16 hex digits of SHA-256 of the raw 32-byte public
 * key, so a verifier can tell which key a signature claims without trusting the database.
 */

export interface AuditSigner {
  keyId: string;
  publicKeyPem: string;
  /** Base64 Ed25519 signature over the canonical JSON of `payload`. */
  sign(payload: object): string;
}

export interface AuditPublicKey {
  keyId: string;
  publicKeyPem: string;
  key: KeyObject;
}

export class SigningKeyError extends Error {}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32); // Ed25519 SPKI ends with the 32-byte key
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

/** Loads a PKCS#8 PEM Ed25519 private key. */
export function createSigner(privateKeyPem: string): AuditSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new SigningKeyError(`audit signing key is not a valid PEM private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`audit signing key must be Ed25519, got ${key.asymmetricKeyType}`);
  const publicKey = createPublicKey(key);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKeyPem,
    sign: (payload) => sign(null, Buffer.from(canonicalJson(payload), 'utf8'), key).toString('base64'),
  };
}

export function loadPublicKey(publicKeyPem: string): AuditPublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (err) {
    throw new SigningKeyError(`not a valid PEM public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`public key must be Ed25519, got ${key.asymmetricKeyType}`);
  return { keyId: keyIdOf(key), publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(), key };
}

export function verifySignature(publicKey: AuditPublicKey, payload: object, signatureB64: string): boolean {
  const signature = Buffer.from(signatureB64, 'base64');
  if (signature.length !== 64) return false;
  return verify(null, Buffer.from(canonicalJson(payload), 'utf8'), publicKey.key, signature);
}

export function generateSigningKeyPem(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** What a checkpoint signature covers. */
export interface CheckpointPayload {
  kind: 'gatehouse.audit.checkpoint';
  v: 1;
  org: string;
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
}

export function checkpointPayload(org: string, seq: number, hashHex: string, signedAt: string, keyId: string): CheckpointPayload {
  return { kind: 'gatehouse.audit.checkpoint', v: 1, org, seq, hash: hashHex, signedAt, keyId };
}
