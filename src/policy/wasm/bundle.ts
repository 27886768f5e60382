import { load as loadYaml, CORE_SCHEMA } from 'js-yaml';
import type { BundleFiles } from './archive';
import { errorMessage } from './archive';
import { BundleError } from './bundle-error';
import { baseName, dataPathOf, normalizeBundlePath } from './bundle-path';

/** The parts of OPA's `.manifest` the wasm backend uses. */
export interface BundleManifest {
  /** Bundle revision (empty when the bundle has no manifest); recorded in decision logs. */
  readonly revision: string;
  /** Data/policy roots the bundle owns, slash-separated without leading slash; `''` means everything. */
  readonly roots: readonly string[];
  /** Entrypoint → module mapping written by `opa build -t wasm`. */
  readonly wasm: readonly { readonly entrypoint: string; readonly module: string }[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface BundleWasmModule {
  /** Canonical path inside the bundle, e.g. `/policy.wasm`. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface ParsedBundle {
  readonly manifest: BundleManifest;
  /** Base data assembled from every `data.json` / `data.yaml` at its directory's path. */
  readonly data: Record<string, unknown>;
  readonly wasmModules: readonly BundleWasmModule[];
  /** Rego sources shipped alongside the wasm (informational; the wasm backend does not evaluate them). */
  readonly regoFiles: readonly string[];
  /** True when the bundle carries `.signatures.json` (not verified by this backend). */
  readonly signed: boolean;
}

const MANIFEST = '/.manifest';
const DEFAULT_WASM = '/policy.wasm';

/** Validates a bundle's file set and assembles manifest, data and wasm modules from it. */
export function parseBundle(files: BundleFiles): ParsedBundle {
  const manifest = parseManifest(files.get(MANIFEST));
  const data: Record<string, unknown> = {};
  const regoFiles: string[] = [];
  for (const [path, bytes] of files) {
    const name = baseName(path);
    if (name === 'data.json' || name === 'data.yaml' || name === 'data.yml') {
      const dataPath = dataPathOf(path);
      const value = parseDataFile(path, bytes);
      checkUnderRoots(dataPath, value, manifest.roots, path);
      insertData(data, dataPath, value, path);
    } else if (name.endsWith('.rego')) {
      regoFiles.push(path);
    }
  }
  return {
    manifest,
    data,
    wasmModules: selectWasmModules(files, manifest, regoFiles.length > 0),
    regoFiles,
    signed: files.has('/.signatures.json'),
  };
}

function decodeText(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseManifest(bytes: Uint8Array | undefined): BundleManifest {
  if (bytes === undefined) return { revision: '', roots: [''], wasm: [], metadata: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(decodeText(bytes));
  } catch (err) {
    throw new BundleError('bundle_manifest_invalid', `bundle .manifest is not valid JSON: ${errorMessage(err)}`, MANIFEST);
  }
  if (!isPlainObject(raw)) throw manifestError('must be a JSON object');
  const revision = raw.revision ?? '';
  if (typeof revision !== 'string') throw manifestError('"revision" must be a string');
  const roots = raw.roots === undefined ? [''] : raw.roots;
  if (!Array.isArray(roots) || !roots.every((r): r is string => typeof r === 'string')) {
    throw manifestError('"roots" must be an array of strings');
  }
  const normalizedRoots = roots.map((r) => r.replace(/^\/+|\/+$/g, ''));
  checkRootsDisjoint(normalizedRoots);
  const wasmRaw = raw.wasm ?? [];
  if (!Array.isArray(wasmRaw)) throw manifestError('"wasm" must be an array');
  const wasm = wasmRaw.map((w, i) => {
    if (!isPlainObject(w) || typeof w.entrypoint !== 'string' || typeof w.module !== 'string') {
      throw manifestError(`"wasm[${i}]" must be an object with string "entrypoint" and "module"`);
    }
    return { entrypoint: w.entrypoint, module: w.module };
  });
  const metadata = raw.metadata ?? {};
  if (!isPlainObject(metadata)) throw manifestError('"metadata" must be an object');
  return { revision, roots: normalizedRoots, wasm, metadata };
}

function manifestError(why: string): BundleError {
  return new BundleError('bundle_manifest_invalid', `bundle .manifest is invalid: ${why}`, MANIFEST);
}

/** OPA refuses manifests whose roots overlap ("a" and "a/b"): ownership of "a/b" would be ambiguous. */
function checkRootsDisjoint(roots: readonly string[]): void {
  for (let i = 0; i < roots.length; i++) {
    for (let j = i + 1; j < roots.length; j++) {
      if (isPathPrefix(split(roots[i]), split(roots[j])) || isPathPrefix(split(roots[j]), split(roots[i]))) {
        throw manifestError(`roots ${JSON.stringify(roots[i])} and ${JSON.stringify(roots[j])} overlap`);
      }
    }
  }
}

function split(root: string): string[] {
  return root === '' ? [] : root.split('/');
}

function isPathPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

function parseDataFile(path: string, bytes: Uint8Array): unknown {
  const text = decodeText(bytes);
  try {
    // CORE_SCHEMA: plain YAML scalars only (no timestamps or custom tags), so the result is JSON.
    return path.endsWith('.json') ? JSON.parse(text) : loadYaml(text, { schema: CORE_SCHEMA });
  } catch (err) {
    throw new BundleError('bundle_data_invalid', `bundle data file ${path} cannot be parsed: ${errorMessage(err)}`, path);
  }
}

/**
 * Every data document must sit under one of the manifest's roots, as OPA requires. A document at a
 * path above a root (e.g. the top-level data.json) is checked key by key.
 */
function checkUnderRoots(path: string[], value: unknown, roots: readonly string[], file: string): void {
  const rootPaths = roots.map(split);
  if (rootPaths.some((r) => isPathPrefix(r, path))) return;
  const leadsToRoot = rootPaths.some((r) => isPathPrefix(path, r));
  if (leadsToRoot && isPlainObject(value)) {
    for (const key of Object.keys(value)) checkUnderRoots([...path, key], value[key], roots, file);
    return;
  }
  throw new BundleError(
    'bundle_outside_roots',
    `bundle data at ${path.join('/') || '(root)'} from ${file} is outside the manifest roots ${JSON.stringify(roots)}`,
    file,
  );
}

function insertData(root: Record<string, unknown>, path: string[], value: unknown, file: string): void {
  if (path.length === 0) {
    if (!isPlainObject(value)) {
      throw new BundleError('bundle_data_invalid', `bundle data file ${file} at the bundle root must hold a JSON object`, file);
    }
    mergeInto(root, value, [], file);
    return;
  }
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const existing = ownValue(node, path[i]);
    if (existing === undefined) {
      const child: Record<string, unknown> = {};
      setOwn(node, path[i], child);
      node = child;
    } else if (isPlainObject(existing)) {
      node = existing;
    } else {
      throw conflict(path.slice(0, i + 1), file);
    }
  }
  const last = path[path.length - 1];
  const existing = ownValue(node, last);
  if (existing === undefined) setOwn(node, last, value);
  else if (isPlainObject(existing) && isPlainObject(value)) mergeInto(existing, value, path, file);
  else throw conflict(path, file);
}

/** Deep-merges objects; two different non-object values at one path are a conflict, as in OPA. */
export function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, at: string[], file: string): void {
  for (const key of Object.keys(source)) {
    const incoming = source[key];
    const existing = ownValue(target, key);
    if (existing === undefined) setOwn(target, key, incoming);
    else if (isPlainObject(existing) && isPlainObject(incoming)) mergeInto(existing, incoming, [...at, key], file);
    else throw conflict([...at, key], file);
  }
}

function conflict(path: string[], file: string): BundleError {
  return new BundleError('bundle_data_conflict', `bundle data conflict at ${path.join('/')} (set again by ${file})`, file);
}

function ownValue(node: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
}

/** defineProperty, so a key named "__proto__" stays data instead of replacing the prototype. */
function setOwn(node: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function selectWasmModules(files: BundleFiles, manifest: BundleManifest, hasRego: boolean): BundleWasmModule[] {
  const paths = new Set<string>();
  for (const entry of manifest.wasm) {
    const path = normalizeBundlePath(entry.module);
    if (!files.has(path)) {
      throw new BundleError(
        'bundle_no_wasm',
        `bundle .manifest maps entrypoint ${entry.entrypoint} to ${path}, which the bundle does not contain`,
        MANIFEST,
      );
    }
    paths.add(path);
  }
  if (paths.size === 0 && files.has(DEFAULT_WASM)) paths.add(DEFAULT_WASM);
  if (paths.size === 0) {
    const hint = hasRego
      ? 'it holds Rego sources only: load it with the Rego backend, or rebuild it with `opa build -t wasm -e <entrypoint>`'
      : 'build one with `opa build -t wasm -e <entrypoint> <policy dir>`';
    throw new BundleError('bundle_no_wasm', `bundle contains no /policy.wasm; ${hint}`);
  }
  return [...paths].map((path) => ({ path, bytes: files.get(path) as Uint8Array }));
}
