import { PolicyCompileError, PolicyError } from '../../../src/policy/engine';
import { RegoProgram } from '../../../src/policy/rego';
import { compile } from './helpers';

function errors(source: string, regoVersion: 'v1' | 'v0' = 'v1'): PolicyError[] {
  try {
    compile(source, {}, { regoVersion });
  } catch (e) {
    if (e instanceof PolicyCompileError) return [...e.errors];
    throw e;
  }
  throw new Error('expected a compile error');
}

describe('Rego compiler checks', () => {
  it('reports unsafe variables with their location', () => {
    const [e] = errors('package t\np if {\n  x > 1\n}\n');
    expect(e.code).toBe('rego_unsafe_var_error');
    expect(e.message).toMatch(/var x is unsafe/);
    expect(e.line).toBe(3);
    expect(errors('package t\np contains x if { true }\n')[0].code).toBe('rego_unsafe_var_error');
    expect(errors('package t\np if { not q[x] }\nq contains 1\n')[0].message).toMatch(/var x is unsafe/);
  });

  it('reorders expressions for safety as OPA does', () => {
    const p = compile('package t\np := x if {\n  x > 1\n  x = 5\n}\n');
    expect(p.evaluateDocument(['t', 'p'])).toBe(5);
  });

  it('detects recursion between rules and functions', () => {
    const [e] = errors('package t\np if q\nq if p\n');
    expect(e.code).toBe('rego_recursion_error');
    expect(e.message).toMatch(/data\.t\.p -> data\.t\.q -> data\.t\.p|data\.t\.q -> data\.t\.p -> data\.t\.q/);
    expect(errors('package t\nf(x) := f(x)\n')[0].code).toBe('rego_recursion_error');
  });

  it('rejects unknown functions and wrong arity', () => {
    expect(errors('package t\np if nosuch.fn(1)\n')[0].message).toMatch(/undefined function nosuch\.fn/);
    expect(errors('package t\np := count(1, 2, 3)\n')[0].message).toMatch(/arity mismatch/);
    expect(errors('package t\nf(x) := x\np := f(1, 2, 3)\n')[0].message).toMatch(/arity mismatch/);
  });

  it('rejects conflicting rule kinds, multiple defaults and functions used as values', () => {
    expect(errors('package t\np := 1\np contains 2\n')[0].message).toMatch(/conflicting rules data\.t\.p/);
    expect(errors('package t\nf(x) := 1\nf(x, y) := 2\n')[0].message).toMatch(/conflicting rules/);
    expect(errors('package t\ndefault p := 1\ndefault p := 2\n')[0].message).toMatch(/multiple default rules/);
    expect(errors('package t\nf(x) := x\np := f\n')[0].message).toMatch(/used as a value/);
    expect(errors('package t\np := 1\np.q := 2\n')[0].message).toMatch(/conflicts with/);
  });

  it('rejects re-assignment, shadowing after use and non-constant defaults', () => {
    expect(errors('package t\np if { x := 1; x := 2 }\n')[0].message).toMatch(/assigned above/);
    expect(errors('package t\np if { x == 1; some x in [1] }\n')[0].message).toMatch(/referenced above/);
    expect(errors('package t\ndefault p := input.x\n')[0].message).toMatch(/default value/);
    expect(errors('package t\np if { input := 1 }\n')[0].message).toMatch(/input cannot be shadowed/);
  });

  it('rejects statically mismatched destructuring', () => {
    expect(errors('package t\np if { [a, b] = [1, 2, 3] }\n')[0].message).toMatch(/mismatch in number of array elements/);
    expect(errors('package t\np if { {"a": x} = {"b": 1} }\n')[0].message).toMatch(/object keys mismatch/);
  });

  it('rejects deprecated builtins in v1 only', () => {
    expect(errors('package t\np if any([true])\n')[0].message).toMatch(/deprecated/);
  });

  it('compiles to closures once: a prepared program evaluates many inputs without recompiling', () => {
    const p = new RegoProgram([{ path: 'x.rego', source: 'package t\nallow if input.n > 1\n' }], {});
    for (let n = 0; n < 100; n++) expect(p.evaluateDocument(['t', 'allow'], { input: { n } })).toBe(n > 1 ? true : undefined);
  });
});
