import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call, callIn, json, makeContext, set, v } from './helpers';

const b64 = (x: unknown): string => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

function hs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const signing = `${b64(header)}.${b64(payload)}`;
  return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

describe('io.jwt', () => {
  const token = hs256({ sub: 'alice', iss: 'idp', aud: ['gw'], exp: 2000000000, nbf: 1000000000 }, 'secret');

  test('decode returns header, payload and hex signature', () => {
    const [header, payload, sig] = json('io.jwt.decode', token) as [unknown, unknown, string];
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: 'alice', iss: 'idp', aud: ['gw'], exp: 2000000000, nbf: 1000000000 });
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(() => call('io.jwt.decode', 'abc')).toThrow('io.jwt.decode: encoded JWT had no period separators');
    expect(() => call('io.jwt.decode', 'a.b')).toThrow(BuiltinError);
    expect(() => call('io.jwt.decode', `${b64('not json')}.${b64({})}.`)).toThrow(/bad JWT header/);
  });

  test('HMAC verification', () => {
    expect(call('io.jwt.verify_hs256', token, 'secret')).toBe(true);
    expect(call('io.jwt.verify_hs256', token, 'wrong')).toBe(false);
    expect(call('io.jwt.verify_hs512', token, 'secret')).toBe(false);
  });

  test('RSA, PSS and ECDSA verification with PEM and JWK keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signing = (alg: string): string => `${b64({ alg })}.${b64({ sub: 'x' })}`;
    const rs = signing('RS256');
    const rsToken = `${rs}.${sign('sha256', Buffer.from(rs), rsa.privateKey).toString('base64url')}`;
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(call('io.jwt.verify_rs256', rsToken, pem)).toBe(true);
    const jwks = JSON.stringify({ keys: [ec.publicKey.export({ format: 'jwk' }), rsa.publicKey.export({ format: 'jwk' })] });
    expect(call('io.jwt.verify_rs256', rsToken, jwks)).toBe(true);
    expect(call('io.jwt.verify_es256', rsToken, jwks)).toBe(false);

    const es = signing('ES256');
    const esToken = `${es}.${sign('sha256', Buffer.from(es), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    expect(call('io.jwt.verify_es256', esToken, ec.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(true);

    expect(() => call('io.jwt.verify_rs256', rsToken, 'not a key')).toThrow(BuiltinError);
  });

  test('decode_verify checks signature, alg, iss, aud and time', () => {
    const at = (s: number) => s * 1e9;
    const ok = callIn(makeContext(BigInt(at(1500000000))), 'io.jwt.decode_verify', token, v({ secret: 'secret', iss: 'idp', aud: 'gw' }));
    expect((ok as unknown[])[0]).toBe(true);
    const invalid = [false, {}, {}];
    expect(json('io.jwt.decode_verify', token, v({ secret: 'secret', aud: 'gw', time: at(2100000000) }))).toEqual(invalid);
    expect(json('io.jwt.decode_verify', token, v({ secret: 'secret', aud: 'gw', time: at(900000000) }))).toEqual(invalid);
    expect(json('io.jwt.decode_verify', token, v({ secret: 'secret', aud: 'gw', iss: 'other', time: at(1500000000) }))).toEqual(invalid);
    expect(json('io.jwt.decode_verify', token, v({ secret: 'secret', time: at(1500000000) }))).toEqual(invalid);
    expect(json('io.jwt.decode_verify', token, v({ secret: 'secret', aud: 'gw', alg: 'RS256', time: at(1500000000) }))).toEqual(invalid);
    expect(json('io.jwt.decode_verify', token, v({ secret: 'nope', aud: 'gw', time: at(1500000000) }))).toEqual(invalid);
    expect(() => call('io.jwt.decode_verify', token, v({ aud: 'gw' }))).toThrow(/no key or secret/);
    expect(() => call('io.jwt.decode_verify', token, v({ secret: 's', colour: 1 }))).toThrow(/invalid constraint/);
  });
});

describe('io.jwt.encode_sign', () => {
  test('HMAC and ECDSA tokens verify and decode', () => {
    const key = v({ kty: 'oct', k: Buffer.from('secret').toString('base64url') });
    const token = call('io.jwt.encode_sign', v({ alg: 'HS256', typ: 'JWT' }), v({ sub: 'bob', iss: 'gw' }), key) as string;
    expect(call('io.jwt.verify_hs256', token, 'secret')).toBe(true);
    expect((json('io.jwt.decode', token) as unknown[])[1]).toEqual({ iss: 'gw', sub: 'bob' });
    const raw = call('io.jwt.encode_sign_raw', '{"alg":"HS256"}', '{"a":1}', JSON.stringify({ kty: 'oct', k: Buffer.from('s').toString('base64url') })) as string;
    expect(raw.split('.')[0]).toBe(Buffer.from('{"alg":"HS256"}').toString('base64url'));
    expect(call('io.jwt.verify_hs256', raw, 's')).toBe(true);

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const esToken = call('io.jwt.encode_sign', v({ alg: 'ES256' }), v({ x: 1 }), v(ec.privateKey.export({ format: 'jwk' }))) as string;
    expect(call('io.jwt.verify_es256', esToken, JSON.stringify(ec.publicKey.export({ format: 'jwk' })))).toBe(true);
  });
  test('bad headers and keys are errors', () => {
    const key = v({ kty: 'oct', k: 'c2VjcmV0' });
    expect(() => call('io.jwt.encode_sign', v({ alg: 'none' }), v({}), key)).toThrow(/unsupported or missing "alg"/);
    expect(() => call('io.jwt.encode_sign', v({ alg: 'RS256' }), v({}), key)).toThrow(/failed to sign/);
    expect(() => call('io.jwt.encode_sign_raw', '{bad', '{}', '{}')).toThrow(/invalid JSON/);
  });
});

describe('graph', () => {
  const g = v({ a: ['b'], b: ['c', 'd'], c: ['a'], d: [], e: ['a'] });
  test('reachable', () => {
    expect(json('graph.reachable', g, ['b'])).toEqual(['a', 'b', 'c', 'd']);
    expect(json('graph.reachable', g, set('d', 'zz'))).toEqual(['d']);
    expect(() => call('graph.reachable', g, 'a')).toThrow(BuiltinError);
  });
  test('reachable_paths cut cycles', () => {
    expect(json('graph.reachable_paths', v({ a: ['b'], b: ['c'], c: [] }), ['a'])).toEqual([['a', 'b', 'c']]);
    expect(json('graph.reachable_paths', g, ['d'])).toEqual([['d']]);
    expect(json('graph.reachable_paths', v({ a: ['b', 'x'], b: ['a'] }), ['a'])).toEqual([['a'], ['a', 'b']]);
  });
});
