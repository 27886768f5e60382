import { execFileSync } from 'node:child_process';
import { canonicalJson, CanonicalJsonError } from '../../../src/audit';

// The `canonicalize` package (ESM-only) is the reference: run it in a child ESM process.
function reference(values: unknown[]): string[] {
  const script = `
    import canonicalize from 'canonicalize';
    let input = '';
    process.stdin.on('data', (c) => { input += c; });
    process.stdin.on('end', () => {
      const values = JSON.parse(input);
      process.stdout.write(JSON.stringify(values.map((v) => canonicalize(v))));
    });`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(values), cwd: process.cwd(), encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

// Deterministic pseudo-random JSON values covering the awkward corners of RFC 8785.
function generator(seed: number): () => unknown {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 0x100000000;
  };
  const strings = ['', 'a', 'é', '€', '\u0000', '\u001f', '"', '\\', '\n\t', '😀', '\u2028', 'ﬀ', 'Z', 'aa', '\u00e9', 'e\u0301', '\ud800\udc00'];
  const numbers = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308, 333333333.3333333, 2 ** 53, -(2 ** 53) + 1, 4.5, 1e20];
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth > 3 || r < 0.35) {
      const k = Math.floor(rnd() * 5);
      if (k === 0) return null;
      if (k === 1) return rnd() < 0.5;
      if (k === 2) return numbers[Math.floor(rnd() * numbers.length)];
      if (k === 3) return rnd() * 1e6 - 5e5;
      return strings[Math.floor(rnd() * strings.length)] + strings[Math.floor(rnd() * strings.length)];
    }
    if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    const obj: Record<string, unknown> = {};
    const n = Math.floor(rnd() * 5);
    for (let i = 0; i < n; i++) obj[strings[Math.floor(rnd() * strings.length)] + String(Math.floor(rnd() * 3))] = value(depth + 1);
    return obj;
  };
  return () => value(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('matches the canonicalize package byte for byte on 2,000 generated values', () => {
    const next = generator(42);
    const values = Array.from({ length: 2000 }, next);
    const expected = reference(values);
    const mismatches = values.map((v, i) => [canonicalJson(v), expected[i]]).filter(([a, b]) => a !== b);
    expect(mismatches).toEqual([]);
  });

  it('matches the RFC 8785 examples', () => {
    // RFC 8785 §3.2.3: keys sorted by UTF-16 code units.
    const sorted = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(sorted)).toBe('{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}');
    expect(canonicalJson({ numbers: [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001] }))
      .toBe('{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}');
    expect(canonicalJson({ literals: [null, true, false] })).toBe('{"literals":[null,true,false]}');
  });

  it('drops undefined members, maps undefined array items to null, serialises dates as ISO', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, 1], d: new Date(0) })).toBe('{"a":[null,1],"d":"1970-01-01T00:00:00.000Z"}');
  });

  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson(NaN)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ x: Infinity })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson('\ud800')).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ '\udc00x': 1 })).toThrow(/lone surrogate/);
    expect(() => canonicalJson(10n)).toThrow(CanonicalJsonError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/circular/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
