/**
 * The decision cache: keyed on what the policy's modules can read of the input and on the compiled
 * policy object, so a decision is reused only where re-evaluating would give the same answer.
 */
import { CatalogSnapshot, envSecretResolver } from '../../../src/catalog';
import { demoCatalogSpecs } from '../../../src/providers';
import {
  buildPolicyInput, decide, decisionCacheStats, inputReads, loadPolicyModules, prepareRego, readDecision, DECISION_ENTRYPOINT,
  type PolicyInput, type PreparedPolicy,
} from '../../../src/policy';
import { parseModule } from '../../../src/policy/rego';

const modules = loadPolicyModules();
const catalog = new CatalogSnapshot(demoCatalogSpecs('http://127.0.0.1:1'), envSecretResolver({}), { connectMs: 1, firstByteMs: 1, totalMs: 1 });
const routes = catalog.routesFor('demo-chat');

/** As the gateway compiles a workspace's policy (trusted input); extra modules are custom packages gateway.custom.<name>. */
const compile = (workspace: Record<string, unknown> = {}, extra: { path: string; source: string }[] = []): PreparedPolicy => {
  const customPackages = extra.map((m) => /package gateway\.custom\.(\w+)/.exec(m.source)![1]);
  return prepareRego({
    modules: [...modules, ...extra], data: { gatehouse: { org: {}, workspace, custom_packages: customPackages } },
    entrypoints: [DECISION_ENTRYPOINT], trustInput: true,
  });
};

function inputFor(over: { model?: string; maxTokens?: number | null; headers?: Record<string, string>; pii?: Record<string, number>; user?: string } = {}): PolicyInput {
  return buildPolicyInput(
    { org: 'o', workspace: 'w', key_id: 'k-' + (over.user ?? '1'), user_id: over.user ?? null, roles: [], groups: [] },
    { endpoint: 'chat.completions', model: over.model ?? 'demo-chat', stream: false, max_tokens: over.maxTokens ?? null, headers: over.headers ?? {} },
    over.pii ?? {}, routes,
  );
}

const reads = (source: string) => inputReads([parseModule('t.rego', source, { regoVersion: 'v1' })]);

describe('inputReads', () => {
  test('the built-in policy reads candidates, request model/max_tokens/headers and PII counts — not time, principal or spend', () => {
    const policy = compile() as unknown as { program: { modules: Parameters<typeof inputReads>[0] } };
    expect(inputReads(policy.program.modules)).toEqual({
      cacheable: true,
      paths: [['candidates'], ['pii', 'input'], ['request', 'headers'], ['request', 'max_tokens'], ['request', 'model']],
    });
  });

  test('refs read their constant prefix; a bare or dynamically indexed input reads everything', () => {
    expect(reads('package t\np if input.a.b[x] == 1\nq if input.a.c == 2')).toEqual({ cacheable: true, paths: [['a', 'b'], ['a', 'c']] });
    expect(reads('package t\np if input.a.b\nq if input.a == 2')).toEqual({ cacheable: true, paths: [['a']] });
    expect(reads('package t\np if walk(input, _)')).toEqual({ cacheable: true, paths: [[]] });
    expect(reads('package t\np if input[x] == 1')).toEqual({ cacheable: true, paths: [[]] });
    expect(reads('package t\np := [x | some x in input.list]')).toEqual({ cacheable: true, paths: [['list']] });
  });

  test('imports of input read the imported subtree', () => {
    expect(reads('package t\nimport input.request as r\np if r.model == "x"')).toEqual({ cacheable: true, paths: [['request']] });
    expect(reads('package t\nimport input\np if input.a')).toEqual({ cacheable: true, paths: [[]] });
  });

  test('object.get(input, keys) reads that path, unless object is an imported name', () => {
    expect(reads('package t\np := object.get(input, ["a", "b"], 0)')).toEqual({ cacheable: true, paths: [['a', 'b']] });
    expect(reads('package t\np := object.get(input.a, "b", 0)')).toEqual({ cacheable: true, paths: [['a', 'b']] });
    expect(reads('package t\np := object.get(input, k, 0) if k := "a"')).toEqual({ cacheable: true, paths: [[]] });
    expect(reads('package t\nimport data.lib as object\np := object.get(input, "a", 0)')).toEqual({ cacheable: true, paths: [[]] });
  });

  test('non-deterministic or side-effecting builtins make a policy uncacheable', () => {
    expect(reads('package t\np if time.now_ns() > 0')).toEqual({ cacheable: false, reason: 'calls time.now_ns' });
    expect(reads('package t\np := rand.intn("x", 10)')).toMatchObject({ cacheable: false });
    expect(reads('package t\np := uuid.rfc4122("x")')).toMatchObject({ cacheable: false });
    expect(reads('package t\np if { print("x") }')).toMatchObject({ cacheable: false });
  });
});

describe('decide', () => {
  test('inputs differing only in what the policy does not read share one evaluation', () => {
    const policy = compile();
    const evaluate = jest.spyOn(policy, 'evaluate');
    const first = decide(policy, DECISION_ENTRYPOINT, inputFor({ user: 'alice' }));
    const later = inputFor({ user: 'bob' });
    later.time.now_ns += 5e9;
    const second = decide(policy, DECISION_ENTRYPOINT, later);
    expect(second).toBe(first);
    expect(evaluate).toHaveBeenCalledTimes(1);
    expect(decisionCacheStats(policy)).toEqual({ hits: 1, misses: 1, uncached: 0, entries: 1 });
    expect(first).toEqual(readDecision(policy.evaluate(DECISION_ENTRYPOINT, inputFor())));
  });

  test('a different value in anything the policy reads is evaluated afresh', () => {
    const policy = compile({ models: { deny: ['demo-e*'] }, limits: { max_tokens: 100 }, pii: { input: { EMAIL_ADDRESS: 'block' } } });
    const evaluate = jest.spyOn(policy, 'evaluate');
    const variants = [
      inputFor(), inputFor({ model: 'demo-echo' }), inputFor({ maxTokens: 500 }), inputFor({ pii: { EMAIL_ADDRESS: 1 } }),
      inputFor({ headers: { 'x-gatehouse-purpose': 'support' } }),
    ];
    const decisions = variants.map((i) => decide(policy, DECISION_ENTRYPOINT, i));
    expect(evaluate).toHaveBeenCalledTimes(variants.length);
    for (const [i, input] of variants.entries()) {
      expect(decisions[i]).toEqual(readDecision(policy.evaluate(DECISION_ENTRYPOINT, input)));
    }
    expect(decisions[0].allow).toBe(true);
    expect(decisions[1].deny.map((d) => d.code)).toContain('model_denied');
  });

  test('over many mixed inputs, every cached answer equals a fresh evaluation', () => {
    const data = {
      models: { deny: ['demo-e*'] }, limits: { max_tokens: 300 }, pii: { input: { EMAIL_ADDRESS: 'block', PERSON: 'mask' } },
      metadata: { required: [{ header: 'x-gatehouse-purpose', models: ['demo-chat'] }] },
    };
    const policy = compile(data);
    const fresh = compile(data);
    const decisions: string[] = [];
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2147483648) % xs.length];
    for (let i = 0; i < 300; i++) {
      const input = inputFor({
        model: pick(['demo-chat', 'demo-echo']), maxTokens: pick([null, 10, 299, 300, 301]), user: pick(['a', 'b', 'c']),
        headers: pick<Record<string, string>>([{}, { 'x-gatehouse-purpose': 'x' }, { 'x-gatehouse-purpose': '' }, { 'x-gatehouse-team': 'y' }]),
        pii: pick<Record<string, number>>([{}, { EMAIL_ADDRESS: 1 }, { PERSON: 2 }, { PERSON: 1, EMAIL_ADDRESS: 3 }]),
      });
      const d = decide(policy, DECISION_ENTRYPOINT, input);
      expect(d).toEqual(readDecision(fresh.evaluate(DECISION_ENTRYPOINT, input)));
      decisions.push(JSON.stringify(d));
    }
    expect(decisionCacheStats(policy).hits).toBeGreaterThan(100);
    expect(new Set(decisions).size).toBeGreaterThan(3);
  });

  test('a new compiled policy (a published version) never answers from the old one\'s entries', () => {
    const before = compile();
    const after = compile({ models: { deny: ['*'] } });
    const input = inputFor();
    expect(decide(before, DECISION_ENTRYPOINT, input).allow).toBe(true);
    expect(decide(after, DECISION_ENTRYPOINT, input).allow).toBe(false);
    expect(decisionCacheStats(after)).toMatchObject({ hits: 0, misses: 1 });
  });

  test('an input object changed in place after a decision is keyed by its new content', () => {
    const policy = compile({ models: { deny: ['demo-echo'] } });
    const input = inputFor();
    expect(decide(policy, DECISION_ENTRYPOINT, input).allow).toBe(true);
    input.request.model = 'demo-echo';
    expect(decide(policy, DECISION_ENTRYPOINT, input).allow).toBe(false);
  });

  test('cached decisions are frozen: nobody can alter what the next request gets', () => {
    const policy = compile();
    const decision = decide(policy, DECISION_ENTRYPOINT, inputFor());
    expect(Object.isFrozen(decision) && Object.isFrozen(decision.deny) && Object.isFrozen(decision.piiActions)).toBe(true);
    expect(() => { (decision as { allow: boolean }).allow = false; }).toThrow(TypeError);
  });

  test('inputs the key cannot represent faithfully are evaluated every time', () => {
    const policy = compile();
    const evaluate = jest.spyOn(policy, 'evaluate');
    const odd = inputFor();
    (odd.request as { max_tokens: number | null }).max_tokens = Number.NaN;
    decide(policy, DECISION_ENTRYPOINT, odd);
    decide(policy, DECISION_ENTRYPOINT, odd);
    const undef = inputFor({ headers: { 'x-gatehouse-a': undefined as unknown as string } });
    decide(policy, DECISION_ENTRYPOINT, undef);
    expect(evaluate).toHaveBeenCalledTimes(3);
    expect(decisionCacheStats(policy)).toMatchObject({ hits: 0, uncached: 3 });
  });

  test('a policy reading input.time is keyed on it; one calling time.now_ns() is never cached', () => {
    const byTime = compile({}, [{ path: 'custom/t.rego', source: 'package gateway.custom.t\ndeny contains "late" if input.time.now_ns > 10' }]);
    const a = inputFor();
    const b = inputFor();
    b.time.now_ns = a.time.now_ns + 1e9;
    decide(byTime, DECISION_ENTRYPOINT, a);
    decide(byTime, DECISION_ENTRYPOINT, b);
    expect(decisionCacheStats(byTime)).toMatchObject({ hits: 0, misses: 2 });

    const clock = compile({}, [{ path: 'custom/c.rego', source: 'package gateway.custom.c\ndeny contains "x" if time.now_ns() < 0' }]);
    decide(clock, DECISION_ENTRYPOINT, a);
    decide(clock, DECISION_ENTRYPOINT, a);
    expect(decisionCacheStats(clock)).toEqual({ hits: 0, misses: 0, uncached: 2, entries: 0 });
  });

  test('policies without Rego modules (e.g. wasm) are evaluated every time', () => {
    const inner = compile();
    let calls = 0;
    const opaque: PreparedPolicy = { backend: 'wasm', entrypoints: [DECISION_ENTRYPOINT], evaluate: (e, i) => { calls++; return inner.evaluate(e, i); } };
    decide(opaque, DECISION_ENTRYPOINT, inputFor());
    decide(opaque, DECISION_ENTRYPOINT, inputFor());
    expect(calls).toBe(2);
  });

  test('evaluation errors are not cached', () => {
    const policy = compile();
    const conflicting = compile({}, [{ path: 'custom/f.rego', source: 'package gateway.custom.f\nv := 1 if input.request.model\nv := 2 if input.request.model\ndeny contains "x" if v == 1' }]);
    expect(decide(policy, DECISION_ENTRYPOINT, inputFor()).allow).toBe(true);
    expect(() => decide(conflicting, DECISION_ENTRYPOINT, inputFor())).toThrow();
    expect(() => decide(conflicting, DECISION_ENTRYPOINT, inputFor())).toThrow();
    expect(decisionCacheStats(conflicting)).toMatchObject({ hits: 0, entries: 0 });
  });
});
