/** Per-scan state handed to recognizers. */
import type { CountryCode } from 'libphonenumber-js/max';
import { languageRegions } from '../recognizers/language-regions';
import type { CandidateSink } from './sink';

export class ScanEnv {
  private regionBucket = -1;
  private regionCache: readonly CountryCode[] = [];

  constructor(
    readonly text: string,
    readonly sink: CandidateSink,
    private readonly baseRegions: readonly CountryCode[],
  ) {}

  /** Configured regions plus those suggested by the language near `at` (recomputed per 1 KiB bucket). */
  regionsAt(at: number): readonly CountryCode[] {
    const bucket = at >> 10;
    if (bucket !== this.regionBucket) {
      this.regionBucket = bucket;
      const extra = languageRegions(this.text, at).filter((r) => !this.baseRegions.includes(r));
      this.regionCache = extra.length ? [...this.baseRegions, ...extra] : this.baseRegions;
    }
    return this.regionCache;
  }
}
