import { PolicyCompileError } from '../../../src/policy/engine';
import { RegoProgram, parseModule, parseQuery, ParseError } from '../../../src/policy/rego';
import { compile } from './helpers';

function parseErr(source: string, regoVersion: 'v1' | 'v0' = 'v1'): ParseError {
  try {
    parseModule('p.rego', source, { regoVersion });
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('Rego parser', () => {
  it('parses v1 rules: if, contains, else, functions, ref heads, every, some-in', () => {
    const m = parseModule('p.rego', `package a.b
import rego.v1
default allow := false
allow if input.x == 1
deny contains msg if { some m in input.msgs; msg := m }
f(x) := y if { y := x + 1 } else := 0
a.b[c] := 1 if { some c in ["k"] }
ok if { every v in [1, 2] { v > 0 } }
`, { regoVersion: 'v1' });
    expect(m.pkg).toEqual(['a', 'b']);
    expect(m.rules.map((r) => r.kind)).toEqual(['single', 'single', 'multi', 'function', 'single', 'single']);
    expect(m.rules[3].elses).toHaveLength(1);
  });

  it('parses v0 syntax: rules without if, p[x] partial sets, future.keywords', () => {
    const m = parseModule('p.rego', `package t
import future.keywords.in
p[x] { x := 1 }
q = 2 { true }
r { 1 in [1] }
`, { regoVersion: 'v0' });
    expect(m.rules.map((r) => r.kind)).toEqual(['multi', 'single', 'single']);
  });

  it('treats a module importing rego.v1 as v1 even in v0 mode', () => {
    const e = parseErr('package t\nimport rego.v1\np { true }\n', 'v0');
    expect(e.detail).toMatch(/`if` keyword is required/);
  });

  it('reports file:line:col for syntax errors', () => {
    const e = parseErr('package t\n\nallow if {\n  x := [1, 2\n}\n');
    expect(e.file).toBe('p.rego');
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/^p\.rego:5:\d+: /);
  });

  it('rejects bad tokens, unterminated strings and unary minus on non-literals', () => {
    expect(parseErr('package t\nx := "abc\n').detail).toMatch(/non-terminated string/);
    expect(parseErr('package t\nx := 1 $ 2\n').detail).toMatch(/unexpected character/);
    expect(parseErr('package t\ny := 1\nx := - y\n').detail).toMatch(/unary - can only be used with numeric literals/);
  });

  it('parses raw strings, escapes, numbers and negative literals', () => {
    const p = compile('package test\na := `c:\\path`\nb := "\\u00e9\\n"\nc := -1.5e2\nd := [1, -2]\n');
    expect(p.evaluateDocument(['test'])).toEqual({ a: 'c:\\path', b: 'é\n', c: -150, d: [1, -2] });
  });

  it('limits nesting depth with a clear error instead of a stack overflow', () => {
    const deep = 'package t\nx := ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    expect(() => compile(deep)).toThrow(PolicyCompileError);
    expect(() => compile(deep)).toThrow(/nested deeper than/);
  });

  it('keeps contains(s, x) a builtin call where contains is a keyword', () => {
    const p = compile('package test\nimport rego.v1\nhas if contains("abc", "b")\nitems contains "x" if has\n');
    expect(p.evaluateDocument(['test', 'has'])).toBe(true);
  });

  it('parses modules with many rules (no nesting-depth leak across rules)', () => {
    let src = 'package test\nimport rego.v1\n';
    for (let i = 0; i < 1500; i++) src += `r${i} if { input.x == ${i}; count([1]) > 0 }\nset${i} := {1 | true}\n`;
    const p = compile(src);
    expect(p.evaluateDocument(['test', 'r77'], { input: { x: 77 } })).toBe(true);
    expect(p.tree.groups).toHaveLength(3000);
  });

  it('parses queries and rejects trailing garbage', () => {
    expect(parseQuery('x = 1; y := 2')).toHaveLength(2);
    expect(() => parseQuery('[1]]')).toThrow(ParseError);
    expect(() => parseQuery('1 2')).toThrow(ParseError);
  });

  it('rejects conflicting rego.v1 / future imports and unknown future keywords', () => {
    expect(parseErr('package t\nimport rego.v1\nimport future.keywords.in\n').detail).toMatch(/shadows previous import/);
    expect(parseErr('package t\nimport future.keywords.nope\n', 'v0').detail).toMatch(/unexpected future keyword/);
  });

  it('reports every broken module at once with its file', () => {
    try {
      new RegoProgram([
        { path: 'a.rego', source: 'package a\nx := \n' },
        { path: 'b.rego', source: 'package b\ny := [\n' },
      ], {});
      throw new Error('expected failure');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyCompileError);
      const errs = (e as PolicyCompileError).errors;
      expect(errs.map((x) => x.file)).toEqual(['a.rego', 'b.rego']);
      expect(errs.every((x) => x.code === 'rego_parse_error' && typeof x.line === 'number')).toBe(true);
    }
  });
});
