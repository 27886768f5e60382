import { RegoObject, RegoSet, hashValue, valueEquals } from '../../../src/policy/rego/value';
import type { Value } from '../../../src/policy/rego/value';
import { perSite } from '../../../src/policy/rego/eval/sites';
import { run } from './helpers';

describe('RegoSet membership (hash buckets for composite members)', () => {
  it('deduplicates equal composites whatever their construction or key order', () => {
    const s = new RegoSet();
    s.add({ id: 'a', reason: 'x' });
    s.add(JSON.parse('{"reason":"x","id":"a"}') as Value);
    s.add([1, 'a', { k: [true, null] }]);
    s.add([1, 'a', { k: [true, null] }]);
    s.add(new RegoSet(['b', 'a']));
    s.add(new RegoSet(['a', 'b']));
    expect(s.size).toBe(3);
    expect(s.has({ reason: 'x', id: 'a' })).toBe(true);
    expect(s.has({ reason: 'y', id: 'a' })).toBe(false);
    expect(s.has(new RegoSet(['a', 'b', 'c']))).toBe(false);
  });

  it('keeps primitives of different types apart and treats 0 and -0 as one', () => {
    const s = new RegoSet([1, '1', true, 'true', null, 'null', 0, -0]);
    expect(s.size).toBe(7);
    expect(s.has(-0)).toBe(true);
    expect(s.sorted()).toEqual([null, true, 0, 1, '1', 'null', 'true']);
  });

  it('hashes equal values alike across object representations', () => {
    const ro = new RegoObject();
    ro.set('a', 1);
    ro.set('b', [2]);
    const plain = { b: [2], a: 1 };
    expect(valueEquals(ro, plain)).toBe(true);
    expect(hashValue(ro)).toBe(hashValue(plain));
    const s = new RegoSet([plain]);
    expect(s.has(ro)).toBe(true);
  });

  it('survives colliding hashes (long strings sharing a prefix)', () => {
    const prefix = 'p'.repeat(80);
    const s = new RegoSet();
    for (let i = 0; i < 50; i++) s.add([prefix + i]);
    for (let i = 0; i < 50; i++) s.add([prefix + i]);
    expect(s.size).toBe(50);
    expect(s.has([prefix + 7])).toBe(true);
    expect(s.has([prefix + 77])).toBe(false);
  });

  it('set algebra and equality in policies', () => {
    const src = `package test
a := {{"x": 1}, {"y": [1, 2]}, "s", 3}
b := {{"y": [1, 2]}, 3, {"z": set()}}
both := a & b
either := a | b
only_a := a - b
same := {{"x": 1}, {"y": [1, 2]}} == {{"y": [1, 2]}, {"x": 1}}
sets := [{1, 2}, {2, 1}, {3}]
nested := {s | some s in sets}
`;
    expect(run(src, 'both')).toEqual([3, { y: [1, 2] }]);
    expect(run(src, 'either')).toEqual([3, 's', { x: 1 }, { y: [1, 2] }, { z: [] }]);
    expect(run(src, 'only_a')).toEqual(['s', { x: 1 }]);
    expect(run(src, 'same')).toBe(true);
    expect(run(src, 'nested')).toEqual([[1, 2], [3]]);
  });
});

describe('perSite', () => {
  it('returns an independent copy of a self-contained factory', () => {
    const factory = (k: number) => (x: number): number => x + k;
    const a = perSite(factory);
    expect(a).not.toBe(factory);
    expect(a(2)(3)).toBe(5);
    expect(perSite(factory)(10)(1)).toBe(11);
  });
});

describe('object comprehensions', () => {
  it('switch to non-string keys mid-way, keep __proto__ as a plain key and report conflicts', () => {
    const src = `package test
pairs := [["a", 1], ["__proto__", 2], [3, "n"], ["b", 4]]
obj := {p[0]: p[1] | some p in pairs}
dup := {p[0]: p[1] | some p in [["a", 1], ["a", 1]]}
clash := {p[0]: p[1] | some p in [["a", 1], ["a", 2]]}
`;
    expect(run(src, 'obj')).toEqual(JSON.parse('{"3": "n", "__proto__": 2, "a": 1, "b": 4}'));
    expect(Object.keys(run(src, 'obj') as object)).toEqual(['3', '__proto__', 'a', 'b']);
    expect(run(src, 'dup')).toEqual({ a: 1 });
    expect(() => run(src, 'clash')).toThrow(/object keys must be unique/);
  });
});

describe('field reads on plain objects', () => {
  const src = `package test
ts := input.x.toString
ctor := input.x.constructor
proto := input.x.__proto__
n := input.x.n
built := {"toString": 7, "n": 1}.toString
`;
  it('see own properties only, never Object.prototype members', () => {
    expect(run(src, 'ts', { x: { n: 1 } })).toBeUndefined();
    expect(run(src, 'ctor', { x: { n: 1 } })).toBeUndefined();
    expect(run(src, 'proto', { x: { n: 1 } })).toBeUndefined();
    expect(run(src, 'ts', JSON.parse('{"x": {"toString": "own"}}'))).toBe('own');
    expect(run(src, 'proto', JSON.parse('{"x": {"__proto__": 3}}'))).toBe(3);
    expect(run(src, 'n', { x: Object.assign(Object.create(null), { n: 2 }) })).toBe(2);
    expect(run(src, 'n', { x: [1] })).toBeUndefined();
    expect(run(src, 'built')).toBe(7);
  });
});

describe('perSite with instrumented source', () => {
  it('falls back to the factory itself when the source refers to coverage counters', () => {
    const factory = (k: number) => (x: number): number => x + k;
    Object.defineProperty(factory, 'toString', { value: () => '(k) => (x) => { cov_abc().s[0]++; return x + k; }' });
    expect(perSite(factory)).toBe(factory);
  });
});
