/**
 * Test fixtures for the policy lifecycle: OPA bundles as `opa build` writes them (tar.gz), and an OPA
 * wasm policy that reads the gateway's input shape. The wasm is the WAT module of
 * test/fixtures/wasm (OPA ABI 1.x, assembled with wabt at test time), changed so that it reads
 * `input.request.model` (the gateway's input) instead of `input.model`:
 *
 *   decision := {"allow": input.request.model in data.gateway.allowed_models, "model": input.request.model}
 */
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import wabtFactory = require('wabt');
import { buildOpaAbiWat } from '../../fixtures/wasm/opa-abi-module';

export async function tarGz(files: Record<string, string | Uint8Array>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, type: 'file' }, typeof content === 'string' ? content : Buffer.from(content));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const REQUEST_KEY_AT = 8000; // inside the module's reserved static area (strings end far below)

let gatewayWasm: Promise<Uint8Array> | null = null;

/** policy.wasm providing gateway/decision for the gateway's input shape. */
export function gatewayInputWasm(): Promise<Uint8Array> {
  gatewayWasm ??= (async () => {
    const original = '(local.set $v (call $obj_get (local.get $ptr) (local.get $end) (global.get $S_k_model) (global.get $L_k_model)))';
    let wat = buildOpaAbiWat();
    if (!wat.includes(original)) throw new Error('the WAT fixture changed; update gatewayInputWasm');
    wat = wat.replace(original, [
      `(local.set $v (call $obj_get (local.get $ptr) (local.get $end) (i32.const ${REQUEST_KEY_AT}) (i32.const 7)))`,
      '(if (i32.lt_s (local.get $v) (i32.const 0)) (then (return (i32.const -1))))',
      '(local.set $v (call $obj_get (local.get $v) (local.get $end) (global.get $S_k_model) (global.get $L_k_model)))',
    ].join('\n    '));
    wat = wat.replace('(global $tok_end (mut i32) (i32.const 0))', `(global $tok_end (mut i32) (i32.const 0))\n  (data (i32.const ${REQUEST_KEY_AT}) "request")`);
    const wabt = await wabtFactory();
    const parsed = wabt.parseWat('gateway-input.wat', wat);
    try {
      parsed.validate();
      return parsed.toBinary({}).buffer;
    } finally {
      parsed.destroy();
    }
  })();
  return gatewayWasm;
}

/** A wasm bundle: policy data at the root, the wasm policy's own data under /gateway. */
export async function wasmBundle(policyData: object, allowedModels: string[]): Promise<Buffer> {
  return tarGz({
    '/.manifest': JSON.stringify({ revision: 'test-rev', wasm: [{ entrypoint: 'gateway/decision', module: '/policy.wasm' }] }),
    '/data.json': JSON.stringify(policyData),
    '/gateway/data.json': JSON.stringify({ allowed_models: allowedModels }),
    '/policy.wasm': await gatewayInputWasm(),
  });
}
