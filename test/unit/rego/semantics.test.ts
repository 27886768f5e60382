import { PolicyEvalError } from '../../../src/policy/engine';
import { compile, evalDoc, run } from './helpers';

describe('Rego semantics', () => {
  it('distinguishes undefined from false and applies defaults', () => {
    const src = 'package test\nallow if input.user == "alice"\ndefault deny := false\nexplicit_false := false\n';
    expect(run(src, 'allow', { user: 'bob' })).toBeUndefined();
    expect(run(src, 'allow', { user: 'alice' })).toBe(true);
    expect(run(src, 'deny')).toBe(false);
    expect(run(src, 'explicit_false')).toBe(false);
    expect(run(src, undefined, { user: 'bob' })).toEqual({ deny: false, explicit_false: false });
  });

  it('builds partial sets and objects, ref heads and nested documents', () => {
    const src = `package test
roles contains r if { some r in input.roles; r != "guest" }
by_name[u.name] := u.age if { some u in input.users }
limits.daily.tokens := 100
limits.monthly[k] := v if { some k, v in {"a": 1} }
`;
    const input = { roles: ['admin', 'guest', 'dev'], users: [{ name: 'a', age: 1 }, { name: 'b', age: 2 }] };
    expect(run(src, undefined, input)).toEqual({
      roles: ['admin', 'dev'],
      by_name: { a: 1, b: 2 },
      limits: { daily: { tokens: 100 }, monthly: { a: 1 } },
    });
  });

  it('unifies and backtracks through arrays and objects', () => {
    const src = `package test
pairs contains [x, y] if { [x, y] = input.items[_]; x < y }
names contains n if { {"name": n, "ok": true} = input.objs[_] }
`;
    const input = { items: [[1, 2], [3, 1], [2, 5]], objs: [{ name: 'a', ok: true }, { name: 'b', ok: false }] };
    expect(run(src, undefined, input)).toEqual({ pairs: [[1, 2], [2, 5]], names: ['a'] });
  });

  it('evaluates else chains and functions (with multiple definitions)', () => {
    const src = `package test
tier(n) := "high" if n > 100
else := "mid" if n > 10
else := "low"
a := tier(500)
b := tier(50)
c := tier(1)
f(x) := 1 if x == "a"
f(x) := 2 if x == "b"
d := [f("a"), f("b")]
`;
    expect(run(src)).toEqual({ a: 'high', b: 'mid', c: 'low', d: [1, 2] });
  });

  it('raises a conflict error for complete rules and functions with different values', () => {
    const p = compile('package test\np := 1 if input.a\np := 2 if input.b\n');
    expect(evalDoc(p, 'test.p', { a: true })).toBe(1);
    expect(() => evalDoc(p, 'test.p', { a: true, b: true })).toThrow(PolicyEvalError);
    try {
      evalDoc(p, 'test.p', { a: true, b: true });
    } catch (e) {
      expect((e as PolicyEvalError).code).toBe('eval_conflict_error');
      expect((e as PolicyEvalError).errors[0].line).toBeGreaterThan(0);
    }
    const obj = compile('package test\no[k] := v if { some k, v in input }\no["a"] := 99\n');
    expect(() => evalDoc(obj, 'test.o', { a: 1 })).toThrow(/object keys must be unique/);
  });

  it('evaluates comprehensions, every, some-in and not', () => {
    const src = `package test
squares := [x * x | some x in input.xs]
evens := {x | some x in input.xs; x % 2 == 0}
index := {k: v | some k, v in input.xs}
all_positive if every x in input.xs { x > 0 }
none_big if not big
big if {
  some x in input.xs
  x > 100
}
`;
    expect(run(src, undefined, { xs: [1, 2, 3] })).toEqual({
      squares: [1, 4, 9], evens: [2], index: { 0: 1, 1: 2, 2: 3 }, all_positive: true, none_big: true,
    });
  });

  it('iterates sets and objects in sorted order, as OPA does', () => {
    expect(run('package test\nks := [k | some k, _ in input]\nvs := [v | some v in {"b", "a", "c"}]\n', undefined, { z: 1, a: 2, m: 3 }))
      .toEqual({ ks: ['a', 'm', 'z'], vs: ['a', 'b', 'c'] });
  });

  it('replaces input, data, functions and builtins with `with`', () => {
    const src = `package test
allow if input.role == "admin"
limit := data.limits.max
double(x) := x * 2
a if allow with input as {"role": "admin"}
b := x if { x := limit with data.limits.max as 7 }
c := x if { x := double(2) with double as triple }
d := x if { x := count([1, 2]) with count as 42 }
e := x if { x := allow with input.role as "admin" }
triple(x) := x * 3
`;
    expect(run(src, undefined, { role: 'dev' }, { limits: { max: 1 } })).toEqual({
      a: true, b: 7, c: 6, d: 42, e: true, limit: 1,
    });
  });

  it('honors strict builtin errors as an option', () => {
    const src = 'package test\nx := 1 / input.d\n';
    expect(run(src, 'x', { d: 0 })).toBeUndefined();
    expect(() => run(src, 'x', { d: 0 }, {}, { strictBuiltinErrors: true })).toThrow(/divide by zero/);
  });

  it('calls the print hook with formatted arguments', () => {
    const lines: string[] = [];
    run('package test\np if { print("user", input.user, input.missing, {1}) }\n', 'p', { user: { id: 1 } }, {}, { print: (m) => lines.push(m) });
    expect(lines).toEqual(['user {"id":1} <undefined> {1}']);
  });

  it('answers ad-hoc queries with bindings and expression values', () => {
    const p = compile('package test\np := [1, 2, 3]\n');
    expect(p.query('x = data.test.p[i]; x > 1').map((r) => r.bindings)).toEqual([{ x: 2, i: 1 }, { x: 3, i: 2 }]);
    expect(p.query('1 == 2')[0].expressions).toEqual([false]);
    expect(p.query('1 = 2')).toEqual([]);
  });

  it('merges base data with virtual documents', () => {
    const p = compile('package config\nextra := 1\n', { config: { base: true } });
    expect(evalDoc(p, 'config')).toEqual({ base: true, extra: 1 });
  });
});

describe('input-independent rules', () => {
  const src = `package test
allowed := {x | some x in data.list}
allow if input.x in allowed
now_allowed := x if { x := allowed with data.list as ["z"] }
stamp := time.now_ns()
`;
  it('are computed once and shared, but not under `with` or when nondeterministic', () => {
    const p = compile(src, { list: ['a', 'b'] });
    expect(p.sharedRules).toBe(2); // allowed, now_allowed (stamp calls a nondeterministic builtin)
    expect(evalDoc(p, 'test.allow', { x: 'a' })).toBe(true);
    expect(evalDoc(p, 'test.allow', { x: 'c' })).toBeUndefined();
    expect(evalDoc(p, 'test.allow', { x: 'b' })).toBe(true);
    expect(evalDoc(p, 'test.now_allowed')).toEqual(['z']);
    expect(evalDoc(p, 'test.allowed')).toEqual(['a', 'b']);
  });
});

describe('function calls within one evaluation', () => {
  it('reuse results for the same argument but still print every call', () => {
    const lines: string[] = [];
    const src = `package test
ok(c) if c.n > 1
loud(c) if { print("check", c.n); c.n > 1 }
a := [c.n | some c in input.cs; ok(c)]
b := [c.n | some c in input.cs; not ok(c)]
d := [c.n | some c in input.cs; loud(c)]
e := [c.n | some c in input.cs; loud(c)]
`;
    const p = compile(src, {}, { print: (m) => lines.push(m) });
    expect(evalDoc(p, 'test', { cs: [{ n: 1 }, { n: 2 }, { n: 3 }] })).toEqual({ a: [2, 3], b: [1], d: [2, 3], e: [2, 3] });
    expect(lines).toHaveLength(6);
    expect(evalDoc(p, 'test.a', { cs: [{ n: 5 }] })).toEqual([5]);
  });
});
