import { PolicyCompileError, PolicyEvalError } from '../../../src/policy/engine';
import { RegoProgram } from '../../../src/policy/rego';
import { compile, evalDoc } from './helpers';

function evalError(f: () => unknown): PolicyEvalError {
  try {
    f();
  } catch (e) {
    if (e instanceof PolicyEvalError) return e;
    throw e;
  }
  throw new Error('expected an evaluation error');
}

describe('Rego limits and bad input', () => {
  it('stops a runaway policy at the step limit with a clear error', () => {
    const p = compile('package t\nn := count([1 | some a in numbers.range(1, 300); some b in numbers.range(1, 300); some c in numbers.range(1, 300)])\n',
      {}, { limits: { maxSteps: 100_000 } });
    const e = evalError(() => evalDoc(p, 't.n'));
    expect(e.code).toBe('eval_limit_error');
    expect(e.message).toMatch(/exceeded the limit of 100000 steps/);
  });

  it('stops a slow policy at the time limit', () => {
    const p = compile('package t\nn := count([1 | some a in numbers.range(1, 2000); some b in numbers.range(1, 2000); some c in numbers.range(1, 2000)])\n',
      {}, { limits: { maxSteps: Number.MAX_SAFE_INTEGER, timeoutMs: 50 } });
    expect(evalError(() => evalDoc(p, 't.n')).code).toBe('eval_timeout_error');
  });

  it('evaluates huge inputs', () => {
    const p = compile('package t\nn := count([x | some x in input.items; x.ok])\nids := {x.id | some x in input.items}\n');
    const items = Array.from({ length: 200_000 }, (_, i) => ({ id: i, ok: i % 2 === 0 }));
    expect(evalDoc(p, 't.n', { items })).toBe(100_000);
  });

  it('rejects deeply nested and non-JSON inputs with a clear error, not a crash', () => {
    const p = compile('package t\nx := input\n');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(evalError(() => evalDoc(p, 't.x', deep)).code).toBe('eval_input_error');
    expect(evalError(() => evalDoc(p, 't.x', [() => 1])).message).toMatch(/not a JSON value/);
    // Like JSON.stringify, undefined and function members of objects are dropped.
    expect(evalDoc(p, 't.x', { f: () => 1, u: undefined, a: 1 })).toEqual({ a: 1 });
    expect(evalError(() => evalDoc(p, 't.x', { n: Number.NaN })).message).toMatch(/not a JSON number/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(evalError(() => evalDoc(p, 't.x', cyclic)).code).toBe('eval_input_error');
  });

  it('rejects recursion through dynamic data refs at compile time', () => {
    try {
      new RegoProgram([{ path: 'x.rego', source: 'package t\np := data.t[input.k]\n' }], {});
      throw new Error('expected failure');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyCompileError);
      expect((e as PolicyCompileError).errors[0].code).toBe('rego_recursion_error');
    }
  });

  it('handles a deep term built at runtime (walk / comparisons) without crashing', () => {
    const p = compile('package t\neq if input.a == input.b\n');
    let a: unknown = 0;
    let b: unknown = 0;
    for (let i = 0; i < 900; i++) {
      a = [a];
      b = [b];
    }
    expect(evalDoc(p, 't.eq', { a, b })).toBe(true);
  });

  it('keeps bad regular expressions in bounded time (RE2, no backtracking)', () => {
    const p = compile('package t\nm if regex.match(input.re, input.s)\n');
    const s = 'a'.repeat(50_000) + '!';
    expect(evalDoc(p, 't.m', { re: '^(a+)+$', s })).toBeUndefined();
    expect(evalDoc(p, 't.m', { re: '^(a|aa)+!$', s })).toBe(true);
  });
});
