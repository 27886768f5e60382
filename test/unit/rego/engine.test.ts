import { PolicyCompileError, PolicyEvalError, createRegoEngine, prepareRego } from '../../../src/policy';

const POLICY = `package gateway
import rego.v1

default allow := false
allow if count(deny) == 0
deny contains {"code": "model", "message": sprintf("model %s not allowed", [input.model])} if not input.model in data.models
endpoints := {e | some e in input.candidates; e != "down"}
decision := {"allow": allow, "deny": deny, "endpoints": endpoints}
`;

describe('PolicyEngine (rego backend)', () => {
  it('prepares once and evaluates entrypoints in slash, dotted and data. forms, returning plain JSON', () => {
    const p = prepareRego({ modules: [{ path: 'g.rego', source: POLICY }], data: { models: ['gpt-4o'] }, entrypoints: ['gateway/decision'] });
    expect(p.backend).toBe('rego');
    const ok = p.evaluate('gateway/decision', { model: 'gpt-4o', candidates: ['b', 'a', 'down'] });
    expect(ok).toEqual({ allow: true, deny: [], endpoints: ['a', 'b'] });
    expect(JSON.parse(JSON.stringify(ok))).toEqual(ok);
    const denied = p.evaluate('gateway.decision', { model: 'x', candidates: [] }) as { allow: boolean; deny: unknown[] };
    expect(denied.allow).toBe(false);
    expect(denied.deny).toEqual([{ code: 'model', message: 'model x not allowed' }]);
    expect(() => p.evaluate('gateway/other', {})).toThrow(/unknown entrypoint/);
  });

  it('returns undefined for undefined documents', () => {
    const p = prepareRego({ modules: [{ path: 'g.rego', source: 'package a\nx if input.y\n' }] });
    expect(p.evaluate('data.a.x', {})).toBeUndefined();
    expect(p.evaluate('a/x', { y: true })).toBe(true);
  });

  it('supports v0 modules and the async engine interface', async () => {
    const engine = createRegoEngine();
    const p = await engine.prepare({ modules: [{ path: 'a.rego', source: 'package a\np[x] { x := input[_] }\n' }], regoVersion: 'v0' });
    expect(p.evaluate('a/p', [3, 1])).toEqual([1, 3]);
  });

  it('fails prepare with PolicyCompileError carrying locations', () => {
    try {
      prepareRego({ modules: [{ path: 'bad.rego', source: 'package a\np if {\n  x > 1\n}\n' }] });
      throw new Error('expected failure');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyCompileError);
      expect((e as PolicyCompileError).errors[0]).toMatchObject({ file: 'bad.rego', line: 3, code: 'rego_unsafe_var_error' });
    }
  });

  it('throws PolicyEvalError with a code for evaluation failures', () => {
    const p = prepareRego({ modules: [{ path: 'a.rego', source: 'package a\nx := 1 if input.a\nx := 2 if input.b\n' }] });
    try {
      p.evaluate('a/x', { a: true, b: true });
      throw new Error('expected failure');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyEvalError);
      expect((e as PolicyEvalError).code).toBe('eval_conflict_error');
    }
  });
});
