import { BuiltinError } from '../../../../src/policy/rego/builtins';
import { RegoObject } from '../../../../src/policy/rego/value';
import { call, json, set, v } from './helpers';

describe('aggregates', () => {
  test('sum and product over arrays and sets', () => {
    expect(call('sum', [1, 2, 3.5])).toBe(6.5);
    expect(call('sum', set(1, 2, 3))).toBe(6);
    expect(call('sum', [])).toBe(0);
    expect(call('product', [-1, 3, 2])).toBe(-6);
    expect(call('product', set())).toBe(1);
  });
  test('max/min use OPA ordering and are undefined when empty', () => {
    expect(call('max', [-1, 3, 2])).toBe(3);
    expect(call('min', set(5, 'a', null))).toBe(null);
    expect(call('max', ['a', 1, [0]])).toEqual([0]);
    expect(call('max', [])).toBeUndefined();
    expect(call('min', set())).toBeUndefined();
  });
  test('sort orders mixed types like OPA', () => {
    expect(json('sort', [3, 'b', null, true, 'a', [1]])).toEqual([null, true, 3, 'a', 'b', [1]]);
    expect(json('sort', set(3, 1, 2))).toEqual([1, 2, 3]);
  });
  test('type errors name the builtin and operand', () => {
    expect(() => call('sum', 'abc')).toThrow(new BuiltinError('sum: operand 1 must be one of {array, set} but got string'));
    expect(() => call('sum', [1, 'x'])).toThrow('sum: operand 1 must be array of numbers but got array containing string');
    expect(() => call('max', {})).toThrow(BuiltinError);
  });
});

describe('arrays', () => {
  test('concat, slice (clamped), reverse', () => {
    expect(call('array.concat', [1, 2], [3])).toEqual([1, 2, 3]);
    expect(call('array.slice', [1, 2, 3], 0, 2)).toEqual([1, 2]);
    expect(call('array.slice', [1, 2, 3], -5, 1)).toEqual([1]);
    expect(call('array.slice', [1, 2, 3], 2, 1)).toEqual([]);
    expect(call('array.slice', [1, 2, 3], 1, 99)).toEqual([2, 3]);
    expect(call('array.slice', [5], 1.1, 2)).toBeUndefined();
    expect(call('array.reverse', [1, 2, 3])).toEqual([3, 2, 1]);
    expect(() => call('array.concat', 1, [2])).toThrow('array.concat: operand 1 must be array but got number');
  });
});

describe('sets', () => {
  test('intersection and union of a set of sets', () => {
    expect(json('intersection', set(set(1, 2, 3), set(2, 3, 4)))).toEqual([2, 3]);
    expect(json('union', set(set(1), set(2), set()))).toEqual([1, 2]);
    expect(json('intersection', set())).toEqual([]);
    expect(() => call('union', set(1))).toThrow('union: operand 1 must be set of sets but got set containing number');
  });
});

describe('objects', () => {
  const obj = new RegoObject();
  obj.set('a', 5);
  obj.set('b', v({ c: 8 }));
  obj.set(set(1), 8);
  obj.set(v({ a: 5 }), 9);

  test('object.get by key, by path and with defaults', () => {
    expect(call('object.get', obj, 'a', 'd')).toBe(5);
    expect(call('object.get', obj, ['b', 'c'], 'd')).toBe(8);
    expect(call('object.get', obj, ['a', 'b'], 'd')).toBe('d');
    expect(call('object.get', obj, v({ a: 5 }), 'd')).toBe(9);
    expect(call('object.get', v({ a: [{ b: 1 }] }), ['a', 0, 'b'], 0)).toBe(1);
    expect(call('object.get', v({ a: 1 }), [], 0)).toEqual({ a: 1 });
  });
  test('keys, remove and filter accept arrays, sets and objects of keys', () => {
    expect(json('object.keys', v({ x: 1, y: 2 }))).toEqual(['x', 'y']);
    expect(json('object.remove', v({ a: 1, b: 2, c: 3 }), ['a'])).toEqual({ b: 2, c: 3 });
    expect(json('object.remove', v({ a: 1, b: 2 }), v({ b: 0 }))).toEqual({ a: 1 });
    expect(json('object.filter', v({ a: 1, b: 2, c: 3 }), set('a', 'c', 'z'))).toEqual({ a: 1, c: 3 });
    expect(() => call('object.remove', v({}), 1)).toThrow('object.remove: operand 2 must be one of {object, set, array} but got number');
  });
  test('union merges recursively, right side wins', () => {
    expect(json('object.union', v({ a: { b: 1, c: 1 }, x: 1 }), v({ a: { c: 2 }, x: { y: 1 } }))).toEqual({ a: { b: 1, c: 2 }, x: { y: 1 } });
    expect(json('object.union_n', v([{ a: 1 }, { b: 2 }, { a: 3 }]))).toEqual({ a: 3, b: 2 });
    expect(() => call('object.union_n', v([{ a: 1 }, 2]))).toThrow(BuiltinError);
  });
  test('subset on objects, sets, arrays and array/set', () => {
    expect(call('object.subset', v({ a: 'b', c: { x: [10, 15, 20, 25], y: 'z' } }), v({ c: { x: [10, 15, 20] } }))).toBe(true);
    expect(call('object.subset', v({ a: 1 }), v({ a: 2 }))).toBe(false);
    expect(call('object.subset', set(1, 2, 3), set(1, 3))).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4], [2, 3])).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4], [2, 4])).toBe(false);
    expect(call('object.subset', [1, 2, 3], set(3, 1))).toBe(true);
    expect(() => call('object.subset', [1], v({}))).toThrow(BuiltinError);
  });
});

describe('json paths', () => {
  test('json.filter keeps the selected paths, with pointers or segment arrays', () => {
    const doc = v({ a: 5, b: { c: { d: 6 }, d: 7 }, c: 8 });
    expect(json('json.filter', doc, ['a', 'b/c'])).toEqual({ a: 5, b: { c: { d: 6 } } });
    expect(json('json.filter', doc, set('c', v(['b', 'd'])))).toEqual({ b: { d: 7 }, c: 8 });
    expect(json('json.filter', v({ a: [[1, [7, 8, 9], 2], 3] }), ['a/0/1/2', 'a/0/1/1'])).toEqual({ a: [[[8, 9]]] });
    expect(json('json.filter', v({ 'a/b': 1, '~': 2 }), ['a~1b'])).toEqual({ 'a/b': 1 });
  });
  test('json.remove drops the selected paths, shifting arrays', () => {
    expect(json('json.remove', v({ a: { b: 1, c: 2 }, d: [1, 2, 3] }), ['a/b', '/d/1'])).toEqual({ a: { c: 2 }, d: [1, 3] });
    expect(json('json.remove', v({ a: 1 }), [])).toEqual({ a: 1 });
  });
  test('json.patch applies RFC 6902 operations atomically', () => {
    const ops = v([
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'replace', path: '/b', value: 'x' },
      { op: 'copy', from: '/a/0', path: '/c' },
      { op: 'move', from: '/c', path: '/d' },
      { op: 'test', path: '/d', value: 1 },
      { op: 'remove', path: '/a/1' },
    ]);
    expect(json('json.patch', v({ a: [1, 2], b: 0 }), ops)).toEqual({ a: [1, 3], b: 'x', d: 1 });
    expect(call('json.patch', v({ a: 1 }), v([{ op: 'test', path: '/a', value: 2 }]))).toBeUndefined();
    expect(call('json.patch', v({ a: 1 }), v([{ op: 'remove', path: '/zz' }]))).toBeUndefined();
    expect(json('json.patch', v({ a: 1 }), v([{ op: 'add', path: '', value: [1] }]))).toEqual([1]);
    expect(() => call('json.patch', v({}), v([{ op: 'add', value: 1 }]))).toThrow("json.patch: operand 2 patch is missing 'path' attribute");
    expect(() => call('json.patch', v({}), v([{ op: 'nope', path: '/a' }]))).toThrow(BuiltinError);
  });
});
