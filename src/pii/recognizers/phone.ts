/**
 * Phone numbers: validated against libphonenumber's full metadata (`libphonenumber-js/max`), so a digit run is a
 * phone only if it is a real number plan entry for its country (international form) or for one of the regions
 * in play (configured hints plus the language of the surrounding text).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { CONTEXT } from './context-words';
import { hasContext, WordMatcher } from '../scan/context';

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

/**
 * Phone words and the regions of their language. They raise a candidate's score, and a national-format number
 * right after "Telefon", "llámame", "Bel me op" or "Mobile" is tried against the numbering plans of the word's
 * language even when the text around it is too short to tell its language (forms, chat lines).
 */
const WORD_REGIONS: ReadonlyArray<[readonly string[], readonly CountryCode[]]> = [
  [['phone', 'mobile', 'cell', 'call', 'contact', 'reach', 'text me', 'ring', 'my number', 'new number', 'phone number'],
    ['US', 'GB', 'CA', 'AU', 'IE', 'IN', 'NZ', 'ZA', 'SG']],
  // Used in every language: the common regions of all of them.
  [['tel', 'tel.', 'fax', 'sms', 'whatsapp', 'mobile', 'phone'],
    ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BE', 'AT', 'CH', 'PT', 'BR', 'MX', 'CA', 'AU', 'IE', 'IN', 'JP']],
  [['telefon', 'telefonnummer', 'handy', 'handynummer', 'rufnummer', 'anrufen', 'festnetz', 'mobilnummer', 'mobil',
    'ruf mich', 'kontakt', 'nummer', 'erreichbar'], ['DE', 'AT', 'CH']],
  [['téléphone', 'telephone', 'portable', 'appeler', 'appelle', 'appel', 'joindre', 'tél', 'mon numéro'],
    ['FR', 'BE', 'CH', 'CA', 'LU']],
  [['teléfono', 'telefono', 'móvil', 'movil', 'celular', 'llamar', 'llámame', 'llamame', 'llama', 'mi número'],
    ['ES', 'MX', 'AR', 'CO', 'CL', 'PE']],
  [['telefono', 'cellulare', 'chiamami', 'chiamare', 'chiama', 'cell.', 'mio numero'], ['IT', 'CH']],
  [['telefoon', 'mobiel', 'bel me', 'bellen', 'bel ons'], ['NL', 'BE']],
  [['telefone', 'telemóvel', 'celular', 'liga-me', 'ligar', 'liga', 'zap', 'whatsapp'], ['BR', 'PT']],
  [['電話', '携帯', 'でんわ', '連絡', 'ファックス'], ['JP']],
];

const REGIONS_OF_WORD = new Map<string, CountryCode[]>();
for (const [words, regions] of WORD_REGIONS) {
  for (const w of words) {
    const list = REGIONS_OF_WORD.get(w) ?? [];
    for (const r of regions) if (!list.includes(r)) list.push(r);
    REGIONS_OF_WORD.set(w, list);
  }
}
const PHONE_WORD = new WordMatcher([...REGIONS_OF_WORD.keys()]);
const NO_REGIONS: readonly CountryCode[] = [];

/**
 * Words that are phone words only right before the number (`call 0468 954 922`, `call me at …`): in technical
 * text they are everywhere (`function call (1234567)`, `reach 100000 users`).
 */
const ADJACENT_ONLY = new Set(['call', 'reach', 'ring', 'liga', 'llama', 'chiama', 'appel']);
const ADJACENT_GAP = /^[\s:]*(?:(?:me|us|him|her|them|at|on|to|under|unter|au|al|me op|op|per|por|em|no|na)[\s:]+)*$/i;

/** Regions named by phone words in the 48 characters before `start` (null when there is no phone word). */
function phoneWordsBefore(text: string, start: number): readonly CountryCode[] | null {
  let out: CountryCode[] | null = null;
  const window = text.slice(start > 48 ? start - 48 : 0, start);
  PHONE_WORD.each(window, (word, end) => {
    const lower = word.toLowerCase();
    if (ADJACENT_ONLY.has(lower) && !ADJACENT_GAP.test(window.slice(end))) return;
    const regions = REGIONS_OF_WORD.get(lower);
    out ??= [];
    if (regions) for (const r of regions) if (!out.includes(r)) out.push(r);
  });
  return out;
}

/** A phone word in the clause right after the number (`0612345678 (mobile)`). */
function phoneWordAfter(text: string, end: number): boolean {
  const tail = text.slice(end, end + 16);
  const cut = tail.search(/[,;\n0-9]/);
  return PHONE_WORD.test(cut >= 0 ? tail.slice(0, cut) : tail);
}

/** Where the candidate's national regions come from: configured, then the language of the text around it. */
export interface PhoneRegions {
  readonly base: readonly CountryCode[];
  /** Regions suggested by the text's language near `at`, not already in `base` (computed on demand). */
  languageAt(at: number): readonly CountryCode[];
}

function validIn(digits: string, regions: readonly CountryCode[], skip: readonly CountryCode[]): boolean {
  for (const region of regions) if (!skip.includes(region) && isValidNumber(digits, region)) return true;
  return false;
}

/** Score of a phone candidate, 0 when it is not a valid number in any region considered. */
export function phoneScore(text: string, c: PhoneCandidate, regions: PhoneRegions): number {
  const n = c.digits.length;
  const words = phoneWordsBefore(text, c.start);
  let base: number;
  if (c.international) {
    if (n < 8 || n > 15 || !isValidNumber(c.digits, undefined)) return 0;
    base = 0.75;
  } else {
    if (n < 6 || n > 14) return 0;
    // Configured regions, the regions of a phone word right before it, then those of the text's language.
    const valid = validIn(c.digits, regions.base, NO_REGIONS) ||
      (words !== null && validIn(c.digits, words, regions.base)) ||
      validIn(c.digits, regions.languageAt(c.start), NO_REGIONS);
    if (!valid) return 0;
    base = c.formatted ? 0.6 : 0.35;
  }
  if (words !== null || phoneWordAfter(text, c.end)) base += 0.3;
  else if (hasContext(text, c.start, c.end, CONTEXT.NOT_PERSONAL, 24, 0)) base -= 0.3;
  return base;
}
