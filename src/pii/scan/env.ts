/** Per-scan state handed to recognizers. */
import type { CountryCode } from 'libphonenumber-js/max';
import { languageRegions } from '../recognizers/language-regions';
import type { CandidateSink } from './sink';

/** Also the phone recognizer's region source (see recognizers/phone.ts `PhoneRegions`). */
export class ScanEnv {
  private regionBucket = -1;
  private memoMap: Map<string, number> | null = null;
  private regionCache: readonly CountryCode[] = [];

  constructor(
    readonly text: string,
    readonly sink: CandidateSink,
    private readonly baseRegions: readonly CountryCode[],
  ) {}

  /** Per-scan memo for recognizers (e.g. where the next PEM END line is), so repeated look-ups stay linear. */
  get memo(): Map<string, number> {
    return (this.memoMap ??= new Map());
  }

  /** Configured phone regions. */
  get base(): readonly CountryCode[] {
    return this.baseRegions;
  }

  /** Regions suggested by the language near `at` and not configured (recomputed per 1 KiB bucket, on demand). */
  languageAt(at: number): readonly CountryCode[] {
    const bucket = at >> 10;
    if (bucket !== this.regionBucket) {
      this.regionBucket = bucket;
      this.regionCache = languageRegions(this.text, at).filter((r) => !this.baseRegions.includes(r));
    }
    return this.regionCache;
  }
}
