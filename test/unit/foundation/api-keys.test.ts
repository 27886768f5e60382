import { apiKeyMatches, generateApiKey, hashApiKey, isWellFormedApiKey, lookupIdOf } from '../../../src/identity';

describe('API key format', () => {
  test('generated keys are gh_ + 48 base62 chars, unique, and match only their own hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^gh_[0-9A-Za-z]{48}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.lookupId).toBe(a.key.slice(3, 15));
    expect(apiKeyMatches(a.key, a.hash)).toBe(true);
    expect(apiKeyMatches(b.key, a.hash)).toBe(false);
    expect(a.hash.equals(hashApiKey(a.key))).toBe(true);
  });

  test('base62 characters are spread evenly (no modulo bias visible)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const ch of generateApiKey().key.slice(3)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (400 * 48) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.35);
  });

  test('only well-formed keys have a lookup id', () => {
    expect(lookupIdOf('sk-abc')).toBeNull();
    expect(lookupIdOf('gh_short')).toBeNull();
    expect(lookupIdOf('gh_' + 'a'.repeat(129))).toBeNull();
    expect(lookupIdOf('gh_demo_0123456789abcdefghijklmnopqrstuvwxyz')).toBe('demo_0123456');
    expect(isWellFormedApiKey('gh_' + 'x'.repeat(40) + ' ')).toBe(false);
  });
});
