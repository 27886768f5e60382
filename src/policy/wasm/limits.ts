/** Size limits applied while reading a bundle, so a hostile or broken archive cannot exhaust memory. */
export interface BundleLimits {
  /** Largest accepted archive (compressed bytes as read from disk or memory). */
  readonly maxArchiveBytes: number;
  /** Largest uncompressed tar stream (gzip-bomb guard) and largest total of file bytes in a directory bundle. */
  readonly maxUnpackedBytes: number;
  /** Largest single file inside the bundle. */
  readonly maxFileBytes: number;
  /** Most entries (files and directories) a bundle may hold. */
  readonly maxEntries: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = Object.freeze({
  maxArchiveBytes: 64 * 1024 * 1024,
  maxUnpackedBytes: 256 * 1024 * 1024,
  maxFileBytes: 128 * 1024 * 1024,
  maxEntries: 10_000,
});

export function resolveLimits(overrides: Partial<BundleLimits> | undefined): BundleLimits {
  if (!overrides) return DEFAULT_BUNDLE_LIMITS;
  const merged = { ...DEFAULT_BUNDLE_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`bundle limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  return merged;
}
