import { gzipSync } from 'node:zlib';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyCompileError, loadWasmBundle, type BundleLimits, type WasmBundleSource } from '../../../src/policy';
import { gatewayBundle, packTar, packTarGz, policyWasm } from './bundle-helpers';

/** Loads and returns the PolicyCompileError's first error (fails the test if loading succeeds). */
async function loadError(source: WasmBundleSource, bundleLimits?: Partial<BundleLimits>): Promise<{ code: string; message: string; file?: string }> {
  const err = await loadWasmBundle(source, { bundleLimits }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PolicyCompileError);
  return (err as PolicyCompileError).errors[0];
}

const bytes = (b: Uint8Array): WasmBundleSource => ({ kind: 'bytes', bytes: b });

describe('bad bundle archives', () => {
  it('rejects a bundle without policy.wasm, hinting at opa build', async () => {
    const e = await loadError(bytes(await packTarGz([{ name: '/data.json', content: '{}' }])));
    expect(e.code).toBe('bundle_no_wasm');
    expect(e.message).toContain('opa build -t wasm');
  });

  it('points Rego-only bundles to the Rego backend', async () => {
    const e = await loadError(bytes(await packTarGz([{ name: '/policies/p.rego', content: 'package p' }])));
    expect(e.code).toBe('bundle_no_wasm');
    expect(e.message).toContain('Rego backend');
  });

  it('rejects corrupt gzip', async () => {
    const good = await gatewayBundle();
    const corrupt = Buffer.from(good);
    corrupt.fill(0x55, 20, 200);
    const e = await loadError(bytes(corrupt));
    expect(e.code).toBe('bundle_corrupt');
    expect(e.message).toMatch(/gzip/);
  });

  it('rejects a truncated archive', async () => {
    const good = await gatewayBundle();
    const e = await loadError(bytes(good.subarray(0, good.length - 40)));
    expect(e.code).toBe('bundle_corrupt');
  });

  it('rejects bytes that are neither gzip, tar nor wasm', async () => {
    const e = await loadError(bytes(Buffer.from('this is not a bundle')));
    expect(e.code).toBe('bundle_corrupt');
    expect(e.message).toContain('magic');
  });

  it('rejects gzip content that is not a tar stream', async () => {
    const e = await loadError(bytes(gzipSync(Buffer.from('x'.repeat(4096)))));
    expect(e.code).toBe('bundle_corrupt');
    expect(e.message).toContain('tar');
  });

  it('accepts archives repacked with `tar -C dir .` (root "./" entry)', async () => {
    const archive = await packTarGz([
      { name: './', type: 'directory' },
      { name: './gateway/', type: 'directory' },
      { name: './policy.wasm', content: await policyWasm() },
      { name: './gateway/data.json', content: '{"allowed_models": ["m"]}' },
    ]);
    const policy = await loadWasmBundle(bytes(archive));
    expect(policy.evaluate('gateway/allow', { model: 'm' })).toBe(true);
    const sneaky = await packTarGz([{ name: './../', type: 'directory' }, { name: '/policy.wasm', content: await policyWasm() }]);
    expect((await loadError(bytes(sneaky))).code).toBe('bundle_unsafe_path');
  });

  it('accepts an uncompressed tar', async () => {
    const tar = await packTar([{ name: 'policy.wasm', content: await policyWasm() }]);
    const policy = await loadWasmBundle(bytes(tar));
    expect(policy.entrypoints).toContain('gateway/allow');
  });

  it.each(['../evil.json', '/../../etc/data.json', 'a/../../b/data.json', 'C:/x/data.json', 'a\\..\\b'])(
    'refuses the path traversal entry %s',
    async (name) => {
      const e = await loadError(bytes(await packTarGz([{ name: '/policy.wasm', content: await policyWasm() }, { name, content: '{}' }])));
      expect(e.code).toBe('bundle_unsafe_path');
      expect(e.message).toContain('refusing');
    },
  );

  it('refuses symlinks and hard links inside the archive', async () => {
    for (const type of ['symlink', 'link'] as const) {
      const e = await loadError(
        bytes(await packTarGz([{ name: '/policy.wasm', content: await policyWasm() }, { name: '/data.json', type, linkname: '/etc/passwd' }])),
      );
      expect(e.code).toBe('bundle_unsupported_entry');
    }
  });

  it('refuses duplicate files', async () => {
    const wasm = await policyWasm();
    const e = await loadError(bytes(await packTarGz([{ name: '/policy.wasm', content: wasm }, { name: './policy.wasm', content: wasm }])));
    expect(e.code).toBe('bundle_duplicate_file');
  });

  it('enforces size and entry limits', async () => {
    const wasm = await policyWasm();
    const archive = await packTarGz([{ name: '/policy.wasm', content: wasm }, { name: '/data.json', content: `{"pad":"${'a'.repeat(50_000)}"}` }]);
    expect((await loadError(bytes(archive), { maxArchiveBytes: 100 })).code).toBe('bundle_too_large');
    expect((await loadError(bytes(archive), { maxFileBytes: 20_000 })).message).toContain('/data.json');
    // a gzip bomb: tiny archive, huge tar stream
    const bomb = await packTarGz([{ name: '/policy.wasm', content: wasm }, { name: '/pad.bin', content: Buffer.alloc(8 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const e = await loadError(bytes(bomb), { maxUnpackedBytes: 1024 * 1024 });
    expect(e.code).toBe('bundle_too_large');
    expect(e.message).toContain('inflates');
    const many = await packTarGz([{ name: '/policy.wasm', content: wasm }, ...Array.from({ length: 20 }, (_, i) => ({ name: `/d${i}/x.txt`, content: 'x' }))]);
    expect((await loadError(bytes(many), { maxEntries: 10 })).message).toContain('more than 10 entries');
  });

  it('rejects invalid bundle limits', async () => {
    await expect(loadWasmBundle(bytes(await gatewayBundle()), { bundleLimits: { maxEntries: -1 } })).rejects.toThrow(/maxEntries/);
  });
});

describe('bad bundle contents', () => {
  async function withFiles(files: Record<string, string | Uint8Array>): Promise<{ code: string; message: string; file?: string }> {
    return loadError({ kind: 'files', files: { '/policy.wasm': await policyWasm(), ...files } });
  }

  it('rejects invalid wasm bytes', async () => {
    const e = await loadError({ kind: 'files', files: { '/policy.wasm': Buffer.from('\0asm\x01\0\0\0garbage') } });
    expect(e.code).toBe('wasm_compile_error');
    expect(e.file).toBe('/policy.wasm');
    const junk = await loadError({ kind: 'files', files: { '/policy.wasm': 'not wasm at all' } });
    expect(junk.code).toBe('wasm_compile_error');
  });

  it('rejects modules that do not implement the OPA ABI', async () => {
    const err = await loadWasmBundle(bytes(await policyWasm({ omitExports: ['opa_eval_ctx_new', 'opa_wasm_abi_version'] }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyCompileError);
    const messages = (err as PolicyCompileError).errors.map((x) => x.message).join('\n');
    expect(messages).toContain('missing exported function opa_eval_ctx_new');
    expect(messages).toContain('missing exported global opa_wasm_abi_version');
  });

  it('rejects an ABI 1.2 module without opa_eval', async () => {
    const e = await loadError(bytes(await policyWasm({ omitExports: ['opa_eval'], abiMinor: 2 })));
    expect(e.code).toBe('wasm_abi_error');
    expect(e.message).toContain('opa_eval');
  });

  it('rejects an unsupported ABI major version', async () => {
    const e = await loadError(bytes(await policyWasm({ abiMajor: 2 })));
    expect(e.code).toBe('wasm_abi_error');
    expect(e.message).toContain('unsupported ABI version 2');
  });

  it('rejects a malformed manifest', async () => {
    expect((await withFiles({ '/.manifest': '{not json' })).code).toBe('bundle_manifest_invalid');
    expect((await withFiles({ '/.manifest': '{"revision": 5}' })).message).toContain('revision');
    expect((await withFiles({ '/.manifest': '{"roots": ["a", "a/b"]}' })).message).toContain('overlap');
    const missing = await withFiles({ '/.manifest': '{"wasm": [{"entrypoint": "x/y", "module": "/other.wasm"}]}' });
    expect(missing.code).toBe('bundle_no_wasm');
    expect(missing.message).toContain('/other.wasm');
  });

  it('rejects data outside the manifest roots', async () => {
    const e = await withFiles({ '/.manifest': '{"roots": ["gateway"]}', '/data.json': '{"gateway": {}, "billing": {"x": 1}}' });
    expect(e.code).toBe('bundle_outside_roots');
    expect(e.message).toContain('billing');
  });

  it('rejects unparseable and conflicting data', async () => {
    expect((await withFiles({ '/data.json': '{"a": ' })).code).toBe('bundle_data_invalid');
    expect((await withFiles({ '/data.json': '[1, 2]' })).code).toBe('bundle_data_invalid');
    expect((await withFiles({ '/a/data.yaml': 'x: [unclosed' })).code).toBe('bundle_data_invalid');
    const conflict = await withFiles({ '/data.json': '{"a": {"b": 1}}', '/a/b/data.json': '{"c": 2}' });
    expect(conflict.code).toBe('bundle_data_conflict');
    expect(conflict.message).toContain('a/b');
  });

  it('keeps a "__proto__" data key as data', async () => {
    const policy = await loadWasmBundle({
      kind: 'files',
      files: { '/policy.wasm': await policyWasm(), '/data.json': '{"__proto__": {"polluted": true}, "gateway": {"allowed_models": ["m"]}}' },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(policy.evaluate('gateway/allow', { model: 'm' })).toBe(true);
  });

  it('reports unreadable paths', async () => {
    const e = await loadError({ kind: 'path', path: '/nonexistent/bundle.tar.gz' });
    expect(e.code).toBe('bundle_io');
  });

  it('refuses symlinks in a bundle directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-wasm-bad-'));
    try {
      await mkdir(join(dir, 'b'));
      await writeFile(join(dir, 'b', 'policy.wasm'), await policyWasm());
      await symlink('/etc/hostname', join(dir, 'b', 'data.json'));
      const e = await loadError({ kind: 'path', path: join(dir, 'b') });
      expect(e.code).toBe('bundle_unsupported_entry');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
