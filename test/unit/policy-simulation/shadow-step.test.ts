/**
 * Shadow step: the draft's verdict is computed off the request's path (or when the audit event
 * asks for it), counted, and never alters the live decision; a throwing shadow only records an error.
 */
import { Registry } from 'prom-client';
import { CatalogSnapshot, envSecretResolver } from '../../../src/catalog';
import { demoCatalogSpecs } from '../../../src/providers';
import { loadPolicyModules, prepareRego, readDecision, DECISION_ENTRYPOINT, type PreparedPolicy } from '../../../src/policy';
import { sampleInput } from '../../../src/policy/simulation';
import { scheduleShadow, shadowOutcome } from '../../../src/proxy/shadow-step';

const modules = loadPolicyModules();
const catalog = new CatalogSnapshot(demoCatalogSpecs('http://127.0.0.1:1'), envSecretResolver({}), { connectMs: 1, firstByteMs: 1, totalMs: 1 });
const compile = (workspace: Record<string, unknown>): PreparedPolicy =>
  prepareRego({ modules, data: { gatehouse: { org: {}, workspace } }, entrypoints: [DECISION_ENTRYPOINT] });
const { input } = sampleInput({ model: 'demo-chat', messages: [{ role: 'user', content: 'hello' }] }, catalog, { orgSlug: 'o', workspaceSlug: 'w', userId: null });
const live = readDecision(compile({}).evaluate(DECISION_ENTRYPOINT, input));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function counted(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('gatehouse_policy_shadow_decisions_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.changed), v.value]));
}

test('a deny-all shadow is recorded as changed, the live decision object untouched', async () => {
  const registry = new Registry();
  const ex = {};
  const before = JSON.stringify(live);
  scheduleShadow(ex, { policy: compile({ models: { deny: ['*'] } }), version: 'draft:7', draftId: 7 }, input, live, registry);
  await tick();
  expect(shadowOutcome(ex)).toEqual({ version: 'draft:7', draftId: 7, allow: false, deny: ['model_denied'], changed: true });
  expect(JSON.stringify(live)).toBe(before);
  expect(await counted(registry)).toEqual({ true: 1 });
});

test('an identical shadow is not changed; asked before the scheduled run, it is computed once', async () => {
  const registry = new Registry();
  const ex = {};
  scheduleShadow(ex, { policy: compile({}), version: 'draft:8', draftId: 8 }, input, live, registry);
  expect(shadowOutcome(ex)).toMatchObject({ allow: true, deny: [], changed: false });
  await tick();
  expect(await counted(registry)).toEqual({ false: 1 });
});

test('a shadow policy that throws records an error and never throws itself', async () => {
  const registry = new Registry();
  const ex = {};
  const throwing: PreparedPolicy = { backend: 'rego', entrypoints: [DECISION_ENTRYPOINT], evaluate() { throw new Error('boom'); } };
  expect(() => scheduleShadow(ex, { policy: throwing, version: 'draft:9', draftId: 9 }, input, live, registry)).not.toThrow();
  await tick();
  expect(shadowOutcome(ex)).toMatchObject({ allow: false, changed: true, error: expect.stringContaining('boom') });
  expect(await counted(registry)).toEqual({ error: 1 });
});

test('without a shadow nothing is scheduled', () => {
  const ex = {};
  scheduleShadow(ex, undefined, input, live);
  expect(shadowOutcome(ex)).toBeUndefined();
});
