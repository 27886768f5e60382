import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { call, set, v } from './helpers';

describe('strings', () => {
  test('concat joins arrays and sets of strings', () => {
    expect(call('concat', ', ', ['Hello', 'world'])).toBe('Hello, world');
    expect(call('concat', '-', set('b', 'a'))).toBe('a-b');
    expect(() => call('concat', null, [])).toThrow('concat: operand 1 must be string but got null');
    expect(() => call('concat', '', ['a', 1])).toThrow('concat: operand 2 must be array of strings but got array containing number');
  });
  test('predicates and case mapping', () => {
    expect(call('contains', 'Hello, world', ', ')).toBe(true);
    expect(call('startswith', 'abc', '')).toBe(true);
    expect(call('endswith', '', 'x')).toBe(false);
    expect(call('lower', 'ὈΔΥΣΣΕΎΣ')).toBe('ὀδυσσεύς');
    expect(call('upper', 'abc-É')).toBe('ABC-É');
    expect(() => call('contains', 1, '')).toThrow(BuiltinError);
  });
  test('positions count code points', () => {
    expect(call('indexof', 'skön var våren', 'vår')).toBe(9);
    expect(call('indexof', 'μx', 'x')).toBe(1);
    expect(call('indexof', '', '')).toBe(-1);
    expect(call('indexof', 'a😀b', 'b')).toBe(2);
    expect(call('indexof_n', 'aaa', 'aa')).toEqual([0, 1]);
    expect(call('substring', 'skön var', 2, 3)).toBe('ön ');
    expect(call('substring', 'abc', 1, -1)).toBe('bc');
    expect(call('substring', 'abc', 5, 1)).toBe('');
    expect(() => call('substring', 'abc', -1, 1)).toThrow('substring: negative offset');
    expect(() => call('substring', 'abc', 1.5, 1)).toThrow('substring: operand 2 must be integer number but got floating-point number');
    expect(call('strings.reverse', 'a😀b')).toBe('b😀a');
    expect(call('strings.count', 'cheese', 'e')).toBe(3);
    expect(call('strings.count', 'five', '')).toBe(5);
  });
  test('split and replace, including empty separators', () => {
    expect(call('split', 'a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect(call('split', 'h😀', '')).toEqual(['h', '😀']);
    expect(call('replace', 'aaa', 'a', 'b')).toBe('bbb');
    expect(call('replace', 'ab', '', '-')).toBe('-a-b-');
    expect(call('strings.replace_n', v({ a: '1', ab: '2', '<': '&lt;' }), 'abab<')).toBe('1b1b&lt;');
    expect(() => call('strings.replace_n', v({ a: 1 }), 'a')).toThrow('strings.replace_n: operand 1 non-string value found in pattern object');
  });
  test('trim family uses Go cutsets and white space', () => {
    expect(call('trim', '  ..hi..  ', ' .')).toBe('hi');
    expect(call('trim_left', 'xxhixx', 'x')).toBe('hixx');
    expect(call('trim_right', 'xxhixx', 'x')).toBe('xxhi');
    expect(call('trim_prefix', 'prefix-x', 'prefix-')).toBe('x');
    expect(call('trim_suffix', 'x.txt', '.txt')).toBe('x');
    expect(call('trim_space', '\u00a0\t hi \n\u2003')).toBe('hi');
    expect(call('trim_space', '\ufeffhi')).toBe('\ufeffhi');
  });
  test('format_int and prefix/suffix matching', () => {
    expect(call('format_int', 255, 16)).toBe('ff');
    expect(call('format_int', -10.9, 2)).toBe('-1010');
    expect(() => call('format_int', 1, 3)).toThrow('format_int: operand 2 must be one of {2, 8, 10, 16}');
    expect(call('strings.any_prefix_match', ['foo/bar', 'baz'], 'foo/')).toBe(true);
    expect(call('strings.any_prefix_match', 'x', set('a', 'b'))).toBe(false);
    expect(call('strings.any_suffix_match', set('a.com', 'b.org'), ['.org', '.net'])).toBe(true);
    expect(() => call('strings.any_suffix_match', 1, 'x')).toThrow('operand 1 must be one of {string, set, array} but got number');
  });
});

describe('sprintf (Go verbs with OPA argument conversion)', () => {
  const f = (fmt: string, ...args: unknown[]): unknown => call('sprintf', fmt, v(args));
  test('common verbs', () => {
    expect(f('User %s from %s', 'alice', 'eng')).toBe('User alice from eng');
    expect(f('%d|%5d|%-5d|%05d|%+d', 42, 42, 42, 42, 42)).toBe('42|   42|42   |00042|+42');
    expect(f('%x %X %#x %o %O %b %c %U', 255, 255, 255, 64, 64, 5, 65, 0x1f600)).toBe('ff FF 0xff 100 0o100 101 A U+1F600');
    expect(f('%f %.2f %8.3f %e %E %g', 3.14, 3.14159, 2.5, 1234.5678, 0.000123, 0.5)).toBe('3.140000 3.14    2.500 1.234568e+03 1.230000E-04 0.5');
    expect(f('%v %v %v %v', 1.5, 1e21, 1e-7, 123456789.5)).toBe('1.5 1e+21 1e-07 1.234567895e+08');
    expect(f('%q %x % x %.2s', 'a"b\n', 'hi', 'hi', 'héllo')).toBe('"a\\"b\\n" 6869 68 69 hé');
    expect(f('%T %T %T %T', 1, 1.5, 'x', true)).toBe('int float64 string string');
    expect(f('100%%')).toBe('100%');
    expect(f('%.0f %.0f %.2f %.2f', 2.5, 3.5, 0.125, 1.005)).toBe('2 4 0.12 1.00');
  });
  test('non-scalars print in Rego syntax', () => {
    expect(f('%v', { key: 'value', a: [1, 2] })).toBe('{"a": [1, 2], "key": "value"}');
    expect(call('sprintf', '%v %v', [set(2, 1), set()])).toBe('{1, 2} set()');
    expect(f('%v %s %v', true, null, 'plain')).toBe('true null plain');
  });
  test('argument indexes and star width/precision', () => {
    expect(f('%[2]d %[1]s', 'a', 7)).toBe('7 a');
    expect(f('%*d|%.*f', 5, 3, 2, 3.14159)).toBe('    3|3.14');
  });
  test("Go's error markers instead of failures", () => {
    expect(f('%s %d', 'only')).toBe('only %!d(MISSING)');
    expect(f('%d', 'str')).toBe('%!d(string=str)');
    expect(f('%d', 1.5)).toBe('%!d(float64=1.5)');
    expect(f('%s', 1, 2)).toBe('%!s(int=1)%!(EXTRA int=2)');
    expect(f('abc%')).toBe('abc%!(NOVERB)');
    expect(f('%[5]d', 1)).toBe('%!d(BADINDEX)');
  });
  test('argument checks', () => {
    expect(() => call('sprintf', '%d', 1)).toThrow('sprintf: operand 2 must be array but got number');
  });
});
