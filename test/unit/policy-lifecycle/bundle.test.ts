import { importBundle } from '../../../src/policy/lifecycle';
import { packTarGz } from '../../unit/wasm/bundle-helpers';
import { tarGz, wasmBundle } from './fixtures';

test('a Rego bundle: data.json becomes the policy data, .rego files the modules', async () => {
  const bytes = await tarGz({
    '/data.json': JSON.stringify({ pii: { input: { EMAIL_ADDRESS: 'block' } } }),
    '/rules/deny.rego': 'package gateway.custom.ws\n',
    '/rules/deny_test.rego': 'package gateway.custom.ws_test\n',
  });
  const r = await importBundle(bytes);
  expect(r).toEqual({
    ok: true,
    content: { data: { pii: { input: { EMAIL_ADDRESS: 'block' } } }, modules: [{ path: 'rules/deny.rego', source: 'package gateway.custom.ws\n' }, { path: 'rules/deny_test.rego', source: 'package gateway.custom.ws_test\n' }], wasm: null },
    files: ['/data.json', '/rules/deny.rego', '/rules/deny_test.rego'],
  });
});

test('a wasm bundle is kept whole as the wasm policy', async () => {
  const bytes = await wasmBundle({ limits: { max_tokens: 10 } }, ['demo-chat']);
  const r = await importBundle(bytes);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  expect(r.content.data).toEqual({ limits: { max_tokens: 10 } });
  expect(r.content.modules).toEqual([]);
  expect(r.content.wasm?.equals(bytes)).toBe(true);
});

test('unsafe or broken archives are refused as bundle issues', async () => {
  const traversal = await packTarGz([{ name: '../../etc/data.json', content: '{}' }]);
  expect(await importBundle(traversal)).toEqual({ ok: false, issues: [expect.objectContaining({ kind: 'bundle', code: 'bundle_unsafe_path' })] });
  const link = await packTarGz([{ name: 'data.json', type: 'symlink', linkname: '/etc/passwd' }]);
  expect(await importBundle(link)).toEqual({ ok: false, issues: [expect.objectContaining({ kind: 'bundle', code: 'bundle_unsupported_entry' })] });
  expect(await importBundle(Buffer.from('not a bundle'))).toEqual({ ok: false, issues: [expect.objectContaining({ code: 'bundle_corrupt' })] });
  expect(await importBundle(await tarGz({ '/data.json': '[1,2]' }))).toEqual({ ok: false, issues: [expect.objectContaining({ code: 'bundle_data_invalid', file: 'data.json' })] });
  expect(await importBundle(await tarGz({ '/README.md': 'hi' }))).toEqual({ ok: false, issues: [expect.objectContaining({ code: 'bundle_empty' })] });
});
