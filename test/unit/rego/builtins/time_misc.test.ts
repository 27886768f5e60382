import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call, callIn, json, makeContext, set, v } from './helpers';

const T = 1703444325734390000; // 2023-12-24T18:58:45.73439Z, a Sunday

describe('time', () => {
  test('now_ns comes from the evaluation context', () => {
    expect(callIn(makeContext(42n), 'time.now_ns')).toBe(42);
  });
  test('date, clock, weekday in UTC and IANA zones', () => {
    expect(call('time.date', T)).toEqual([2023, 12, 24]);
    expect(call('time.clock', T)).toEqual([18, 58, 45]);
    expect(call('time.clock', [T, 'CET'])).toEqual([19, 58, 45]);
    expect(call('time.clock', [T, 'Asia/Kolkata'])).toEqual([0, 28, 45]);
    expect(call('time.date', [T, 'Asia/Tokyo'])).toEqual([2023, 12, 25]);
    expect(call('time.weekday', [T, ''])).toBe('Sunday');
    expect(call('time.date', -86400e9)).toEqual([1969, 12, 31]);
    expect(() => call('time.clock', '1')).toThrow('`time.clock` expects `ns` to be a `number` or `array[number, string]`. Got `"1"` instead');
    expect(() => call('time.clock', [T, 'Mars/Base'])).toThrow('time.clock: unknown time zone Mars/Base');
  });
  test('parse_ns with Go layouts and named layouts', () => {
    expect(call('time.parse_ns', '2006-01-02T15:04:05', '2016-05-10T19:06:42')).toBe(1462907202000000000);
    expect(call('time.parse_ns', '2006-01-02', '2020-02-29')).toBe(1582934400000000000);
    expect(call('time.parse_ns', 'RFC1123Z', 'Sun, 24 Dec 2023 19:58:45 +0100')).toBe(1703444325000000000);
    expect(call('time.parse_ns', 'Jan _2 2006 3:04PM', 'Dec  4 2023 1:05AM')).toBe(Date.UTC(2023, 11, 4, 1, 5) * 1e6);
    expect(call('time.parse_ns', '02/01/06', '24/12/99')).toBe(Date.UTC(1999, 11, 24) * 1e6);
    expect(() => call('time.parse_ns', '2006-01-02', '2020-02-30')).toThrow(/day out of range/);
    expect(() => call('time.parse_ns', '2006-01-02', '2020-1-02')).toThrow(/cannot parse/);
    expect(() => call('time.parse_ns', '2006-01-02', '2020-01-02 extra')).toThrow(/extra text/);
    expect(() => call('time.parse_ns', '2006', 2020)).toThrow(BuiltinError);
  });
  test('parse_rfc3339_ns keeps fractions and offsets', () => {
    expect(call('time.parse_rfc3339_ns', '1985-04-12T23:20:50.52Z')).toBe(482196050520000000);
    expect(call('time.parse_rfc3339_ns', '1996-12-19T16:39:57-08:00')).toBe(851042397000000000);
    expect(() => call('time.parse_rfc3339_ns', '1996-12-19')).toThrow(BuiltinError);
  });
  test('parse_duration_ns is exact', () => {
    expect(call('time.parse_duration_ns', '1h6m13.3s20ms15µs1ns')).toBe(3973320015001);
    expect(call('time.parse_duration_ns', '1.2h20.2ms15us56ns')).toBe(4320020215056);
    expect(call('time.parse_duration_ns', '-1.5h')).toBe(-5400e9);
    expect(call('time.parse_duration_ns', '0')).toBe(0);
    expect(() => call('time.parse_duration_ns', '1x')).toThrow(/unknown unit/);
    expect(() => call('time.parse_duration_ns', '')).toThrow(/invalid duration/);
    expect(() => call('time.parse_duration_ns', '9999999999h')).toThrow(/invalid duration/);
  });
  test('format with zones and layouts', () => {
    expect(call('time.format', 0)).toBe('1970-01-01T00:00:00Z');
    expect(call('time.format', [T, 'UTC', '2006-01-02T15:04:05.000Z07:00'])).toBe('2023-12-24T18:58:45.734Z');
    expect(call('time.format', [T, 'America/New_York', 'Mon Jan _2 15:04:05 MST 2006 -07:00 3:04PM 002'])).toBe('Sun Dec 24 13:58:45 EST 2023 -05:00 1:58PM 358');
    expect(call('time.format', [T, 'Europe/Paris', 'RFC1123'])).toBe('Sun, 24 Dec 2023 19:58:45 CET');
    expect(call('time.format', [T, 'Asia/Kolkata', 'RFC3339'])).toBe('2023-12-25T00:28:45+05:30');
    expect(call('time.format', [1.5e9, 'UTC', '05.999999999'])).toBe('01.5');
  });
  test('add_date normalises like Go', () => {
    const jan31 = call('time.parse_rfc3339_ns', '2023-01-31T10:00:00Z') as number;
    expect(call('time.format', call('time.add_date', jan31, 0, 1, 0) as number)).toBe('2023-03-03T10:00:00Z');
    expect(call('time.format', call('time.add_date', jan31, 1, -1, 1) as number)).toBe('2024-01-01T10:00:00Z');
    expect(() => call('time.add_date', T, 1000, 0, 0)).toThrow('time outside of valid range');
  });
  test('diff in years … seconds, order independent', () => {
    expect(call('time.diff', T, 1257894000000000000)).toEqual([14, 1, 13, 19, 58, 45]);
    expect(call('time.diff', 1257894000000000000, T)).toEqual([14, 1, 13, 19, 58, 45]);
    const a = call('time.parse_ns', '2006-01-02', '2020-02-02') as number;
    const b = call('time.parse_ns', '2006-01-02', '2020-03-01') as number;
    expect(call('time.diff', a, b)).toEqual([0, 0, 28, 0, 0, 0]);
  });
});

describe('walk, trace, opa.runtime, deprecated', () => {
  test('walk yields every [path, value] pair, root first, sorted keys', () => {
    expect(json('walk', v({ b: [true], a: 1 }))).toEqual([
      [[], { a: 1, b: [true] }],
      [['a'], 1],
      [['b'], [true]],
      [['b', 0], true],
    ]);
    expect(json('walk', set(2, 1))).toEqual([[[], [1, 2]], [[1], 1], [[2], 2]]);
  });
  test('trace and opa.runtime', () => {
    expect(call('trace', 'note')).toBe(true);
    expect(() => call('trace', 1)).toThrow(BuiltinError);
    expect(json('opa.runtime')).toEqual({ commit: '', env: {}, version: 'gatehouse-rego' });
  });
  test('v0-only builtins', () => {
    expect(call('all', [true, true])).toBe(true);
    expect(call('any', set(false, true))).toBe(true);
    expect(call('re_match', '^a', 'abc')).toBe(true);
    expect(json('set_diff', set(1, 2), set(2))).toEqual([1]);
    expect(json('cast_set', [1, 1, 2])).toEqual([1, 2]);
    expect(call('net.cidr_overlap', '10.0.0.0/8', '10.1.1.1')).toBe(true);
    expect(() => call('cast_boolean', 1)).toThrow(BuiltinError);
  });
});
