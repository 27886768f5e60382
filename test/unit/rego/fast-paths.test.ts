import RE2 from 're2';
import { globToRegex } from '../../../src/policy/rego/builtins/glob';
import { compile, evalDoc, run } from './helpers';

describe('glob.match literal fast path agrees with the RE2 translation', () => {
  const patterns = ['gpt-*', 'gpt-**', 'ep-9*', 'exact', '', '*', '**', 'a.b*', 'a*b', 'x?', 'pre{a,b}*', 'ünï-*'];
  const subjects = ['gpt-4o', 'gpt-4.1', 'gpt-', 'gpt', 'ep-9', 'ep-91.x', 'exact', 'exactly', '', 'a.b', 'a.bc.d', 'ab', 'x1', 'prea-z', 'ünï-ç', 'line\nbreak', 'gpt-\n'];
  const delimiterSets: (string[] | null)[] = [[], null, ['.'], ['-', '.'], ['\n']];
  it('for every pattern, subject and delimiter set', () => {
    let checked = 0;
    for (const d of delimiterSets) {
      for (const p of patterns) {
        const re = new RE2(globToRegex(p, d === null ? [] : d.length === 0 ? ['.'] : d), 'u');
        for (const s of subjects) {
          const src = `package test\nm := glob.match(input.p, input.d, input.s)`;
          expect({ p, d, s, m: run(src, 'm', { p, d, s }) }).toEqual({ p, d, s, m: re.test(s) });
          checked++;
        }
      }
    }
    expect(checked).toBe(patterns.length * subjects.length * delimiterSets.length);
  });
});

describe('function frames reused between calls', () => {
  it('give the same results across evaluations, after errors and under with', () => {
    const src = `package test
f(x) := y if {
  x > 0
  y := {"v": x, "d": to_number(x) * 2}
} else := "neg"
vals := [f(n) | some n in input.ns]
g(x) := 1 if x == "a"
g(x) := 2 if startswith(x, "a")
conflict := g(input.s)
h(x) := f(x)
under_with := v if { v := h(1) with f as k }
k(x) := x + 100
`;
    expect(run(src, 'vals', { ns: [1, -1, 2] })).toEqual([{ d: 2, v: 1 }, 'neg', { d: 4, v: 2 }]);
    expect(() => run(src, 'conflict', { s: 'a' })).toThrow(/functions must not produce multiple outputs/);
    expect(run(src, 'conflict', { s: 'ab' })).toBe(2);
    expect(run(src, 'under_with')).toBe(101);
    const p = compile(src);
    const ev = (input: unknown, rule: string): unknown => evalDoc(p, `test.${rule}`, input);
    expect(() => ev({ s: 'a' }, 'conflict')).toThrow();
    expect(ev({ s: 'ab' }, 'conflict')).toBe(2);
    expect(ev({ ns: [3] }, 'vals')).toEqual([{ d: 6, v: 3 }]);
    expect(ev({ ns: [-3, 5] }, 'vals')).toEqual(['neg', { d: 10, v: 5 }]);
  });
});

describe('input check', () => {
  it('still reads own members only when Object.prototype carries an enumerable property', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.injected = 'polluted';
    try {
      const src = `package test\nkeys := {k | some k, _ in input.o}\nv := input.o.injected`;
      expect(run(src, 'keys', { o: { a: 1 } })).toEqual(['a']);
      expect(run(src, 'v', { o: { a: 1 } })).toBeUndefined();
    } finally {
      delete proto.injected;
    }
  });
});
