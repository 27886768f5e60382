/**
 * A run of digit groups (`4111 1111 1111 1111`, `+49 30 901820`, `123-45-6789`) evaluated as every entity it could
 * be: the whole run first, then sub-windows split at whitespace (a card followed by its expiry, two numbers in a
 * row). Checksums, issuer ranges and numbering plans decide; context words raise or lower scores.
 */
import { hasContext, type WordMatcher } from '../scan/context';
import type { ScanEnv } from '../scan/env';
import {
  auTfnValid, caSinValid, cardIssuerValid, deTaxIdValid, luhnValid, ukNhsValid, usSsnValid, verhoeffValid,
} from '../validators/checksums';
import { CONTEXT } from './context-words';
import { phoneScore } from './phone';

/** One group of digits in a run (`4111` in `4111 1111 …`), digits normalised to ASCII. */
export interface Group {
  start: number;
  end: number;
  digits: string;
  /** Separator text before this group (empty for the first). */
  sep: string;
}

/** Tries the whole run, then sub-windows split at whitespace (a card followed by its expiry, two numbers). */
export function evaluateRun(env: ScanEnv, groups: Group[], firstDigit: number): void {
  const lead = firstDigit >= 0 ? leadOf(env.text, firstDigit) : -1;
  const min = 0.5;
  if (evaluateWindow(env, groups, 0, groups.length - 1, lead) >= min || groups.length === 1) return;
  // After `+` the groups are one international number: a part of it is not a national number of its own.
  if (lead >= 0 && (env.text.charCodeAt(lead) === 43 || env.text.charCodeAt(lead) === 0xff0b)) return;
  // `8698 3158 0910 4750`: evenly grouped digits that are nothing as a whole are one number (an order or a
  // tracking number); a part of it is not a phone number or an Aadhaar.
  if (isUniformBlock(groups)) return;
  for (let a = 0; a < groups.length; a++) {
    if (a > 0 && !isSpaceSep(groups[a]!.sep)) continue;
    let digitCount = 0;
    let bestEnd = -1;
    const maxB = Math.min(groups.length - 1, a + 7);
    for (let b = a; b <= maxB; b++) {
      digitCount += groups[b]!.digits.length;
      if (digitCount > 19) break;
    }
    for (let b = maxB; b >= a; b--) {
      if (a === 0 && b === groups.length - 1) continue;
      if (b < groups.length - 1 && !isSpaceSep(groups[b + 1]!.sep)) continue;
      if (evaluateWindow(env, groups, a, b, a === 0 ? lead : -1) >= min) {
        bestEnd = b;
        break;
      }
    }
    if (bestEnd >= 0) a = bestEnd;
  }
}


function isUniformBlock(groups: Group[]): boolean {
  if (groups.length < 4) return false;
  const size = groups[0]!.digits.length;
  if (size < 3) return false;
  const sep = groups[1]!.sep;
  for (let k = 1; k < groups.length; k++) {
    if (groups[k]!.digits.length !== size || groups[k]!.sep !== sep) return false;
  }
  return true;
}


export function isSpaceSep(sep: string): boolean {
  return sep === ' ' || sep === '\u00a0' || sep === '\u3000';
}


/** Index of a `+`/`(` written right before the first digit, or -1. */
function leadOf(text: string, i: number): number {
  const c = text.charCodeAt(i - 1);
  if (c === 43 || c === 0xff0b) return i - 1;
  if (c === 40) return text.charCodeAt(i - 2) === 43 ? i - 2 : i - 1;
  return -1;
}


function isDateShape(sizes: number[], seps: string[], digits: string[]): boolean {
  if (sizes.length !== 3) return false;
  if (seps[1] !== seps[2] || !(seps[1] === '.' || seps[1] === '/' || seps[1] === '-')) return false;
  const [a, b, c] = digits.map(Number) as [number, number, number];
  if (sizes[0] === 4) return b >= 1 && b <= 12 && c >= 1 && c <= 31;
  if (sizes[0]! <= 2 && sizes[1]! <= 2 && (sizes[2] === 4 || sizes[2] === 2)) {
    return (a >= 1 && a <= 31 && b >= 1 && b <= 31);
  }
  return false;
}


/** Adds every entity the window could be; returns the best score added (0 if none). */
function evaluateWindow(env: ScanEnv, groups: Group[], a: number, b: number, lead: number): number {
  const text = env.text;
  const sink = env.sink;
  let digits = '';
  const sizes: number[] = [];
  const seps: string[] = [];
  const parts: string[] = [];
  for (let k = a; k <= b; k++) {
    const g = groups[k]!;
    digits += g.digits;
    sizes.push(g.digits.length);
    seps.push(k === a ? '' : g.sep);
    parts.push(g.digits);
  }
  const nd = digits.length;
  if (nd < 6 || nd > 19) return 0;
  if (isDateShape(sizes, seps, parts)) return 0;
  const start = groups[a]!.start;
  const end = groups[b]!.end;
  let uniform = true;
  for (let k = 2; k < seps.length; k++) if (seps[k] !== seps[1]) uniform = false;
  const sep = seps.length > 1 ? seps[1]! : '';
  const cleanSep = uniform && (sep === '' || sep === ' ' || sep === '-' || sep === '\u00a0');
  const shape = sizes.join('-');
  let best = 0;
  const add = (type: string, s: number, e: number, score: number) => {
    if (score <= 0) return;
    sink.add(type, s, e, score);
    if (score > best) best = score;
  };
  const ctx = (words: WordMatcher) => hasContext(text, start, end, words);
  const notPersonal = () => hasContext(text, start, end, CONTEXT.NOT_PERSONAL, 32, 0);

  // Nobody writes a card number after `+`: that is an international phone number.
  const plusLead = lead >= 0 && (text.charCodeAt(lead) === 43 || text.charCodeAt(lead) === 0xff0b);
  if (nd >= 12 && cleanSep && !plusLead && sink.wants('CREDIT_CARD') && luhnValid(digits) && cardIssuerValid(digits)) {
    let score = 0.85;
    if (ctx(CONTEXT.CREDIT_CARD)) score = 1;
    else if (notPersonal()) score = 0.45;
    // A space-grouped 4-4-4-4 block that continues with more 4-digit groups is a longer number (tracking).
    if (b + 1 < groups.length && groups[b + 1]!.digits.length === 4 && groups[b + 1]!.sep === sep) score -= 0.4;
    add('CREDIT_CARD', start, end, score);
  }
  if (nd === 9) {
    if (sink.wants('US_SSN') && usSsnValid(digits)) {
      const dashed = shape === '3-2-4' && cleanSep && sep !== '';
      const bare = sizes.length === 1;
      if (dashed || bare) {
        let score = dashed ? (sep === '-' ? 0.6 : 0.5) : 0.3;
        if (ctx(CONTEXT.US_SSN)) score += 0.4;
        else if (notPersonal()) score -= 0.3;
        add('US_SSN', start, end, score);
      }
    }
    const threes = (shape === '3-3-3' && cleanSep) || sizes.length === 1;
    if (threes && sink.wants('CA_SIN') && caSinValid(digits)) {
      add('CA_SIN', start, end, (sizes.length === 1 ? 0.3 : 0.4) + (ctx(CONTEXT.CA_SIN) ? 0.5 : 0));
    }
    if (threes && sink.wants('AU_TFN') && auTfnValid(digits)) {
      add('AU_TFN', start, end, (sizes.length === 1 ? 0.3 : 0.4) + (ctx(CONTEXT.AU_TFN) ? 0.5 : 0));
    }
  }
  if (nd === 8 && (shape === '3-3-2' || sizes.length === 1) && sink.wants('AU_TFN') && auTfnValid(digits)) {
    add('AU_TFN', start, end, 0.3 + (ctx(CONTEXT.AU_TFN) ? 0.5 : 0));
  }
  if (nd === 10 && (shape === '3-3-4' || sizes.length === 1) && sink.wants('UK_NHS') && ukNhsValid(digits)) {
    add('UK_NHS', start, end, (sizes.length === 1 ? 0.3 : 0.4) + (ctx(CONTEXT.UK_NHS) ? 0.5 : 0));
  }
  if (nd === 11 && sink.wants('DE_TAX_ID') && deTaxIdValid(digits)) {
    if (sizes.length === 1 || shape === '2-3-3-3' || shape === '3-3-3-2' || shape === '3-4-4') {
      add('DE_TAX_ID', start, end, (sizes.length === 1 ? 0.35 : 0.45) + (ctx(CONTEXT.DE_TAX_ID) ? 0.5 : 0));
    }
  }
  if (nd === 12 && (shape === '4-4-4' || sizes.length === 1) && digits[0] !== '0' && digits[0] !== '1' &&
      sink.wants('IN_AADHAAR') && verhoeffValid(digits)) {
    add('IN_AADHAAR', start, end, (sizes.length === 1 ? 0.35 : 0.5) + (ctx(CONTEXT.IN_AADHAAR) ? 0.45 : 0));
  }
  if (sink.wants('PHONE_NUMBER') && nd >= 6 && nd <= 15) {
    const intlPlus = plusLead;
    const intl00 = !intlPlus && digits.startsWith('00') && digits[2] !== '0' && nd >= 10;
    const intl = intlPlus || intl00;
    const phoneDigits = intl00 ? digits.slice(2) : digits;
    const formatted = sizes.length > 1 || lead >= 0;
    const pStart = lead >= 0 ? lead : start;
    const score = phoneScore(text, { start: pStart, end, digits: phoneDigits, international: intl, formatted }, env);
    add('PHONE_NUMBER', pStart, end, score);
  }
  return best;
}
