import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { instanceSecret } from '../db';

/**
 * Seals small secrets (OIDC client secrets, TOTP seeds) with AES-256-GCM under a per-instance key
 * kept in PostgreSQL (instance_secrets). Layout: version byte, 12-byte nonce, 16-byte tag, ciphertext.
 * The associated data binds a sealed value to its row (org id, admin id), so it cannot be moved.
 */
export class SecretBox {
  private static readonly VERSION = 1;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  static async forInstance(pool: Pool): Promise<SecretBox> {
    return new SecretBox(await instanceSecret(pool, 'identity-seal-key'));
  }

  seal(plaintext: string, context: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(SecretBox.VERSION), nonce, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, context: string): string {
    if (sealed.length < 29 || sealed[0] !== SecretBox.VERSION) throw new Error('sealed secret has an unknown format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
  }
}
