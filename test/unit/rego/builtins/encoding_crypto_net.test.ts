import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call, json, set, v } from './helpers';

describe('json and yaml', () => {
  test('json.marshal is compact with sorted keys and Go escapes', () => {
    expect(call('json.marshal', v({ b: [1, 2.5, '<x>&'], a: null }))).toBe('{"a":null,"b":[1,2.5,"\\u003cx\\u003e\\u0026"]}');
    expect(call('json.marshal', set('b', 'a'))).toBe('["a","b"]');
    expect(call('json.marshal_with_options', v({ a: [1] }), v({ pretty: true, prefix: '>', indent: '  ' }))).toBe('{\n>  "a": [\n>    1\n>  ]\n>}');
    expect(call('json.marshal_with_options', v({ a: 1 }), v({ pretty: false, indent: '  ' }))).toBe('{"a":1}');
    expect(call('json.marshal_with_options', v({ a: 1 }), v({}))).toBe('{"a":1}');
    expect(() => call('json.marshal_with_options', 1, v({ colour: true }))).toThrow(BuiltinError);
  });
  test('json.unmarshal and json.is_valid', () => {
    expect(json('json.unmarshal', '{"a":[1,{"b":true}],"__proto__":1}')).toEqual(JSON.parse('{"a":[1,{"b":true}],"__proto__":1}'));
    expect(() => call('json.unmarshal', '{bad')).toThrow(/^json\.unmarshal: /);
    expect(call('json.is_valid', '[1,2]')).toBe(true);
    expect(call('json.is_valid', '[1,')).toBe(false);
    expect(call('json.is_valid', 5)).toBe(false);
  });
  test('yaml round trip and bounded alias expansion', () => {
    expect(json('yaml.unmarshal', 'a: 1\nb: [x, y]\n')).toEqual({ a: 1, b: ['x', 'y'] });
    expect(call('yaml.marshal', v({ b: [1, 2], a: { c: 'x' } }))).toBe('a:\n  c: x\nb:\n  - 1\n  - 2\n');
    expect(call('yaml.is_valid', 'a: [1')).toBe(false);
    expect(() => call('yaml.unmarshal', 'a: [1')).toThrow(BuiltinError);
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${new Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    expect(() => call('yaml.unmarshal', bomb)).toThrow(/more than/);
  });
});

describe('base64, hex, urlquery', () => {
  test('base64 is strict like Go', () => {
    expect(call('base64.encode', 'hello')).toBe('aGVsbG8=');
    expect(call('base64.decode', 'aGVsbG8=')).toBe('hello');
    expect(call('base64.decode', 'aGVs\nbG8=')).toBe('hello');
    expect(() => call('base64.decode', 'aGVsbG8')).toThrow(BuiltinError);
    expect(call('base64.is_valid', 'aGVsbG8=')).toBe(true);
    expect(call('base64.is_valid', 'aGV$bG8=')).toBe(false);
  });
  test('base64url with and without padding', () => {
    expect(call('base64url.encode', 'hello?')).toBe('aGVsbG8_');
    expect(call('base64url.encode', 'a')).toBe('YQ==');
    expect(call('base64url.encode_no_pad', 'a')).toBe('YQ');
    expect(call('base64url.decode', 'YQ')).toBe('a');
    expect(call('base64url.decode', 'YQ==')).toBe('a');
    expect(() => call('base64url.decode', 'Y')).toThrow(BuiltinError);
  });
  test('hex', () => {
    expect(call('hex.encode', 'hi')).toBe('6869');
    expect(call('hex.decode', '6869')).toBe('hi');
    expect(() => call('hex.decode', '686')).toThrow('hex.decode: encoding/hex: odd length hex string');
    expect(() => call('hex.decode', 'zz')).toThrow(BuiltinError);
  });
  test('urlquery', () => {
    expect(call('urlquery.encode', 'a b&c=d/é')).toBe('a+b%26c%3Dd%2F%C3%A9');
    expect(call('urlquery.decode', 'a+b%26c%C3%A9')).toBe('a b&cé');
    expect(() => call('urlquery.decode', '%zz')).toThrow('urlquery.decode: invalid URL escape "%zz"');
    expect(call('urlquery.encode_object', v({ b: ['2', '1'], a: 'x y', c: set('z', 'y') }))).toBe('a=x+y&b=2&b=1&c=y&c=z');
    expect(json('urlquery.decode_object', 'a=1&a=2&b=x+y&c')).toEqual({ a: ['1', '2'], b: ['x y'], c: [''] });
    expect(() => call('urlquery.encode_object', v({ a: 1 }))).toThrow(BuiltinError);
  });
});

describe('crypto', () => {
  test('digests and HMACs in hex', () => {
    expect(call('crypto.md5', 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(call('crypto.sha1', 'abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(call('crypto.sha256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(call('crypto.hmac.sha256', 'The quick brown fox jumps over the lazy dog', 'key')).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
    expect(call('crypto.hmac.md5', 'The quick brown fox jumps over the lazy dog', 'key')).toBe('80070713463e7749b90c2dc24911e275');
    expect((call('crypto.hmac.sha512', 'x', 'k') as string).length).toBe(128);
    expect(call('crypto.hmac.equal', 'abc', 'abc')).toBe(true);
    expect(call('crypto.hmac.equal', 'abc', 'abd')).toBe(false);
    expect(call('crypto.hmac.equal', 'abc', 'abcd')).toBe(false);
    expect(() => call('crypto.sha256', 1)).toThrow(BuiltinError);
  });
});

describe('net', () => {
  test('cidr_contains for addresses and networks, IPv4 and IPv6', () => {
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.1.2.3')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.1.0.0/16')).toBe(true);
    expect(call('net.cidr_contains', '10.1.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(call('net.cidr_contains', '2001:db8::/32', '2001:db8:ffff::1')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/8', '::ffff:10.0.0.1')).toBe(true);
    expect(call('net.cidr_contains', '::/0', '10.0.0.1')).toBe(false);
    expect(() => call('net.cidr_contains', '10.0.0.0', '10.0.0.1')).toThrow('net.cidr_contains: invalid CIDR address: 10.0.0.0');
    expect(() => call('net.cidr_contains', '10.0.0.0/8', '10.0.0.01')).toThrow(BuiltinError);
  });
  test('cidr_intersects, cidr_is_valid', () => {
    expect(call('net.cidr_intersects', '192.168.0.0/16', '192.168.1.0/24')).toBe(true);
    expect(call('net.cidr_intersects', '192.168.0.0/24', '192.168.1.0/24')).toBe(false);
    expect(call('net.cidr_is_valid', '10.0.0.0/8')).toBe(true);
    expect(call('net.cidr_is_valid', 'fd00::/8')).toBe(true);
    expect(call('net.cidr_is_valid', '1.2.3.4/33')).toBe(false);
    expect(call('net.cidr_is_valid', '1.2.3/8')).toBe(false);
  });
  test('cidr_expand lists addresses, bounded', () => {
    expect(json('net.cidr_expand', '192.168.1.0/30')).toEqual(['192.168.1.0', '192.168.1.1', '192.168.1.2', '192.168.1.3']);
    expect(json('net.cidr_expand', '2001:db8::/127')).toEqual(['2001:db8::', '2001:db8::1']);
    expect(() => call('net.cidr_expand', '10.0.0.0/8')).toThrow(/more than the limit/);
    expect(() => call('net.cidr_expand', '::/0')).toThrow(/more than the limit/);
  });
  test('cidr_merge produces the minimal covering CIDRs', () => {
    expect(json('net.cidr_merge', ['192.0.128.0/24', '192.0.129.0/24'])).toEqual(['192.0.128.0/23']);
    expect(json('net.cidr_merge', set('10.0.0.0/8', '10.1.0.0/16', '1.1.1.1', '1.1.1.0', '1.1.1.2', '2001:db8::/33', '2001:db8:8000::/33'))).toEqual(['1.1.1.0/31', '1.1.1.2/32', '10.0.0.0/8', '2001:db8::/32']);
    expect(() => call('net.cidr_merge', ['nope'])).toThrow(BuiltinError);
  });
  test('cidr_contains_matches reports keys of both collections', () => {
    expect(json('net.cidr_contains_matches', ['1.1.1.0/24', '2.2.2.0/24'], v({ x: '1.1.1.128', y: ['2.2.2.1', 'tag'] }))).toEqual([[0, 'x'], [1, 'y']]);
    expect(json('net.cidr_contains_matches', '1.1.0.0/16', set('1.1.1.1', '9.9.9.9'))).toEqual([['1.1.0.0/16', '1.1.1.1']]);
  });
});
