import RE2 from 're2';
import { globToRegex } from '../../../src/policy/rego/builtins/glob';
import { run } from './helpers';

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
