/**
 * Everything that starts at a digit: digit runs with separators (phone, card, SSN, national IDs, IPv4), tokens
 * that glue letters and digits (IBAN, ES NIF/NIE, IT codice fiscale, Bitcoin Base58, Ethereum) and IPv6.
 * Called by the scanner at each digit the prefilter finds; returns the index to resume scanning from.
 */
import { digitValue, isAsciiAlnum, isAsciiLetter, isUpper } from '../scan/chars';
import { hasContext } from '../scan/context';
import type { ScanEnv } from '../scan/env';
import { esNieValid, esNifValid, itFiscalCodeValid } from '../validators/checksums';
import { base58CheckValid, ethereumAddressValid } from '../validators/crypto-addresses';
import { CONTEXT } from './context-words';
import { evaluateRun, isSpaceSep, type Group } from './digit-windows';
import { tryIban } from './iban';
import { onDotted, tryIpv6 } from './ip-address';

const MAX_GROUPS = 48;

function isSepChar(c: number): boolean {
  return (
    c === 32 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41 || c === 0xa0 || c === 0x202f ||
    (c >= 0x2010 && c <= 0x2015) || c === 0x2212 || c === 0xff0d || c === 0x30fc || c === 0x3000
  );
}

function readDigits(text: string, pos: number): number {
  while (pos < text.length && digitValue(text.charCodeAt(pos)) >= 0) pos++;
  return pos;
}

function normDigits(text: string, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end && ascii; i++) ascii = text.charCodeAt(i) <= 57;
  if (ascii) return text.slice(start, end);
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(48 + digitValue(text.charCodeAt(i)));
  return out;
}

export function onDigit(env: ScanEnv, i: number): number {
  const text = env.text;
  const n = text.length;
  let ts = i;
  while (ts > 0 && isAsciiAlnum(text.charCodeAt(ts - 1))) ts--;
  let te = i;
  while (te < n) {
    const c = text.charCodeAt(te);
    if (!isAsciiAlnum(c) && digitValue(c) < 0) break;
    te++;
  }
  if (text.charCodeAt(te) === 58 || (ts > 0 && text.charCodeAt(ts - 1) === 58)) {
    const end = tryIpv6(env, ts);
    if (end > 0) return end;
  }
  if (ts < i) return onLetterLedToken(env, ts, i, te);
  for (let k = i; k < te; k++) {
    if (isAsciiLetter(text.charCodeAt(k))) return onDigitLedMixedToken(env, i, te);
  }
  return onNumericRun(env, i);
}

/** Token like `DE89…`, `X1234567L`, `RSSMRA85T10A562S`: letters first, then digits. */
function onLetterLedToken(env: ScanEnv, ts: number, firstDigit: number, te: number): number {
  const text = env.text;
  const sink = env.sink;
  const letters = firstDigit - ts;
  if (letters === 2 && sink.wants('IBAN_CODE')) {
    const end = tryIban(env, ts);
    if (end > 0) return end;
  }
  if (letters === 1 && sink.wants('ES_NIE')) {
    const m = /[XYZxyz]-?(\d{7})-?([A-Za-z])(?![A-Za-z0-9])/y;
    m.lastIndex = ts;
    const r = m.exec(text);
    if (r) {
      const value = (text[ts]! + r[1]! + r[2]!).toUpperCase();
      const end = ts + r[0].length;
      if (esNieValid(value)) {
        sink.add('ES_NIE', ts, end, hasContext(text, ts, end, CONTEXT.ES_NIE) ? 0.95 : 0.75);
      }
      return end;
    }
  }
  if (te - ts === 16 && sink.wants('IT_FISCAL_CODE')) {
    const value = text.slice(ts, te).toUpperCase();
    if (itFiscalCodeValid(value)) {
      sink.add('IT_FISCAL_CODE', ts, te, hasContext(text, ts, te, CONTEXT.IT_FISCAL_CODE) ? 1 : 0.85);
    }
  }
  return te;
}

/** Token like `0x52908400098527886E0F7030069857D2E4169EE7`, `1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa`, `12345678Z`. */
function onDigitLedMixedToken(env: ScanEnv, ts: number, te: number): number {
  const text = env.text;
  const sink = env.sink;
  const len = te - ts;
  const c0 = text.charCodeAt(ts);
  if (sink.wants('CRYPTO')) {
    if (len === 42 && c0 === 48 && (text[ts + 1] === 'x' || text[ts + 1] === 'X')) {
      if (ethereumAddressValid('0x' + text.slice(ts + 2, te))) sink.add('CRYPTO', ts, te, 0.9);
      return te;
    }
    if ((c0 === 49 || c0 === 51) && len >= 25 && len <= 35 && base58CheckValid(text.slice(ts, te))) {
      sink.add('CRYPTO', ts, te, 0.95);
      return te;
    }
  }
  if (len === 9 && sink.wants('ES_NIF')) {
    const value = text.slice(ts, te).toUpperCase();
    if (esNifValid(value)) sink.add('ES_NIF', ts, te, hasContext(text, ts, te, CONTEXT.ES_NIF) ? 0.95 : 0.75);
  }
  return te;
}

/** Cheap look-ahead: end of the run and its digit count, without allocating (most numbers in text are short). */
function measureRun(text: string, i: number): { end: number; digits: number; dots: number } {
  const n = text.length;
  let pos = i;
  let digits = 0;
  let dots = 0;
  for (let groups = 0; groups < MAX_GROUPS; groups++) {
    const gEnd = readDigits(text, pos);
    digits += gEnd - pos;
    pos = gEnd;
    let s = pos;
    while (s < n && s - pos < 3 && isSepChar(text.charCodeAt(s))) s++;
    if (s === pos || s >= n || digitValue(text.charCodeAt(s)) < 0) break;
    if (s - pos === 1 && text.charCodeAt(pos) === 46) dots++;
    pos = s;
  }
  return { end: pos, digits, dots };
}

function onNumericRun(env: ScanEnv, i: number): number {
  const text = env.text;
  const n = text.length;
  const quick = measureRun(text, i);
  // Too short for any entity (the shortest are 6-digit national phone numbers; IPv4 needs three dots).
  if (quick.digits < 6 && quick.dots < 3) return quick.end;
  const groups: Group[] = [];
  let pos = i;
  let sep = '';
  for (;;) {
    const gEnd = readDigits(text, pos);
    groups.push({ start: pos, end: gEnd, digits: normDigits(text, pos, gEnd), sep });
    pos = gEnd;
    if (groups.length >= MAX_GROUPS || gEnd - groups[groups.length - 1]!.start > 40) break;
    let s = pos;
    while (s < n && s - pos < 3 && isSepChar(text.charCodeAt(s))) s++;
    if (s === pos || s >= n || digitValue(text.charCodeAt(s)) < 0) break;
    sep = text.slice(pos, s);
    pos = s;
  }
  const runEnd = pos;
  // A run glued to letters after it (`10am`, `12345678Z`, `12345678-Z`).
  const after = text.charCodeAt(runEnd);
  if (isAsciiLetter(after)) {
    const last = groups[groups.length - 1]!;
    if (last.digits.length === 8 && !isAsciiAlnum(text.charCodeAt(runEnd + 1)) && env.sink.wants('ES_NIF')) {
      const value = last.digits + text[runEnd]!.toUpperCase();
      if (esNifValid(value)) {
        env.sink.add('ES_NIF', last.start, runEnd + 1, hasContext(text, last.start, runEnd + 1, CONTEXT.ES_NIF) ? 0.95 : 0.75);
      }
    }
    return runEnd; // `10am`, `2024-05-01T12:00`: part of a word or a timestamp
  } else if (after === 45 && isUpper(text.charCodeAt(runEnd + 1)) && !isAsciiAlnum(text.charCodeAt(runEnd + 2))) {
    const last = groups[groups.length - 1]!;
    const value = last.digits + text[runEnd + 1]!;
    if (last.digits.length === 8 && esNifValid(value)) env.sink.add('ES_NIF', last.start, runEnd + 2, 0.8);
  }
  const before = i > 0 ? text.charCodeAt(i - 1) : 0;
  // ES NIE written with hyphens: `X-1234567-L`.
  if (before === 45 && i > 1 && 'XYZxyz'.includes(text[i - 2]!) && !isAsciiAlnum(text.charCodeAt(i - 3))) {
    const m = /[XYZxyz]-(\d{7})-([A-Za-z])(?![A-Za-z0-9])/y;
    m.lastIndex = i - 2;
    const r = m.exec(text);
    if (r && env.sink.wants('ES_NIE')) {
      const end = i - 2 + r[0].length;
      if (esNieValid((text[i - 2]! + r[1]! + r[2]!).toUpperCase())) {
        env.sink.add('ES_NIE', i - 2, end, hasContext(text, i - 2, end, CONTEXT.ES_NIE) ? 0.95 : 0.75);
      }
      return end;
    }
  }
  // Part of a code like `SKU-4111…` or `v2.1.0`: not personal data.
  if ((before === 45 || before === 95 || before === 46 || before === 47 || before === 92) && i > 1 &&
      isAsciiAlnum(text.charCodeAt(i - 2))) {
    return runEnd;
  }
  if (groups.length >= 4 && groups[1]!.sep === '.' && groups[2]!.sep === '.' && groups[3]!.sep === '.') {
    return onDotted(env, groups, runEnd);
  }
  // `2012-2015`, `1998–2004`: a range of years.
  if (groups.length === 2 && groups[0]!.digits.length === 4 && groups[1]!.digits.length === 4 &&
      isYear(groups[0]!.digits) && isYear(groups[1]!.digits) && groups[1]!.sep.trim().length === 1) {
    return runEnd;
  }
  // `0b 06 03 55 04 03 13 04 54`: bytes of a hex dump, cut into digit-only runs by the bytes with letters.
  if (isHexDumpRun(text, groups, i, runEnd)) return runEnd;
  // A date inside the run (`2025-04-25 09:14`, `0.3.0 / 2015-05-12`, `Tel 030 1234567, 01.02.2024`) is no part
  // of a phone or card number: what stands before and after it is evaluated on its own.
  const date = findDate(groups);
  if (date >= 0) {
    if (date > 0) evaluatePart(env, groups, 0, date - 1, i, runEnd);
    if (date + 3 < groups.length) evaluatePart(env, groups, date + 3, groups.length - 1, -1, runEnd);
    return runEnd;
  }
  evaluatePart(env, groups, 0, groups.length - 1, i, runEnd);
  return runEnd;
}

/** Groups `first..last` of a run as one candidate run; `firstDigit` < 0 when they do not start the run. */
function evaluatePart(env: ScanEnv, groups: Group[], first: number, last: number, firstDigit: number, runEnd: number): void {
  const text = env.text;
  // `… 09:14`: the hour of a time.
  if (last === groups.length - 1 && text.charCodeAt(runEnd) === 58 && digitValue(text.charCodeAt(runEnd + 1)) >= 0 &&
      groups[last]!.digits.length <= 2 && (last === first || isSpaceSep(groups[last]!.sep))) {
    last--;
  }
  if (last < first) return;
  // `-2.195243, 163.013290`: a decimal number (coordinates, measurements).
  if (last === first + 1 && groups[last]!.sep === '.' && groups[first]!.digits.length <= 3 &&
      groups[last]!.digits.length >= 4) {
    return;
  }
  let digits = 0;
  for (let k = first; k <= last; k++) digits += groups[k]!.digits.length;
  if (digits < 6) return;
  evaluateRun(env, first === 0 && last === groups.length - 1 ? groups : groups.slice(first, last + 1), firstDigit);
}

/** Index of the first group of a date (`2024-05-01`, `01.05.2024`, `2024/05/01`) in the run, or -1. */
function findDate(groups: Group[]): number {
  for (let k = 0; k + 2 < groups.length; k++) {
    // A date starts the run or follows a space-like separator (`0.3.0 / 2015-05-12`), and ends it or is followed by one.
    if (k > 0 && groups[k]!.sep.trim() === groups[k]!.sep) continue;
    if (k + 3 < groups.length && groups[k + 3]!.sep.trim() === groups[k + 3]!.sep) continue;
    if (isDateAt(groups, k)) return k;
  }
  return -1;
}

function isHexByte(text: string, at: number): boolean {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  const hex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
  return hex(a) && hex(b);
}

/** Two-digit groups between single spaces, next to a two-character hex byte that has a letter. */
function isHexDumpRun(text: string, groups: Group[], first: number, runEnd: number): boolean {
  for (let k = 0; k < groups.length; k++) {
    if (groups[k]!.digits.length !== 2 || (k > 0 && groups[k]!.sep !== ' ')) return false;
  }
  const byteBefore = first >= 3 && text.charCodeAt(first - 1) === 32 && isHexByte(text, first - 3) &&
    !isAsciiAlnum(text.charCodeAt(first - 4));
  const byteAfter = text.charCodeAt(runEnd) === 32 && isHexByte(text, runEnd + 1) && !isAsciiAlnum(text.charCodeAt(runEnd + 3));
  return byteBefore || byteAfter;
}

function isYear(d: string): boolean {
  return (d[0] === '1' && d[1] === '9') || (d[0] === '2' && d[1] === '0');
}

/** Groups `k..k+2` are a date (same separator `-`, `.` or `/`; year first or last; plausible month and day). */
function isDateAt(groups: Group[], k: number): boolean {
  const sep = groups[k + 1]!.sep;
  if (groups[k + 2]!.sep !== sep || (sep !== '-' && sep !== '.' && sep !== '/')) return false;
  const a = groups[k]!.digits;
  const b = groups[k + 1]!.digits;
  const c = groups[k + 2]!.digits;
  if (a.length === 4) return b.length <= 2 && +b >= 1 && +b <= 12 && c.length <= 2 && +c >= 1 && +c <= 31;
  if (a.length <= 2 && b.length <= 2 && c.length === 4) return +a >= 1 && +a <= 31 && +b >= 1 && +b <= 31;
  return false;
}

