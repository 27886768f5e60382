import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { AuditContentInput, AuditContentRef } from './schema';

/**
 * Raw prompt/answer text, kept only when the decision's obligations allow it. It is encrypted
 * (AES-256-GCM) by the producer, so plaintext never sits in Redis or the spool, and stored in
 * `audit_contents`, apart from the chain: the chained event holds only the SHA-256 of the
 * sealed blob, so the text can be erased (retention, erasure requests) without breaking the
 * chain, and a stored blob can still be proven to be the one the event referred to.
 */

export interface EncryptedContent {
  keyId: string;
  /** base64 of iv(12) ‖ ciphertext ‖ tag(16). */
  blob: string;
}

export class ContentKeyError extends Error {}

export interface ContentCipher {
  keyId: string;
  seal(content: AuditContentInput): { encrypted: EncryptedContent; ref: AuditContentRef };
  open(encrypted: EncryptedContent): AuditContentInput;
}

/** `keyBase64`: 32 random bytes, base64 (e.g. `openssl rand -base64 32`). */
export function createContentCipher(keyBase64: string): ContentCipher {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new ContentKeyError('GATEHOUSE_AUDIT_CONTENT_KEY must be 32 bytes, base64-encoded');
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return {
    keyId,
    seal(content) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(keyId));
      const plain = Buffer.from(JSON.stringify({ prompt: content.prompt, completion: content.completion }), 'utf8');
      const blob = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        encrypted: { keyId, blob: blob.toString('base64') },
        ref: { sha256: createHash('sha256').update(blob).digest('hex'), keyId, bytes: plain.length },
      };
    },
    open(encrypted) {
      if (encrypted.keyId !== keyId) throw new ContentKeyError(`content was sealed with key ${encrypted.keyId}, not ${keyId}`);
      const blob = Buffer.from(encrypted.blob, 'base64');
      if (blob.length < 28) throw new ContentKeyError('content blob is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      const plain = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as AuditContentInput;
    },
  };
}

export function contentBlobDigest(encrypted: EncryptedContent): string {
  return createHash('sha256').update(Buffer.from(encrypted.blob, 'base64')).digest('hex');
}
