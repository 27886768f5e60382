/**
 * Simulation core on the real built-in policy (policies/gateway) and the demo catalog: inputs
 * built like the gateway's, decisions summarised as the gateway would enforce them, changes listed.
 */
import { CatalogSnapshot, envSecretResolver } from '../../../src/catalog';
import { GatewayError } from '../../../src/http';
import { demoCatalogSpecs } from '../../../src/providers';
import { loadPolicyModules, prepareRego, DECISION_ENTRYPOINT, type PreparedPolicy } from '../../../src/policy';
import {
  compareSummaries, evaluateSummary, replayInput, runSimulation, sampleInput, SYNTHETIC_KEY_ID, type PolicyPair,
} from '../../../src/policy/simulation';

const modules = loadPolicyModules();
const catalog = new CatalogSnapshot(demoCatalogSpecs('http://127.0.0.1:1'), envSecretResolver({}), { connectMs: 1, firstByteMs: 1, totalMs: 1 });
const principal = { orgSlug: 'acme', workspaceSlug: 'team', userId: null };

const compile = (workspace: Record<string, unknown>, org: Record<string, unknown> = {}): PreparedPolicy =>
  prepareRego({ modules, data: { gatehouse: { org, workspace } }, entrypoints: [DECISION_ENTRYPOINT] });

function badRequestOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected a 400');
}

describe('sample requests', () => {
  test('build the gateway input: PII counts from the scan, catalog candidates, x-gatehouse-* headers, a synthetic key', () => {
    const { input, route, model } = sampleInput({
      model: 'demo-chat', messages: [{ role: 'user', content: 'mail jane@example.com or bob@example.org' }], max_tokens: 50,
      headers: { 'X-Gatehouse-Purpose': 'support', authorization: 'Bearer secret' },
    }, catalog, principal);
    expect(route).toBe('chat.completions');
    expect(model).toBe('demo-chat');
    expect(input.principal).toEqual({ org: 'acme', workspace: 'team', key_id: SYNTHETIC_KEY_ID, user_id: null, roles: [], groups: [] });
    expect(input.request).toEqual({ endpoint: 'chat.completions', model: 'demo-chat', stream: false, max_tokens: 50, headers: { 'x-gatehouse-purpose': 'support' } });
    expect(input.pii.input).toEqual({ EMAIL_ADDRESS: 2 });
    expect(input.candidates.map((c) => c.id).sort()).toEqual(['mock-cn', 'mock-eu', 'mock-us']);
  });

  test('embeddings bodies are recognised by `input`', () => {
    const { input, route } = sampleInput({ model: 'demo-embed', input: ['call +1 415 555 0100'] }, catalog, principal);
    expect(route).toBe('embeddings');
    expect(input.request.stream).toBe(false);
    expect(input.candidates.length).toBeGreaterThan(0);
  });

  test('bad input is a 400 naming the parameter under request.', () => {
    expect(badRequestOf(() => sampleInput({ model: 'demo-chat', messages: [] }, catalog, principal)).param).toBe('request.messages');
    expect(badRequestOf(() => sampleInput({ model: 'demo-chat', messages: [{ role: 'user', content: 5 }] }, catalog, principal)).param)
      .toBe('request.messages[0].content');
    expect(badRequestOf(() => sampleInput({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }, catalog, principal)).param).toBe('request.model');
    expect(badRequestOf(() => sampleInput({ model: 'demo-embed', messages: [{ role: 'user', content: 'x' }] }, catalog, principal)).code).toBe('model_not_supported');
    expect(badRequestOf(() => sampleInput({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }], headers: { a: 1 } }, catalog, principal)).param)
      .toBe('request.headers.a');
  });
});

describe('decisions side by side', () => {
  const sample = sampleInput({ model: 'demo-chat', messages: [{ role: 'user', content: 'mail jane@example.com' }] }, catalog, principal).input;

  test('a draft that tokenizes e-mails and requires zero data retention changes actions and endpoints, not allow', () => {
    const published = evaluateSummary(compile({}), sample);
    const draft = evaluateSummary(compile({ pii: { input: { EMAIL_ADDRESS: 'tokenize' } }, providers: { require_zdr: true } }), sample);
    expect(published.allow).toBe(true);
    expect(draft).toMatchObject({ allow: true, allowed_endpoints: ['mock-eu'] });
    expect(draft.pii_actions.EMAIL_ADDRESS).toBe('tokenize');
    expect(compareSummaries(published, draft)).toEqual(['pii_actions', 'allowed_endpoints']);
    expect(compareSummaries(published, published)).toEqual([]);
  });

  test('a blocked PII type is a denial with its code', () => {
    const draft = evaluateSummary(compile({ pii: { input: { EMAIL_ADDRESS: 'block' } } }), sample);
    expect(draft.allow).toBe(false);
    expect(draft.deny.map((d) => d.code)).toContain('pii_blocked');
  });

  test('a policy that cannot decide fails closed with policy_error', () => {
    const broken = prepareRego({ modules: [{ path: 'x.rego', source: 'package gateway\n\ndecision := 1 / 0\n' }], data: {}, entrypoints: [DECISION_ENTRYPOINT] });
    const out = evaluateSummary(broken, sample);
    expect(out.allow).toBe(false);
    expect(out.deny[0].code).toBe('policy_error');
  });
});

describe('replay and the run', () => {
  const event = {
    id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', time: '2025-01-02T03:04:05.000Z', workspace: '00000000-0000-4000-8000-000000000001',
    actor: { type: 'api_key', id: 'key-1' },
    decision: { allow: true, policyVersion: 'default@x/org:v0/ws:v1', rules: [] },
    request: { route: 'chat.completions', model: 'demo-chat', stream: true },
    pii: { EMAIL_ADDRESS: 1, 'output.PHONE_NUMBER': 2 },
  };
  const dir = { orgSlug: 'acme', workspaceSlugs: new Map([[event.workspace, 'team']]), keyUsers: new Map([['key-1', 'user-1']]) };

  test('an event becomes the input it recorded: input PII counts only, no headers, the time of the request', () => {
    const r = replayInput(event, catalog, dir)!;
    expect(r.input.principal).toMatchObject({ workspace: 'team', key_id: 'key-1', user_id: 'user-1' });
    expect(r.input.request).toEqual({ endpoint: 'chat.completions', model: 'demo-chat', stream: true, max_tokens: null, headers: {} });
    expect(r.input.pii.input).toEqual({ EMAIL_ADDRESS: 1 });
    expect(r.input.time.now_ns).toBe(Date.parse(event.time) * 1e6);
    expect(r.notes).toEqual([]);
    expect(replayInput({ ...event, decision: undefined }, catalog, dir)).toBeNull();
    expect(replayInput({ ...event, request: { model: 'gone-model' } }, catalog, dir)!.notes[0]).toMatch(/no longer serves/);
  });

  test('each workspace pair is compiled once, however many events', async () => {
    let builds = 0;
    const pairFor = async (): Promise<PolicyPair> => {
      builds += 1;
      return { published: compile({}), draft: compile({ models: { deny: ['demo-chat'] } }), publishedVersion: 'v-test' };
    };
    const replayed = [replayInput(event, catalog, dir)!, replayInput({ ...event, id: 'e2', request: { model: 'demo-echo' } }, catalog, dir)!];
    const report = await runSimulation({ pairFor, replay: replayed, sample: { input: sampleInput({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }, catalog, principal), workspaceId: event.workspace } });
    expect(builds).toBe(1);
    expect(report.total).toBe(3);
    expect(report.changed).toBe(2);
    expect(report.results.map((r) => [r.source, r.request.model, r.changed])).toEqual([
      ['sample', 'demo-chat', true], ['audit', 'demo-chat', true], ['audit', 'demo-echo', false],
    ]);
    expect(report.results[1].draft.deny.map((d) => d.code)).toEqual(['model_denied']);
    expect(report.results[1].recorded).toEqual({ allow: true, policy_version: 'default@x/org:v0/ws:v1' });
  });
});
