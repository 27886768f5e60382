import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundleArchive, errorMessage, type BundleFiles } from './archive';
import { BundleError } from './bundle-error';
import { normalizeBundlePath } from './bundle-path';
import type { BundleLimits } from './limits';

/** Where a bundle comes from. */
export type WasmBundleSource =
  /** `bundle.tar.gz` (or `.tar`) bytes, or a bare `policy.wasm` module. */
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** A file (`bundle.tar.gz`, `.tar` or a bare `.wasm`) or an unpacked bundle directory. */
  | { readonly kind: 'path'; readonly path: string }
  /** Files already in memory, keyed by bundle path (`/policy.wasm`, `data.json`, `/.manifest`...). */
  | { readonly kind: 'files'; readonly files: ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, Uint8Array | string>> };

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Files a directory bundle contributes; anything else in the directory is not read at all. */
function isBundleFileName(name: string): boolean {
  return (
    name === '.manifest' ||
    name === '.signatures.json' ||
    name === 'data.json' ||
    name === 'data.yaml' ||
    name === 'data.yml' ||
    name.endsWith('.wasm') ||
    name.endsWith('.rego')
  );
}

/** Reads any supported source into canonical bundle files. */
export async function readBundleSource(source: WasmBundleSource, limits: BundleLimits): Promise<BundleFiles> {
  switch (source.kind) {
    case 'bytes':
      return readBundleBytes(source.bytes, limits);
    case 'path':
      return readBundlePath(source.path, limits);
    case 'files':
      return normalizeInMemoryFiles(source.files, limits);
    default:
      throw new BundleError('bundle_io', `unknown bundle source kind ${JSON.stringify((source as { kind: unknown }).kind)}`);
  }
}

function isBareWasm(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b);
}

async function readBundleBytes(bytes: Uint8Array, limits: BundleLimits): Promise<BundleFiles> {
  if (isBareWasm(bytes)) {
    if (bytes.byteLength > limits.maxFileBytes) {
      throw new BundleError('bundle_too_large', `policy.wasm is ${bytes.byteLength} bytes, more than the limit of ${limits.maxFileBytes}`);
    }
    return new Map([['/policy.wasm', bytes]]);
  }
  return readBundleArchive(bytes, limits);
}

async function readBundlePath(path: string, limits: BundleLimits): Promise<BundleFiles> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new BundleError('bundle_io', `cannot read bundle ${path}: ${errorMessage(err)}`);
  }
  if (info.isDirectory()) return readBundleDirectory(path, limits);
  if (!info.isFile()) throw new BundleError('bundle_io', `bundle ${path} is neither a file nor a directory`);
  if (info.size > limits.maxArchiveBytes) {
    throw new BundleError('bundle_too_large', `bundle ${path} is ${info.size} bytes, more than the limit of ${limits.maxArchiveBytes}`);
  }
  return readBundleBytes(await readFileOrThrow(path), limits);
}

/**
 * Walks an unpacked bundle directory. Symlinks are refused (they could lead outside the bundle),
 * and only the files a bundle is made of are read.
 */
async function readBundleDirectory(root: string, limits: BundleLimits): Promise<BundleFiles> {
  const files = new Map<string, Uint8Array>();
  let entries = 0;
  let totalBytes = 0;
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relDir = pending.pop() as string;
    let names: string[];
    try {
      names = await readdir(join(root, relDir));
    } catch (err) {
      throw new BundleError('bundle_io', `cannot read bundle directory ${join(root, relDir)}: ${errorMessage(err)}`);
    }
    for (const name of names) {
      if (++entries > limits.maxEntries) {
        throw new BundleError('bundle_too_large', `bundle directory ${root} has more than ${limits.maxEntries} entries`);
      }
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = join(root, rel);
      const info = await lstat(abs);
      if (info.isSymbolicLink()) {
        throw new BundleError('bundle_unsupported_entry', `bundle directory entry ${rel} is a symlink; refusing to follow it`, rel);
      }
      if (info.isDirectory()) {
        pending.push(rel);
        continue;
      }
      if (!info.isFile() || !isBundleFileName(name)) continue;
      if (info.size > limits.maxFileBytes) {
        throw new BundleError('bundle_too_large', `bundle file ${rel} is ${info.size} bytes, more than the limit of ${limits.maxFileBytes}`, rel);
      }
      totalBytes += info.size;
      if (totalBytes > limits.maxUnpackedBytes) {
        throw new BundleError('bundle_too_large', `bundle directory ${root} exceeds the limit of ${limits.maxUnpackedBytes} bytes`);
      }
      files.set(normalizeBundlePath(rel), await readFileOrThrow(abs));
    }
  }
  return files;
}

async function readFileOrThrow(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new BundleError('bundle_io', `cannot read ${path}: ${errorMessage(err)}`);
  }
}

function normalizeInMemoryFiles(
  input: ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, Uint8Array | string>>,
  limits: BundleLimits,
): BundleFiles {
  const pairs: Iterable<[string, Uint8Array | string]> = input instanceof Map ? input.entries() : Object.entries(input);
  const files = new Map<string, Uint8Array>();
  let totalBytes = 0;
  for (const [rawPath, content] of pairs) {
    if (files.size >= limits.maxEntries) {
      throw new BundleError('bundle_too_large', `bundle has more than ${limits.maxEntries} files`);
    }
    const path = normalizeBundlePath(rawPath);
    if (files.has(path)) throw new BundleError('bundle_duplicate_file', `bundle contains ${path} more than once`, path);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (!(bytes instanceof Uint8Array)) {
      throw new BundleError('bundle_io', `bundle file ${path} must be a string or Uint8Array`, path);
    }
    if (bytes.byteLength > limits.maxFileBytes) {
      throw new BundleError('bundle_too_large', `bundle file ${path} is ${bytes.byteLength} bytes, more than the limit of ${limits.maxFileBytes}`, path);
    }
    totalBytes += bytes.byteLength;
    if (totalBytes > limits.maxUnpackedBytes) {
      throw new BundleError('bundle_too_large', `bundle files exceed the limit of ${limits.maxUnpackedBytes} bytes`);
    }
    files.set(path, bytes);
  }
  return files;
}
