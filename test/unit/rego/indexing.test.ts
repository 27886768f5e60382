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
