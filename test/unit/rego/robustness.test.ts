/**
 * Bad input in bulk: mutated policy sources and odd inputs must give a result or a clear
 * PolicyCompileError / PolicyEvalError, never another exception (deterministic pseudo-random).
 */
import { PolicyCompileError, PolicyEvalError } from '../../../src/policy/engine';
import { prepareRego } from '../../../src/policy/rego';
import { BENCH_DATA, BENCH_INPUT, BENCH_POLICY } from '../../bench/rego-fixture';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('robustness', () => {
  it('never crashes on mutated policy sources', () => {
    const rnd = rng(42);
    const alphabet = '{}[]()|&:=;,."`x_ 1\n-+*/%<>!#\\';
    const outcomes = { compiled: 0, rejected: 0 };
    for (let i = 0; i < 300; i++) {
      let s = BENCH_POLICY;
      for (let k = 0; k < 3; k++) {
        const pos = Math.floor(rnd() * s.length);
        s = rnd() < 0.5 ? s.slice(0, pos) + s.slice(pos + 1 + Math.floor(rnd() * 4)) : s.slice(0, pos) + alphabet[Math.floor(rnd() * alphabet.length)] + s.slice(pos);
      }
      try {
        const p = prepareRego({ modules: [{ path: 'm.rego', source: s }], data: BENCH_DATA, limits: { timeoutMs: 500 } });
        outcomes.compiled++;
        try {
          p.evaluate('bench/gateway/decision', BENCH_INPUT);
        } catch (e) {
          if (!(e instanceof PolicyEvalError)) throw e;
        }
      } catch (e) {
        if (!(e instanceof PolicyCompileError)) throw e;
        outcomes.rejected++;
      }
    }
    expect(outcomes.compiled + outcomes.rejected).toBe(300);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });

  it('evaluates inputs of unexpected shapes without throwing anything but PolicyEvalError', () => {
    const p = prepareRego({ modules: [{ path: 'b.rego', source: BENCH_POLICY }], data: BENCH_DATA });
    const rnd = rng(7);
    const atoms: unknown[] = [null, true, 0, -1, 1.5, '', 'x', [], {}, [null], { a: 1 }, 'model-7'];
    const value = (d: number): unknown => {
      const r = rnd();
      if (d > 3 || r < 0.5) return atoms[Math.floor(rnd() * atoms.length)];
      if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(d + 1));
      const o: Record<string, unknown> = {};
      for (const k of ['id', 'provider', 'region', 'zdr', 'certifications', 'model', 'roles', 'counts', 'caps', 'hour']) if (rnd() < 0.4) o[k] = value(d + 1);
      return o;
    };
    for (let i = 0; i < 500; i++) {
      const input = { principal: value(0), request: value(0), pii: value(0), spend: value(0), time: value(0), candidates: value(0) };
      try {
        p.evaluate('bench/gateway/decision', input);
      } catch (e) {
        if (!(e instanceof PolicyEvalError)) throw e;
      }
    }
  });
});
