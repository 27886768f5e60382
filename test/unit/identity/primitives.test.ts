import { randomBytes } from 'node:crypto';
import {
  base32Decode, base32Encode, generateToken, hashPassword, hotp, matchTotp, parseIdpMetadata, SecretBox, tokenLookupId, tokenMatches, totpCode, verifyPassword,
} from '../../../src/identity';

const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));

test('HOTP matches the RFC 4226 appendix D values', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => expect(hotp(Buffer.from('12345678901234567890'), counter)).toBe(code));
});

test('TOTP matches the RFC 6238 SHA-1 vectors (last six digits)', () => {
  expect(totpCode(RFC_SECRET, 59_000)).toBe('287082');
  expect(totpCode(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
  expect(totpCode(RFC_SECRET, 1_234_567_890_000)).toBe('005924');
  expect(totpCode(RFC_SECRET, 20_000_000_000_000)).toBe('353130');
});

test('TOTP accepts one step of drift and nothing else', () => {
  const now = 1_700_000_000_000;
  expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 30_000), now)).not.toBeNull();
  expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 90_000), now)).toBeNull();
  expect(matchTotp(RFC_SECRET, 'abcdef', now)).toBeNull();
  expect(base32Decode(base32Encode(Buffer.from('hello world')))).toEqual(Buffer.from('hello world'));
  expect(() => base32Decode('not base32!')).toThrow(/base32/);
});

test('scrypt passwords verify, refuse wrong passwords, malformed hashes and short passwords', async () => {
  const stored = await hashPassword('a long enough password');
  expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
  await expect(verifyPassword('a long enough password', stored)).resolves.toBe(true);
  await expect(verifyPassword('a long enough passworD', stored)).resolves.toBe(false);
  await expect(verifyPassword('x', 'scrypt$1$1')).resolves.toBe(false);
  await expect(verifyPassword('x', 'scrypt$99999999$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAA')).resolves.toBe(false);
  await expect(hashPassword('short')).rejects.toThrow(/at least 12/);
});

test('sealed secrets open only with the same key and context', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('client-secret', 'oidc:org-1');
  expect(sealed.toString('utf8')).not.toContain('client-secret');
  expect(box.open(sealed, 'oidc:org-1')).toBe('client-secret');
  expect(() => box.open(sealed, 'oidc:org-2')).toThrow();
  expect(() => new SecretBox(randomBytes(32)).open(sealed, 'oidc:org-1')).toThrow();
  const tampered = Buffer.from(sealed); tampered[tampered.length - 1] ^= 1;
  expect(() => box.open(tampered, 'oidc:org-1')).toThrow();
});

test('opaque tokens: prefix, lookup id, hash comparison', () => {
  const t = generateToken('gha_');
  expect(t.token).toMatch(/^gha_[0-9A-Za-z]{48}$/);
  expect(tokenLookupId('gha_', t.token)).toBe(t.lookupId);
  expect(tokenLookupId('ghs_', t.token)).toBeNull();
  expect(tokenLookupId('gha_', `${t.token}x`)).toBeNull();
  expect(tokenMatches(t.token, t.hash)).toBe(true);
  expect(tokenMatches(generateToken('gha_').token, t.hash)).toBe(false);
});

const METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.test/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENCCERT</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      MIIBsign
      cert==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.test/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.test/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

test('IdP metadata import reads entity id, redirect SSO URL and signing certificates only', () => {
  expect(parseIdpMetadata(METADATA)).toEqual({ entityId: 'https://idp.test/saml', ssoUrl: 'https://idp.test/redirect', signingCerts: ['MIIBsigncert=='] });
  expect(() => parseIdpMetadata(`<!DOCTYPE x [<!ENTITY e "x">]>${METADATA.replace('<?xml version="1.0"?>', '')}`)).toThrow(/DOCTYPE/);
  expect(() => parseIdpMetadata(METADATA.replace(/<md:KeyDescriptor use="signing">[\s\S]*?<\/md:KeyDescriptor>/, ''))).toThrow(/signing certificate/);
  expect(() => parseIdpMetadata('<oops')).toThrow(/well-formed|EntityDescriptor/);
  expect(() => parseIdpMetadata('x'.repeat(600_000))).toThrow(/512 KiB/);
});
