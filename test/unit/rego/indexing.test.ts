import { compile, evalDoc } from './helpers';

/** Rules with many definitions testing the same input path are indexed; results must not change. */
describe('rule indexing', () => {
  const models = Array.from({ length: 30 }, (_, i) => `m${i}`);
  const src = `package test
import rego.v1
${models.map((m, i) => `deny contains "${m}" if { input.request.model == "${m}"; input.n > ${i % 3} }`).join('\n')}
deny contains "always" if input.n > 100
deny contains "eq-unify" if input.request.model = "m7"
tier := "a" if input.request.model == "m1"
tier := "b" if input.request.model == "m2"
tier := "c" if input.request.model == "m3"
tier := "z" if input.request.other == 1
default tier := "none"
`;
  const p = compile(src);

  it('runs only matching definitions and those without the indexed test', () => {
    expect(evalDoc(p, 'test.deny', { request: { model: 'm7' }, n: 5 })).toEqual(['eq-unify', 'm7']);
    expect(evalDoc(p, 'test.deny', { request: { model: 'm4' }, n: 0 })).toEqual([]);
    expect(evalDoc(p, 'test.deny', { request: { model: 'm4' }, n: 101 })).toEqual(['always', 'm4']);
    expect(evalDoc(p, 'test.deny', { request: { model: 'unknown' }, n: 101 })).toEqual(['always']);
    expect(evalDoc(p, 'test.deny', { n: 101 })).toEqual(['always']);
  });

  it('keeps defaults, non-indexed definitions and non-string values working', () => {
    expect(evalDoc(p, 'test.tier', { request: { model: 'm2' } })).toBe('b');
    expect(evalDoc(p, 'test.tier', { request: { model: 'm9' } })).toBe('none');
    expect(evalDoc(p, 'test.tier', { request: { model: 7, other: 1 } })).toBe('z');
    expect(evalDoc(p, 'test.tier', { request: { model: ['m1'] } })).toBe('none');
  });
});

/** Comprehensions keyed by one outer variable are evaluated once and grouped; results must match. */
describe('comprehension indexing', () => {
  const src = `package test
import rego.v1
pairs := [["a", 1], ["b", 2], ["a", 3], ["c", 4], ["a", 1]]
grouped := {k: vs | some [k, _] in pairs; vs := [v | some [i, v] in pairs; i == k]}
as_sets := {k: vs | some [k, _] in pairs; vs := {v | some [i, v] in pairs; k = i}}
as_objects := {k: o | some [k, _] in pairs; o := {v: true | some [i, v] in pairs; i == k}}
missing := [v | some [i, v] in pairs; i == input.key]
f(k) := count([v | some [i, v] in pairs; i == k])
counts := [f("a"), f("z")]
`;
  it('groups by the key and gives empty results for absent keys', () => {
    const p = compile(src);
    expect(evalDoc(p, 'test.grouped')).toEqual({ a: [1, 3, 1], b: [2], c: [4] });
    expect(evalDoc(p, 'test.as_sets')).toEqual({ a: [1, 3], b: [2], c: [4] });
    expect(evalDoc(p, 'test.as_objects')).toEqual({ a: { 1: true, 3: true }, b: { 2: true }, c: { 4: true } });
    expect(evalDoc(p, 'test.missing', { key: 'b' })).toEqual([2]);
    expect(evalDoc(p, 'test.missing', { key: 'nope' })).toEqual([]);
    expect(evalDoc(p, 'test.counts')).toEqual([3, 0]);
  });
});
