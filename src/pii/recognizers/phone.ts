/**
 * Phone numbers: validated against libphonenumber's full metadata (`libphonenumber-js/max`), so a digit run is a
 * phone only if it is a real number plan entry for its country (international form) or for one of the regions
 * in play (configured hints plus the language of the surrounding text).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { CONTEXT } from './context-words';
import { hasContext } from '../scan/context';

export interface PhoneCandidate {
  start: number;
  end: number;
  /** Normalised ASCII digits, without a leading `+`/`00`. */
  digits: string;
  /** Written with `+` (or `00`) in front: international format. */
  international: boolean;
  /** Written with separators or parentheses (as people write phone numbers), not a bare digit block. */
  formatted: boolean;
}

// Parsing is the costly step (~10 µs); remember recent verdicts so repeated numbers in a text are cheap.
const verdictCache = new Map<string, boolean>();
const CACHE_LIMIT = 4096;

function isValidNumber(digits: string, region: CountryCode | undefined): boolean {
  const key = region ? region + digits : '+' + digits;
  const hit = verdictCache.get(key);
  if (hit !== undefined) return hit;
  let valid = false;
  try {
    const parsed = region ? parsePhoneNumberFromString(digits, region) : parsePhoneNumberFromString('+' + digits);
    valid = parsed !== undefined && parsed.isValid();
  } catch {
    valid = false;
  }
  if (verdictCache.size >= CACHE_LIMIT) verdictCache.clear();
  verdictCache.set(key, valid);
  return valid;
}

/** Score of a phone candidate, 0 when it is not a valid number in any region considered. */
export function phoneScore(text: string, c: PhoneCandidate, regions: readonly CountryCode[]): number {
  const n = c.digits.length;
  let base = 0;
  if (c.international) {
    if (n < 8 || n > 15) return 0;
    if (!isValidNumber(c.digits, undefined)) return 0;
    base = 0.75;
  } else {
    if (n < 6 || n > 14) return 0;
    let valid = false;
    for (const region of regions) {
      if (isValidNumber(c.digits, region)) {
        valid = true;
        break;
      }
    }
    if (!valid) return 0;
    base = c.formatted ? 0.6 : 0.35;
  }
  if (hasContext(text, c.start, c.end, CONTEXT.PHONE_NUMBER, 48, 16)) base += 0.3;
  else if (hasContext(text, c.start, c.end, CONTEXT.NOT_PERSONAL, 24, 0)) base -= 0.3;
  return base;
}
