import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call, callIn, json, makeContext, set, v } from './helpers';

describe('numbers', () => {
  test('numbers.range and range_step in both directions', () => {
    expect(call('numbers.range', 1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(call('numbers.range', -1, -3)).toEqual([-1, -2, -3]);
    expect(call('numbers.range', 8, 8)).toEqual([8]);
    expect(call('numbers.range_step', 0, 10, 3)).toEqual([0, 3, 6, 9]);
    expect(call('numbers.range_step', 10, 0, 5)).toEqual([10, 5, 0]);
    expect(() => call('numbers.range', 1.01, 5)).toThrow('numbers.range: operand 1 must be integer');
    expect(() => call('numbers.range_step', 0, 10, 0)).toThrow('step must be a positive number above zero');
  });
  test('huge ranges are refused quickly instead of exhausting memory', () => {
    expect(() => call('numbers.range', 0, 1e12)).toThrow(/exceeds the limit/);
  });
  test('rounding follows Go', () => {
    expect(call('round', -2.5)).toBe(-3);
    expect(call('round', 2.5)).toBe(3);
    expect(call('round', -0.4)).toBe(0);
    expect(call('ceil', 1.2)).toBe(2);
    expect(call('floor', -1.2)).toBe(-2);
    expect(call('abs', -9.1)).toBe(9.1);
    expect(() => call('abs', '-9')).toThrow('abs: operand 1 must be number but got string');
  });
  test('to_number', () => {
    expect(call('to_number', '1e3')).toBe(1000);
    expect(call('to_number', '-0.5')).toBe(-0.5);
    expect(call('to_number', true)).toBe(1);
    expect(call('to_number', null)).toBe(0);
    expect(() => call('to_number', 'abc')).toThrow(BuiltinError);
    expect(() => call('to_number', '0x10')).toThrow(BuiltinError);
    expect(() => call('to_number', [])).toThrow(BuiltinError);
  });
  test('bits use exact integer arithmetic', () => {
    expect(call('bits.and', 12, 10)).toBe(8);
    expect(call('bits.or', 12, 10)).toBe(14);
    expect(call('bits.xor', 12, 10)).toBe(6);
    expect(call('bits.negate', -50)).toBe(49);
    expect(call('bits.lsh', 1, 40)).toBe(2 ** 40);
    expect(call('bits.rsh', -9, 1)).toBe(-5);
    expect(() => call('bits.lsh', 1, -1)).toThrow('must be an unsigned integer number but got a negative integer');
    expect(() => call('bits.lsh', 1, 1e9)).toThrow(BuiltinError);
    expect(() => call('bits.and', 1.5, 1)).toThrow(BuiltinError);
  });
  test('rand.intn is stable within one evaluation', () => {
    const ctx = makeContext();
    const a = callIn(ctx, 'rand.intn', 'k', 10) as number;
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(10);
    expect(callIn(ctx, 'rand.intn', 'k', 10)).toBe(a);
    expect(callIn(ctx, 'rand.intn', 'k', 0)).toBe(0);
  });
});

describe('type checks', () => {
  test('each check and type_name', () => {
    const items = [[], true, null, 0, v({}), set(), 'abc'];
    expect(items.map((x) => call('type_name', x))).toEqual(['array', 'boolean', 'null', 'number', 'object', 'set', 'string']);
    expect(items.filter((x) => call('is_array', x))).toEqual([[]]);
    expect(items.filter((x) => call('is_object', x))).toEqual([{}]);
    expect(items.filter((x) => call('is_set', x)).length).toBe(1);
    expect(call('is_number', '1')).toBe(false);
    expect(call('is_string', 'x')).toBe(true);
    expect(call('is_boolean', false)).toBe(true);
    expect(call('is_null', null)).toBe(true);
  });
});

describe('units', () => {
  test('units.parse with SI and binary suffixes', () => {
    expect(call('units.parse', '1.5m')).toBe(0.0015);
    expect(call('units.parse', '10K')).toBe(10000);
    expect(call('units.parse', '2M')).toBe(2e6);
    expect(call('units.parse', '1Ki')).toBe(1024);
    expect(call('units.parse', '1KI')).toBe(1024);
    expect(call('units.parse', '"1"')).toBe(1);
    expect(call('units.parse', '1Ei')).toBe(2 ** 60);
    expect(call('units.parse', '1mb')).toBeUndefined();
    expect(() => call('units.parse', '1 m')).toThrow('units.parse: spaces not allowed in resource strings');
    expect(() => call('units.parse', 'm')).toThrow('units.parse: no amount provided');
    expect(() => call('units.parse', '1.2.3')).toThrow(BuiltinError);
  });
  test('units.parse_bytes', () => {
    expect(call('units.parse_bytes', '1.5KiB')).toBe(1536);
    expect(call('units.parse_bytes', '10MB')).toBe(1e7);
    expect(call('units.parse_bytes', '12')).toBe(12);
    expect(call('units.parse_bytes', '2gib')).toBe(2 * 2 ** 30);
    expect(() => call('units.parse_bytes', 'GB')).toThrow('units.parse_bytes: no byte amount provided');
    expect(() => call('units.parse_bytes', '1XB')).toThrow('units.parse_bytes: byte unit xb not recognized');
  });
});

describe('semver and uuid', () => {
  test('semver', () => {
    expect(['1.9.10', '1.1', '1.1.12-rc1+foo', 'v1.0.0'].map((s) => call('semver.is_valid', s))).toEqual([true, false, true, false]);
    expect(call('semver.is_valid', 1)).toBe(false);
    expect(call('semver.compare', '1.9.10', '1.8.15')).toBe(1);
    expect(call('semver.compare', '1.0.0', '1.0.0+build')).toBe(0);
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    for (let i = 1; i < order.length; i++) expect(call('semver.compare', order[i - 1], order[i])).toBe(-1);
    expect(() => call('semver.compare', 'x', '1.0.0')).toThrow('semver.compare: operand 1 string "x" is not a valid SemVer');
  });
  test('uuid.parse reports OPA fields', () => {
    expect(json('uuid.parse', 'b01d0062-a116-11ee-822b-7ab0b9e5e0c0')).toEqual({
      clocksequence: 555, macvariables: 'local:unicast', nodeid: '7a-b0-b9-e5-e0-c0', time: 1703282931110717000, variant: 'RFC4122', version: 1,
    });
    expect(json('uuid.parse', '{a6342df8-7801-469c-b3f3-c5317a0ebdaa}')).toEqual({ variant: 'RFC4122', version: 4 });
    expect(json('uuid.parse', '017F22E2-79B0-7CC3-98C4-DC0C0C07398F')).toEqual({ variant: 'RFC4122', version: 7, time: 1645557742000000000 });
    expect(call('uuid.parse', 'not-valid')).toBeUndefined();
    expect(() => call('uuid.parse', 42)).toThrow(BuiltinError);
  });
  test('uuid.rfc4122 is a v4 UUID, stable per key within an evaluation', () => {
    const ctx = makeContext();
    const a = callIn(ctx, 'uuid.rfc4122', 'k') as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(callIn(ctx, 'uuid.rfc4122', 'k')).toBe(a);
    expect(callIn(ctx, 'uuid.rfc4122', 'other')).not.toBe(a);
    expect(callIn(makeContext(), 'uuid.rfc4122', 'k')).not.toBe(a);
  });
});
