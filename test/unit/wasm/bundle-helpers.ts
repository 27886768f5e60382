import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { assembleOpaAbiModule, type OpaAbiModuleOptions } from '../../fixtures/wasm/opa-abi-module';

export interface TarEntry {
  name: string;
  content?: string | Uint8Array;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

/** Writes a real tar stream (ustar/pax, as tar-stream produces) from the given entries. */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'file') pack.entry({ name: e.name, type }, e.content ?? '');
    else pack.entry({ name: e.name, type, linkname: e.linkname });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function packTarGz(entries: readonly TarEntry[]): Promise<Buffer> {
  return gzipSync(await packTar(entries));
}

const modules = new Map<string, Promise<Uint8Array>>();

/** The WAT fixture assembled once per option set (wabt is slow to start). */
export function policyWasm(options: OpaAbiModuleOptions = {}): Promise<Uint8Array> {
  const key = JSON.stringify(options);
  let m = modules.get(key);
  if (!m) {
    m = assembleOpaAbiModule(options);
    modules.set(key, m);
  }
  return m;
}

export const ALLOWED_DATA = { gateway: { allowed_models: ['gpt-4o-mini', 'claude-3-5-sonnet', 'mistral-large'] } };

/** A bundle shaped like `opa build -t wasm -e gateway/decision` output: manifest, data, wasm, rego source. */
export async function gatewayBundle(options: OpaAbiModuleOptions = {}, extra: readonly TarEntry[] = []): Promise<Buffer> {
  return packTarGz([
    {
      name: '/.manifest',
      content: JSON.stringify({
        revision: 'rev-2024-06-01',
        roots: ['gateway'],
        wasm: [
          { entrypoint: 'gateway/allow', module: '/policy.wasm' },
          { entrypoint: 'gateway/decision', module: '/policy.wasm' },
        ],
        metadata: { built_by: 'test' },
      }),
    },
    { name: '/data.json', content: JSON.stringify(ALLOWED_DATA) },
    { name: '/policy.wasm', content: await policyWasm(options) },
    { name: '/policies/gateway.rego', content: 'package gateway\n' },
    ...extra,
  ]);
}
