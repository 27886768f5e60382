/**
 * Why a bundle could not be read. The loader converts it into the policy layer's
 * PolicyCompileError at its boundary; the readers stay independent of that layer.
 */
export type BundleErrorCode =
  | 'bundle_io'
  | 'bundle_too_large'
  | 'bundle_corrupt'
  | 'bundle_unsafe_path'
  | 'bundle_unsupported_entry'
  | 'bundle_duplicate_file'
  | 'bundle_manifest_invalid'
  | 'bundle_data_invalid'
  | 'bundle_data_conflict'
  | 'bundle_outside_roots'
  | 'bundle_no_wasm';

export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(
    readonly code: BundleErrorCode,
    message: string,
    /** Path inside the bundle (e.g. `/data.json`) the problem is about, when there is one. */
    readonly file?: string,
  ) {
    super(message);
  }
}
