/** Hostile arguments end in a BuiltinError (or a bounded answer), never a hang or a crash. */
import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call, v } from './helpers';

describe('bad input is a clear error in bounded time', () => {
  test('deeply nested documents', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => call('json.unmarshal', deep)).toThrow(/nested deeper than/);
    expect(call('json.is_valid', deep)).toBe(false);
    expect(() => call('yaml.unmarshal', deep)).toThrow(BuiltinError);
  });
  test('results too large to build', () => {
    const big = 'a'.repeat(100_000);
    expect(() => call('replace', big, '', big)).toThrow(BuiltinError);
    expect(() => call('strings.replace_n', v({ '': big }), big)).toThrow(BuiltinError);
    expect(() => call('regex.replace', big, '', big)).toThrow(BuiltinError);
    expect(call('sprintf', '%99999999999d', [1])).toBe('1');
    expect(call('sprintf', '%.99999999999f', [1.5])).toBe('2');
    expect(() => call('numbers.range', -1e308, 1e308)).toThrow(/exceeds the limit/);
    expect(() => call('net.cidr_expand', '::/1')).toThrow(/more than the limit/);
  });
  test('pathological patterns', () => {
    expect(call('regex.match', '(((a*)*)*)*b', 'a'.repeat(100_000))).toBe(false);
    expect(() => call('regex.match', 'a{1000}{1000}', 'a')).toThrow(BuiltinError);
    expect(call('glob.match', '*'.repeat(10_000) + 'x', null, 'a'.repeat(10_000))).toBe(false);
    expect(() => call('glob.match', '{'.repeat(5_000), null, 'a')).toThrow(/deeper than/);
  });
  test('numbers out of range', () => {
    expect(() => call('units.parse', '9'.repeat(400))).toThrow('units.parse: amount is too large');
    expect(() => call('time.parse_duration_ns', '9'.repeat(40) + 'h')).toThrow(/invalid duration/);
    expect(() => call('bits.lsh', 1, 5000)).toThrow(BuiltinError);
    expect(() => call('time.add_date', 0, 1e6, 0, 0)).toThrow('time outside of valid range');
  });
});
