import { createContentCipher, createSigner, generateSigningKeyPem, loadPublicKey, SigningKeyError } from '../../../src/audit';
import { verifySignature } from '../../../src/audit/signing';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

describe('Ed25519 signing', () => {
  const { privateKeyPem, publicKeyPem } = generateSigningKeyPem();
  const signer = createSigner(privateKeyPem);
  const pub = loadPublicKey(publicKeyPem);

  it('signs canonical JSON: member order does not matter, any change does', () => {
    expect(pub.keyId).toBe(signer.keyId);
    const sig = signer.sign({ b: 1, a: 'x' });
    expect(verifySignature(pub, { a: 'x', b: 1 }, sig)).toBe(true);
    expect(verifySignature(pub, { a: 'x', b: 2 }, sig)).toBe(false);
    expect(verifySignature(pub, { a: 'x', b: 1 }, 'AAAA')).toBe(false);
    const other = loadPublicKey(generateSigningKeyPem().publicKeyPem);
    expect(verifySignature(other, { a: 'x', b: 1 }, sig)).toBe(false);
  });

  it('refuses keys that are not Ed25519 or not PEM', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createSigner(rsa)).toThrow(SigningKeyError);
    expect(() => createSigner('garbage')).toThrow(SigningKeyError);
    expect(() => loadPublicKey('garbage')).toThrow(SigningKeyError);
  });
});

describe('content encryption', () => {
  it('round-trips, binds the key id, and detects tampering', () => {
    const key = randomBytes(32).toString('base64');
    const cipher = createContentCipher(key);
    const { encrypted, ref } = cipher.seal({ prompt: 'hello there', completion: 'hi' });
    expect(Buffer.from(encrypted.blob, 'base64').toString('utf8')).not.toContain('hello');
    expect(ref.keyId).toBe(cipher.keyId);
    expect(cipher.open(encrypted)).toEqual({ prompt: 'hello there', completion: 'hi' });
    const blob = Buffer.from(encrypted.blob, 'base64');
    blob[15] ^= 1;
    expect(() => cipher.open({ ...encrypted, blob: blob.toString('base64') })).toThrow();
    expect(() => createContentCipher(randomBytes(32).toString('base64')).open(encrypted)).toThrow(/sealed with key/);
    expect(() => createContentCipher('c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
