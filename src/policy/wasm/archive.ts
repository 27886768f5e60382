import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import * as tarStream from 'tar-stream';
import { BundleError } from './bundle-error';
import { normalizeBundlePath } from './bundle-path';
import type { BundleLimits } from './limits';

/** Bundle contents keyed by canonical path (`/policy.wasm`, `/a/b/data.json`, `/.manifest`). */
export type BundleFiles = ReadonlyMap<string, Uint8Array>;

const gunzipAsync = promisify(gunzip);

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Reads a bundle archive (`bundle.tar.gz` as written by `opa build`, or a plain `.tar`) fully in
 * memory. Nothing touches the filesystem, every size is bounded by `limits`, and entries that are
 * not regular files or directories (symlinks, hard links, devices) are refused rather than skipped,
 * since a bundle that needs them is not one `opa build` produced.
 */
export async function readBundleArchive(bytes: Uint8Array, limits: BundleLimits): Promise<BundleFiles> {
  if (bytes.byteLength > limits.maxArchiveBytes) {
    throw new BundleError(
      'bundle_too_large',
      `bundle archive is ${bytes.byteLength} bytes, more than the limit of ${limits.maxArchiveBytes}`,
    );
  }
  if (!isGzip(bytes) && !isTar(bytes)) {
    throw new BundleError('bundle_corrupt', 'bundle archive is neither gzip-compressed nor a tar stream (bad magic bytes)');
  }
  const tar = isGzip(bytes) ? await gunzipBounded(bytes, limits) : bytes;
  if (tar.byteLength > limits.maxUnpackedBytes) {
    throw new BundleError('bundle_too_large', `bundle tar stream exceeds the limit of ${limits.maxUnpackedBytes} bytes`);
  }
  return extractTar(tar, limits);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** POSIX ustar (and GNU tar) headers carry "ustar" at offset 257 of the first block. */
function isTar(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 512 && Buffer.from(bytes.buffer, bytes.byteOffset + 257, 5).toString('latin1') === 'ustar';
}

async function gunzipBounded(bytes: Uint8Array, limits: BundleLimits): Promise<Uint8Array> {
  try {
    // maxOutputLength stops inflating as soon as the limit is passed (gzip-bomb guard).
    return await gunzipAsync(bytes, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (err) {
    if (errorCode(err) === 'ERR_BUFFER_TOO_LARGE') {
      throw new BundleError(
        'bundle_too_large',
        `bundle archive inflates to more than the limit of ${limits.maxUnpackedBytes} bytes`,
      );
    }
    throw new BundleError('bundle_corrupt', `bundle archive is not valid gzip: ${errorMessage(err)}`);
  }
}

async function extractTar(tar: Uint8Array, limits: BundleLimits): Promise<BundleFiles> {
  const files = new Map<string, Uint8Array>();
  const extract = tarStream.extract();
  let entries = 0;
  let totalBytes = 0;
  extract.end(Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength));
  try {
    for await (const entry of extract) {
      const header = entry.header;
      if (++entries > limits.maxEntries) {
        throw new BundleError('bundle_too_large', `bundle has more than ${limits.maxEntries} entries`);
      }
      const type = header.type ?? 'file';
      if (type === 'directory') {
        // `tar -C dir .` writes a "./" entry for the root; any other directory is still checked for traversal.
        if (header.name.replace(/[./]/g, '') !== '' || header.name.includes('..')) normalizeBundlePath(header.name);
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        throw new BundleError(
          'bundle_unsupported_entry',
          `bundle entry ${JSON.stringify(header.name)} is a ${type}; only regular files and directories are allowed`,
          header.name,
        );
      }
      const path = normalizeBundlePath(header.name);
      const size = header.size ?? 0;
      if (size > limits.maxFileBytes) {
        throw new BundleError(
          'bundle_too_large',
          `bundle file ${path} is ${size} bytes, more than the limit of ${limits.maxFileBytes}`,
          path,
        );
      }
      totalBytes += size;
      if (totalBytes > limits.maxUnpackedBytes) {
        throw new BundleError('bundle_too_large', `bundle files exceed the limit of ${limits.maxUnpackedBytes} bytes`);
      }
      if (files.has(path)) {
        throw new BundleError('bundle_duplicate_file', `bundle contains ${path} more than once`, path);
      }
      files.set(path, await readEntry(entry, size));
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError('bundle_corrupt', `bundle archive is not a valid tar stream: ${errorMessage(err)}`);
  }
  return files;
}

async function readEntry(entry: AsyncIterable<unknown> & { readonly header: tarStream.Header }, size: number): Promise<Uint8Array> {
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for await (const chunk of entry) {
    const bytes = chunk as Buffer;
    if (offset + bytes.byteLength > size) {
      throw new BundleError('bundle_corrupt', `bundle entry ${entry.header.name} is longer than its header says`);
    }
    bytes.copy(out, offset);
    offset += bytes.byteLength;
  }
  if (offset !== size) {
    throw new BundleError('bundle_corrupt', `bundle entry ${entry.header.name} is truncated`);
  }
  return out;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
