/**
 * OPA bundle import: a `.tar.gz` (or `.tar`) holding `.rego` files and `data.json`, or `policy.wasm`
 * and `data.json` as `opa build -t wasm` writes it, becomes the content of a new draft. The archive is
 * read by the wasm backend's safe tar reader (path traversal, links, sizes and gzip bombs refused).
 *
 * - The root `/data.json` is the scope's policy data (validated by the schema like any draft).
 * - `.rego` files become the custom modules (paths relative to the bundle root).
 * - With `/policy.wasm` (or a manifest naming wasm modules) the whole archive is kept as the wasm policy:
 *   its other data files stay with it; `data.gatehouse` is added at evaluation time.
 */
import { readBundleArchive } from '../wasm/archive';
import { BundleError } from '../wasm/bundle-error';
import { DEFAULT_BUNDLE_LIMITS } from '../wasm';
import type { PolicyModule } from '../engine';
import type { Issue, PolicyContent } from './types';
import { MODULE_LIMITS } from './modules';

/** Bundles for policies are far smaller than what the gateway accepts for wasm in general. */
export const IMPORT_LIMITS = { ...DEFAULT_BUNDLE_LIMITS, maxArchiveBytes: 16 * 1024 * 1024, maxUnpackedBytes: 64 * 1024 * 1024, maxFileBytes: 32 * 1024 * 1024, maxEntries: 1000 };

export type ImportResult = { ok: true; content: PolicyContent; files: string[] } | { ok: false; issues: Issue[] };

const text = (bytes: Uint8Array): string => {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
};

export async function importBundle(bytes: Uint8Array): Promise<ImportResult> {
  let files;
  try {
    files = await readBundleArchive(bytes, IMPORT_LIMITS);
  } catch (err) {
    if (err instanceof BundleError) return { ok: false, issues: [{ kind: 'bundle', code: err.code, message: err.message, ...(err.file ? { file: err.file } : {}) }] };
    throw err;
  }
  const issues: Issue[] = [];
  let data: Record<string, unknown> = {};
  const rawData = files.get('/data.json');
  if (rawData) {
    try {
      const parsed: unknown = JSON.parse(text(rawData));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the top level must be an object');
      data = parsed as Record<string, unknown>;
    } catch (err) {
      issues.push({ kind: 'bundle', code: 'bundle_data_invalid', file: 'data.json', message: `data.json is not a JSON object: ${(err as Error).message}` });
    }
  }
  const modules: PolicyModule[] = [];
  let wasm = false;
  for (const [path, content] of files) {
    if (path.endsWith('.rego')) modules.push({ path: path.slice(1), source: text(content) });
    else if (path.endsWith('.wasm')) wasm = true;
  }
  if (!wasm && modules.length === 0 && !rawData) {
    issues.push({ kind: 'bundle', code: 'bundle_empty', message: 'the bundle has no .rego files, no policy.wasm and no data.json' });
  }
  if (modules.length > MODULE_LIMITS.maxModules) issues.push({ kind: 'bundle', code: 'too_many_modules', message: `at most ${MODULE_LIMITS.maxModules} Rego files per policy` });
  if (issues.length > 0) return { ok: false, issues };
  modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // A wasm bundle's .rego files are its sources (informational); only its compiled module runs.
  return {
    ok: true,
    content: wasm ? { data, modules: [], wasm: Buffer.from(bytes) } : { data, modules, wasm: null },
    files: [...files.keys()].sort(),
  };
}
