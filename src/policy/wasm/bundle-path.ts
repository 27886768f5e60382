import { BundleError } from './bundle-error';

/**
 * Turns an archive entry name or a relative directory path into the bundle's canonical form
 * (`/a/b/data.json`), rejecting anything that could point outside the bundle: `..` segments,
 * NUL bytes, backslashes (ambiguous between platforms) and drive letters.
 */
export function normalizeBundlePath(raw: string): string {
  if (raw.includes('\0')) throw unsafe(raw, 'contains a NUL byte');
  if (raw.includes('\\')) throw unsafe(raw, 'contains a backslash');
  if (/^[A-Za-z]:/.test(raw)) throw unsafe(raw, 'starts with a drive letter');
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw unsafe(raw, 'contains a ".." segment');
    segments.push(segment);
  }
  if (segments.length === 0) throw unsafe(raw, 'names the bundle root');
  return '/' + segments.join('/');
}

function unsafe(raw: string, why: string): BundleError {
  return new BundleError('bundle_unsafe_path', `bundle entry ${JSON.stringify(raw)} ${why}; refusing to load the bundle`, raw);
}

/** The directory part of a canonical path, as data path segments: `/a/b/data.json` → `['a', 'b']`. */
export function dataPathOf(canonicalPath: string): string[] {
  const segments = canonicalPath.split('/').filter((s) => s !== '');
  segments.pop();
  return segments;
}

export function baseName(canonicalPath: string): string {
  return canonicalPath.slice(canonicalPath.lastIndexOf('/') + 1);
}
