import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PolicyEvalError,
  PolicyCompileError,
  createWasmEngine,
  loadWasmBundle,
  type PolicyEngine,
  type PrepareSpec,
  type WasmPreparedPolicy,
} from '../../../src/policy';
import { ALLOWED_DATA, gatewayBundle, policyWasm } from './bundle-helpers';

function evalErrorOf(fn: () => unknown): PolicyEvalError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyEvalError);
    return err as PolicyEvalError;
  }
  throw new Error('expected a PolicyEvalError');
}

// Minor 1 drives the SDK's eval-context path, minor 2 its one-call opa_eval fast path.
describe.each([1, 2])('wasm bundle evaluation (ABI 1.%i)', (abiMinor) => {
  let policy: WasmPreparedPolicy;

  beforeAll(async () => {
    policy = await loadWasmBundle({ kind: 'bytes', bytes: await gatewayBundle({ abiMinor }) });
  });

  it('exposes backend, entrypoints and the bundle revision', () => {
    expect(policy.backend).toBe('wasm');
    expect(policy.entrypoints).toEqual(['gateway/allow', 'gateway/decision', 'gateway/boom', 'gateway/trap', 'gateway/shout']);
    expect(policy.revision).toBe('rev-2024-06-01');
    expect(policy.info).toMatchObject({
      roots: ['gateway'],
      metadata: { built_by: 'test' },
      modules: ['/policy.wasm'],
      regoFiles: ['/policies/gateway.rego'],
      signed: false,
    });
  });

  it('evaluates the policy against the bundle data', () => {
    expect(policy.evaluate('gateway/allow', { model: 'claude-3-5-sonnet' })).toBe(true);
    expect(policy.evaluate('gateway/allow', { model: 'gpt-3.5' })).toBe(false);
    expect(policy.evaluate('gateway/decision', { user: { id: 'u1', tags: ['a', '}'] }, model: 'mistral-large' })).toEqual({
      allow: true,
      model: 'mistral-large',
    });
    expect(policy.evaluate('gateway/decision', { model: 'unknown' })).toEqual({ allow: false, model: 'unknown' });
  });

  it('returns undefined when the document is undefined', () => {
    expect(policy.evaluate('gateway/decision', { other: 1 })).toBeUndefined();
    expect(policy.evaluate('gateway/decision', undefined)).toBeUndefined();
  });

  it('passes falsy inputs as input documents, not as "no input"', () => {
    expect(policy.evaluate('gateway/allow', false)).toBe(false);
    expect(policy.evaluate('gateway/allow', 0)).toBe(false);
    expect(policy.evaluate('gateway/allow', null)).toBe(false);
    expect(policy.evaluate('gateway/decision', '')).toBeUndefined();
  });

  it('accepts slash, dotted and data-prefixed entrypoint names', () => {
    const input = { model: 'gpt-4o-mini' };
    for (const name of ['gateway/allow', 'gateway.allow', 'data.gateway.allow', '/gateway/allow']) {
      expect(policy.evaluate(name, input)).toBe(true);
    }
  });

  it('rejects an unknown entrypoint with the list of known ones', () => {
    const err = evalErrorOf(() => policy.evaluate('gateway/nope', {}));
    expect(err.code).toBe('eval_entrypoint_error');
    expect(err.message).toContain('gateway/decision');
  });

  it('maps opa_abort runtime errors to PolicyEvalError with the location', () => {
    const err = evalErrorOf(() => policy.evaluate('gateway/boom', { model: 'x' }));
    expect(err.code).toBe('eval_conflict_error');
    expect(err.errors[0]).toMatchObject({ file: 'policy.rego', line: 7, col: 5 });
    expect(err.message).toContain('var assignment conflict');
  });

  it('maps traps to PolicyEvalError and keeps serving afterwards', () => {
    const err = evalErrorOf(() => policy.evaluate('gateway/trap', { model: 'x' }));
    expect(err.code).toBe('wasm_trap');
    expect(err.message).toContain('unreachable');
    expect(policy.evaluate('gateway/allow', { model: 'gpt-4o-mini' })).toBe(true);
  });

  it('rejects inputs that are not JSON', () => {
    expect(evalErrorOf(() => policy.evaluate('gateway/allow', { n: 10n })).code).toBe('eval_input_error');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(evalErrorOf(() => policy.evaluate('gateway/allow', cyclic)).code).toBe('eval_input_error');
    expect(evalErrorOf(() => policy.evaluate('gateway/allow', () => 1)).code).toBe('eval_input_error');
  });

  it('fails deeply nested input with a clear error and recovers', () => {
    // 600 levels: serialisable, but deeper than the module's parser accepts (it aborts);
    // 200,000 levels: too deep to serialise at all.
    for (const depth of [600, 200_000]) {
      let deep: unknown = 'leaf';
      for (let i = 0; i < depth; i++) deep = [deep];
      const err = evalErrorOf(() => policy.evaluate('gateway/allow', { model: 'gpt-4o-mini', deep }));
      expect(err.message.length).toBeGreaterThan(0);
      expect(policy.evaluate('gateway/allow', { model: 'gpt-4o-mini' })).toBe(true);
    }
  });

  it('evaluates many times without growing memory unboundedly', () => {
    const input = { model: 'claude-3-5-sonnet', padding: 'x'.repeat(10_000) };
    for (let i = 0; i < 2000; i++) expect(policy.evaluate('gateway/allow', input)).toBe(true);
  });
});

describe('wasm input and memory limits', () => {
  it('rejects input above maxInputBytes before touching the instance', async () => {
    const policy = await loadWasmBundle({ kind: 'bytes', bytes: await gatewayBundle() }, { maxInputBytes: 1024 });
    const err = evalErrorOf(() => policy.evaluate('gateway/allow', { model: 'x', blob: 'y'.repeat(2000) }));
    expect(err.code).toBe('eval_input_error');
    expect(err.message).toContain('1024');
    // multi-byte characters count as bytes, not UTF-16 units
    expect(evalErrorOf(() => policy.evaluate('gateway/allow', { blob: '€'.repeat(400) })).code).toBe('eval_input_error');
    expect(policy.evaluate('gateway/allow', { model: 'mistral-large' })).toBe(true);
  });

  it('fails an evaluation that needs more than maxMemoryBytes and recovers', async () => {
    for (const abiMinor of [1, 2]) {
      const policy = await loadWasmBundle(
        { kind: 'bytes', bytes: await gatewayBundle({ abiMinor }) },
        { maxMemoryBytes: 1024 * 1024, maxInputBytes: 64 * 1024 * 1024 },
      );
      const err = evalErrorOf(() => policy.evaluate('gateway/allow', { model: 'x', blob: 'z'.repeat(3 * 1024 * 1024) }));
      expect(err.code).toBe('eval_limit_error');
      expect(policy.evaluate('gateway/allow', { model: 'gpt-4o-mini' })).toBe(true);
    }
  });
});

describe('wasm data', () => {
  it('places nested data.json and data.yaml at their directory path', async () => {
    const wasm = await policyWasm();
    const policy = await loadWasmBundle({
      kind: 'files',
      files: {
        '/policy.wasm': wasm,
        '/gateway/data.yaml': 'allowed_models:\n  - yaml-model\n',
        '/gateway/extra/data.json': '{"x": 1}',
      },
    });
    expect(policy.evaluate('gateway/allow', { model: 'yaml-model' })).toBe(true);
    expect(policy.evaluate('gateway/allow', { model: 'gpt-4o-mini' })).toBe(false);
  });

  it('overlays caller data over bundle data', async () => {
    const bytes = await gatewayBundle();
    const policy = await loadWasmBundle(
      { kind: 'bytes', bytes },
      { data: { gateway: { allowed_models: ['workspace-model'] } } },
    );
    expect(policy.evaluate('gateway/allow', { model: 'workspace-model' })).toBe(true);
    expect(policy.evaluate('gateway/allow', { model: 'gpt-4o-mini' })).toBe(false);
  });

  it('restricts evaluate() to the requested entrypoints', async () => {
    const policy = await loadWasmBundle({ kind: 'bytes', bytes: await gatewayBundle() }, { entrypoints: ['gateway.decision'] });
    expect(policy.entrypoints).toEqual(['gateway/decision']);
    expect(evalErrorOf(() => policy.evaluate('gateway/allow', {})).code).toBe('eval_entrypoint_error');
    await expect(
      loadWasmBundle({ kind: 'bytes', bytes: await gatewayBundle() }, { entrypoints: ['gateway/missing'] }),
    ).rejects.toThrow(/gateway\/missing is not compiled into the bundle/);
  });
});

describe('wasm host builtins', () => {
  const builtinsJson = '{"custom.shout":0}';

  it('refuses to load a module whose host builtins nobody implements', async () => {
    const err = await loadWasmBundle({ kind: 'bytes', bytes: await policyWasm({ builtinsJson }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyCompileError);
    expect((err as PolicyCompileError).errors[0].code).toBe('wasm_builtin_missing');
    expect((err as PolicyCompileError).message).toContain('custom.shout');
  });

  it('calls caller-provided builtins with JSON arguments', async () => {
    for (const abiMinor of [1, 2]) {
      const policy = await loadWasmBundle(
        { kind: 'bytes', bytes: await policyWasm({ builtinsJson, abiMinor }) },
        { builtins: { 'custom.shout': (s: unknown) => ({ shouted: String(s).toUpperCase() }) } },
      );
      expect(policy.info.hostBuiltins).toEqual(['custom.shout']);
      expect(policy.evaluate('gateway/shout', { model: 'quiet' })).toEqual({ shouted: 'QUIET' });
    }
  });

  it('reports a failing builtin by name and refuses re-entrant evaluation', async () => {
    let policy: WasmPreparedPolicy | undefined;
    policy = await loadWasmBundle(
      { kind: 'bytes', bytes: await policyWasm({ builtinsJson }) },
      {
        builtins: {
          'custom.shout': (s: unknown) => {
            if (s === 'again') return policy?.evaluate('gateway/allow', {});
            throw new Error('no shouting today');
          },
        },
      },
    );
    const failed = evalErrorOf(() => policy?.evaluate('gateway/shout', { model: 'x' }));
    expect(failed.code).toBe('eval_builtin_error');
    expect(failed.message).toContain('custom.shout');
    expect(failed.message).toContain('no shouting today');
    const reentrant = evalErrorOf(() => policy?.evaluate('gateway/shout', { model: 'again' }));
    expect(reentrant.message).toContain('re-entrant');
    expect(policy.evaluate('gateway/allow', {})).toBe(false);
  });
});

describe('wasm sources and the PolicyEngine adapter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-wasm-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads bundle.tar.gz from a path', async () => {
    const file = join(dir, 'bundle.tar.gz');
    await writeFile(file, await gatewayBundle());
    const policy = await loadWasmBundle({ kind: 'path', path: file });
    expect(policy.revision).toBe('rev-2024-06-01');
    expect(policy.evaluate('gateway/allow', { model: 'mistral-large' })).toBe(true);
  });

  it('loads an unpacked bundle directory', async () => {
    const bundleDir = join(dir, 'unpacked');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(bundleDir, 'gateway'), { recursive: true });
    await writeFile(join(bundleDir, 'policy.wasm'), await policyWasm());
    await writeFile(join(bundleDir, '.manifest'), JSON.stringify({ revision: 'dir-rev', roots: ['gateway'] }));
    await writeFile(join(bundleDir, 'gateway', 'data.json'), JSON.stringify(ALLOWED_DATA.gateway));
    await writeFile(join(bundleDir, 'README.txt'), 'ignored');
    const policy = await loadWasmBundle({ kind: 'path', path: bundleDir });
    expect(policy.revision).toBe('dir-rev');
    expect(policy.evaluate('gateway/allow', { model: 'gpt-4o-mini' })).toBe(true);
  });

  it('accepts a bare policy.wasm as bundle bytes', async () => {
    const policy = await loadWasmBundle({ kind: 'bytes', bytes: await policyWasm() }, { data: ALLOWED_DATA });
    expect(policy.revision).toBe('');
    expect(policy.evaluate('gateway/allow', { model: 'claude-3-5-sonnet' })).toBe(true);
  });

  it('prepares backend: "wasm" specs through createWasmEngine', async () => {
    const engine = createWasmEngine();
    const prepared = await engine.prepare({
      backend: 'wasm',
      bundle: await gatewayBundle(),
      data: { gateway: { allowed_models: ['spec-model'] } },
      entrypoints: ['gateway/decision'],
    });
    expect(prepared.backend).toBe('wasm');
    expect(prepared.entrypoints).toEqual(['gateway/decision']);
    expect(prepared.evaluate('gateway/decision', { model: 'spec-model' })).toEqual({ allow: true, model: 'spec-model' });
    await expect(engine.prepare({ modules: [] })).rejects.toBeInstanceOf(PolicyCompileError);
  });

  it('hands non-wasm specs to a fallback engine', async () => {
    const seen: PrepareSpec[] = [];
    const fallback: PolicyEngine = {
      prepare(spec) {
        seen.push(spec);
        return Promise.resolve({ backend: 'rego', entrypoints: [], evaluate: () => 'from fallback' });
      },
    };
    const engine = createWasmEngine({}, fallback);
    const rego = await engine.prepare({ modules: [{ path: 'p.rego', source: 'package p' }] });
    expect(rego.evaluate('p', {})).toBe('from fallback');
    expect(seen).toHaveLength(1);
    const wasm = await engine.prepare({ backend: 'wasm', bundle: await policyWasm() });
    expect(wasm.backend).toBe('wasm');
    expect(seen).toHaveLength(1);
  });
});
