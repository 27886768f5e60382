/**
 * Go time layouts ("2006-01-02T15:04:05Z07:00"): formatting and parsing with Go's rules for
 * std chunks, fractional seconds (.000 fixed, .999 trimmed) and zone offsets.
 */
import { daysIn, fromCivil, toCivil, UTC } from './civil';
import type { Zone } from './civil';
import { BuiltinError } from './types';

/** Go's predefined layouts, accepted by name as OPA does. */
export const NAMED_LAYOUTS: ReadonlyMap<string, string> = new Map([
  ['ANSIC', 'Mon Jan _2 15:04:05 2006'],
  ['UnixDate', 'Mon Jan _2 15:04:05 MST 2006'],
  ['RubyDate', 'Mon Jan 02 15:04:05 -0700 2006'],
  ['RFC822', '02 Jan 06 15:04 MST'],
  ['RFC822Z', '02 Jan 06 15:04 -0700'],
  ['RFC850', 'Monday, 02-Jan-06 15:04:05 MST'],
  ['RFC1123', 'Mon, 02 Jan 2006 15:04:05 MST'],
  ['RFC1123Z', 'Mon, 02 Jan 2006 15:04:05 -0700'],
  ['RFC3339', '2006-01-02T15:04:05Z07:00'],
  ['RFC3339Nano', '2006-01-02T15:04:05.999999999Z07:00'],
  ['Kitchen', '3:04PM'],
  ['Stamp', 'Jan _2 15:04:05'],
  ['StampMilli', 'Jan _2 15:04:05.000'],
  ['StampMicro', 'Jan _2 15:04:05.000000'],
  ['StampNano', 'Jan _2 15:04:05.000000000'],
  ['DateTime', '2006-01-02 15:04:05'],
  ['DateOnly', '2006-01-02'],
  ['TimeOnly', '15:04:05'],
]);

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const WEEKDAYS = LONG_DAYS;

type Std =
  | 'Jan' | 'January' | 'Mon' | 'Monday' | 'MST' | '01' | '02' | '03' | '04' | '05' | '06' | '002'
  | '15' | '1' | '2006' | '2' | '_2' | '__2' | '3' | '4' | '5' | 'PM' | 'pm'
  | '-070000' | '-07:00:00' | '-0700' | '-07:00' | '-07'
  | 'Z070000' | 'Z07:00:00' | 'Z0700' | 'Z07:00' | 'Z07'
  | 'frac0' | 'frac9';

interface Chunk {
  literal: string;
  std?: Std;
  /** fractional seconds: digit count and separator */
  digits?: number;
  sep?: string;
}

const lowerStart = (s: string, i: number): boolean => i < s.length && s[i] >= 'a' && s[i] <= 'z';
const isDigit = (s: string, i: number): boolean => i < s.length && s[i] >= '0' && s[i] <= '9';

/** Splits a layout into literal text and std chunks, with Go's nextStdChunk priorities. */
function chunks(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = '';
  const push = (std: Std, len: number, extra?: Partial<Chunk>): number => {
    out.push({ literal: lit, std, ...extra });
    lit = '';
    return len;
  };
  for (let i = 0; i < layout.length; ) {
    const rest = layout.slice(i);
    let n = 0;
    switch (layout[i]) {
      case 'J':
        if (rest.startsWith('January')) n = push('January', 7);
        else if (rest.startsWith('Jan') && !lowerStart(layout, i + 3)) n = push('Jan', 3);
        break;
      case 'M':
        if (rest.startsWith('Monday')) n = push('Monday', 6);
        else if (rest.startsWith('Mon') && !lowerStart(layout, i + 3)) n = push('Mon', 3);
        else if (rest.startsWith('MST')) n = push('MST', 3);
        break;
      case '0':
        if (layout[i + 1] >= '1' && layout[i + 1] <= '6') n = push(('0' + layout[i + 1]) as Std, 2);
        else if (rest.startsWith('002')) n = push('002', 3);
        break;
      case '1':
        n = layout[i + 1] === '5' ? push('15', 2) : push('1', 1);
        break;
      case '2':
        n = rest.startsWith('2006') ? push('2006', 4) : push('2', 1);
        break;
      case '_':
        if (layout[i + 1] === '2') {
          if (rest.startsWith('_2006')) {
            lit += '_';
            n = 1 + push('2006', 4);
          } else n = push('_2', 2);
        } else if (rest.startsWith('__2')) n = push('__2', 3);
        break;
      case '3':
      case '4':
      case '5':
        n = push(layout[i] as Std, 1);
        break;
      case 'P':
        if (layout[i + 1] === 'M') n = push('PM', 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') n = push('pm', 2);
        break;
      case '-':
      case 'Z': {
        const z = layout[i];
        for (const form of ['070000', '07:00:00', '0700', '07:00', '07']) {
          if (rest.startsWith(z + form)) {
            n = push((z + form) as Std, 1 + form.length);
            break;
          }
        }
        break;
      }
      case '.':
      case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigit(layout, j)) n = push(ch === '0' ? 'frac0' : 'frac9', j - i, { digits: j - i - 1, sep: layout[i] });
        }
        break;
    }
    if (n === 0) {
      lit += layout[i];
      n = 1;
    }
    i += n;
  }
  if (lit !== '' || out.length === 0) out.push({ literal: lit });
  return out;
}

const layoutCache = new Map<string, Chunk[]>();

function compiled(layout: string): Chunk[] {
  let c = layoutCache.get(layout);
  if (!c) {
    c = chunks(layout);
    if (layoutCache.size >= 500) layoutCache.delete(layoutCache.keys().next().value as string);
    layoutCache.set(layout, c);
  }
  return c;
}

const pad = (n: number, w: number, ch = '0'): string => {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : ch.repeat(w - s.length) + s);
};

function formatOffset(offset: number, std: string): string {
  if (std.startsWith('Z') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor((a % 3600) / 60), 2);
  const ss = pad(a % 60, 2);
  const form = std.slice(1);
  switch (form) {
    case '07': return sign + hh;
    case '0700': return sign + hh + mm;
    case '07:00': return sign + hh + ':' + mm;
    case '070000': return sign + hh + mm + ss;
    default: return sign + hh + ':' + mm + ':' + ss;
  }
}

/** Go's Time.Format. */
export function formatTime(ns: bigint, zone: Zone, layout: string): string {
  const t = toCivil(ns, zone);
  let out = '';
  for (const c of compiled(layout)) {
    out += c.literal;
    if (!c.std) continue;
    switch (c.std) {
      case 'Jan': out += LONG_MONTHS[t.month - 1].slice(0, 3); break;
      case 'January': out += LONG_MONTHS[t.month - 1]; break;
      case 'Mon': out += LONG_DAYS[t.weekday].slice(0, 3); break;
      case 'Monday': out += LONG_DAYS[t.weekday]; break;
      case 'MST': {
        const abbrev = zone.abbrevAt(t.unix);
        out += abbrev !== '' ? abbrev : formatOffset(t.offset, '-0700');
        break;
      }
      case '01': out += pad(t.month, 2); break;
      case '1': out += t.month; break;
      case '02': out += pad(t.day, 2); break;
      case '2': out += t.day; break;
      case '_2': out += pad(t.day, 2, ' '); break;
      case '002': out += pad(t.yearDay, 3); break;
      case '__2': out += pad(t.yearDay, 3, ' '); break;
      case '06': out += pad(((t.year % 100) + 100) % 100, 2); break;
      case '2006': out += pad(t.year, 4); break;
      case '15': out += pad(t.hour, 2); break;
      case '3': out += t.hour % 12 === 0 ? 12 : t.hour % 12; break;
      case '03': out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2); break;
      case '4': out += t.minute; break;
      case '04': out += pad(t.minute, 2); break;
      case '5': out += t.second; break;
      case '05': out += pad(t.second, 2); break;
      case 'PM': out += t.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += t.hour >= 12 ? 'pm' : 'am'; break;
      case 'frac0':
        out += c.sep + pad(t.nanos, 9).slice(0, c.digits);
        break;
      case 'frac9': {
        const digits = pad(t.nanos, 9).slice(0, c.digits).replace(/0+$/, '');
        if (digits !== '') out += c.sep + digits;
        break;
      }
      default: out += formatOffset(t.offset, c.std);
    }
  }
  return out;
}

class ParseFailure extends Error {}

const OFFSET_FORMS: ReadonlyMap<string, RegExp> = new Map([
  ['07', /^([+-])([0-9]{2})/],
  ['0700', /^([+-])([0-9]{2})([0-9]{2})/],
  ['07:00', /^([+-])([0-9]{2}):([0-9]{2})/],
  ['070000', /^([+-])([0-9]{2})([0-9]{2})([0-9]{2})/],
  ['07:00:00', /^([+-])([0-9]{2}):([0-9]{2}):([0-9]{2})/],
]);

/** Go's time.Parse: the result in ns since the epoch; zones without an offset count as UTC. */
export function parseTime(layout: string, value: string, defaultZone: Zone = UTC): bigint {
  try {
    return parse(compiled(layout), new ParseState(value, layout), defaultZone);
  } catch (e) {
    if (e instanceof ParseFailure) throw new BuiltinError(e.message);
    throw e;
  }
}

/** The unparsed rest of the value, and how to report a mismatch. */
class ParseState {
  v: string;
  constructor(readonly value: string, readonly layout: string) {
    this.v = value;
  }
  fail(elem: string, rest: string): never {
    throw new ParseFailure(`parsing time ${JSON.stringify(this.value)} as ${JSON.stringify(this.layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`);
  }
}

/** 1..maxDigits decimal digits (exactly maxDigits when fixed). */
function num(st: ParseState, std: string, fixed: boolean, maxDigits = 2): number {
  const v = st.v;
  let k = 0;
  let n = 0;
  while (k < maxDigits && k < v.length) {
    const c = v.charCodeAt(k);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    k++;
  }
  if (k === 0 || (fixed && k < maxDigits)) return st.fail(std, v);
  st.v = v.slice(k);
  return n;
}

/** Index of the (case-insensitive) name, or its first `len` letters, at the start of the value. */
function lookup(st: ParseState, std: string, names: string[], len?: number): number {
  for (let i = 0; i < names.length; i++) {
    const name = len ? names[i].slice(0, len) : names[i];
    if (st.v.slice(0, name.length).toLowerCase() === name.toLowerCase()) {
      st.v = st.v.slice(name.length);
      return i;
    }
  }
  return st.fail(std, st.v);
}

/** Nanoseconds from fraction digits (extra digits beyond 9 are dropped). */
function fraction(digits: string): number {
  return Number((digits + '000000000').slice(0, 9));
}

function parse(cs: Chunk[], st: ParseState, defaultZone: Zone): bigint {
  const value = st.value;
  let year = 1, month = 1, day = 1, yday = -1, hour = 0, minute = 0, second = 0, nanos = 0;
  let pmSet = false, amSet = false;
  let offset: number | undefined;
  for (let ci = 0; ci < cs.length; ci++) {
    const c = cs[ci];
    if (!st.v.startsWith(c.literal)) st.fail(c.literal, st.v);
    st.v = st.v.slice(c.literal.length);
    if (!c.std) continue;
    const std = c.std;
    switch (std) {
      case '2006': year = num(st, std, true, 4); break;
      case '06': { const y = num(st, std, true, 2); year = y >= 69 ? 1900 + y : 2000 + y; break; }
      case 'Jan': month = lookup(st, std, LONG_MONTHS, 3) + 1; break;
      case 'January': month = lookup(st, std, LONG_MONTHS) + 1; break;
      case 'Mon': lookup(st, std, LONG_DAYS, 3); break;
      case 'Monday': lookup(st, std, LONG_DAYS); break;
      case '01': case '1':
        month = num(st, std, std === '01');
        if (month < 1 || month > 12) throw new ParseFailure(`parsing time ${JSON.stringify(value)}: month out of range`);
        break;
      case '_2': if (st.v[0] === ' ') st.v = st.v.slice(1); day = num(st, std, false); break;
      case '02': case '2': day = num(st, std, std === '02'); break;
      case '__2': st.v = st.v.replace(/^ {1,2}/, ''); yday = num(st, std, false, 3); break;
      case '002': yday = num(st, std, true, 3); break;
      case '15': hour = num(st, std, false); if (hour > 23) throw new ParseFailure(`parsing time ${JSON.stringify(value)}: hour out of range`); break;
      case '3': case '03': hour = num(st, std, std === '03'); if (hour < 1 || hour > 12) throw new ParseFailure(`parsing time ${JSON.stringify(value)}: hour out of range`); break;
      case '4': case '04': minute = num(st, std, std === '04'); if (minute > 59) throw new ParseFailure(`parsing time ${JSON.stringify(value)}: minute out of range`); break;
      case '5': case '05': {
        second = num(st, std, std === '05');
        if (second > 59) throw new ParseFailure(`parsing time ${JSON.stringify(value)}: second out of range`);
        // A fraction in the value with none in the layout is still taken, as Go does.
        const next = cs[ci + 1];
        const layoutHasFrac = next && next.literal === '' && (next.std === 'frac0' || next.std === 'frac9');
        const m = /^[.,]([0-9]+)/.exec(st.v);
        if (m && !layoutHasFrac) {
          nanos = fraction(m[1]);
          st.v = st.v.slice(m[0].length);
        }
        break;
      }
      case 'PM': case 'pm': {
        const p = st.v.slice(0, 2);
        if (p === (std === 'PM' ? 'PM' : 'pm')) pmSet = true;
        else if (p === (std === 'PM' ? 'AM' : 'am')) amSet = true;
        else st.fail(std, st.v);
        st.v = st.v.slice(2);
        break;
      }
      case 'frac0': {
        const d = c.digits ?? 0;
        const digits = st.v.slice(1, 1 + d);
        if ((st.v[0] !== '.' && st.v[0] !== ',') || digits.length !== d || !/^[0-9]*$/.test(digits)) st.fail(c.sep + '0'.repeat(d), st.v);
        nanos = fraction(digits);
        st.v = st.v.slice(1 + d);
        break;
      }
      case 'frac9': {
        const m = /^[.,]([0-9]+)/.exec(st.v);
        if (m) {
          nanos = fraction(m[1]);
          st.v = st.v.slice(m[0].length);
        }
        break;
      }
      case 'MST': {
        if (st.v.startsWith('UTC')) { offset = 0; st.v = st.v.slice(3); break; }
        const m = /^(?:GMT[+-][0-9]{1,2}|[A-Z]{3,5}|ChST|MeST)/.exec(st.v);
        if (!m) st.fail(std, st.v);
        // Go gives an unknown abbreviation a zero offset.
        offset = 0;
        st.v = st.v.slice((m as RegExpExecArray)[0].length);
        break;
      }
      default: {
        if (std.startsWith('Z') && st.v[0] === 'Z') { offset = 0; st.v = st.v.slice(1); break; }
        const m = (OFFSET_FORMS.get(std.slice(1)) as RegExp).exec(st.v);
        if (!m) st.fail(std, st.v);
        const mm = m as RegExpExecArray;
        const secs = Number(mm[2]) * 3600 + Number(mm[3] ?? 0) * 60 + Number(mm[4] ?? 0);
        offset = mm[1] === '-' ? -secs : secs;
        st.v = st.v.slice(mm[0].length);
      }
    }
  }
  if (st.v !== '') throw new ParseFailure(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(st.v)}`);
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    const max = daysIn(2, year) === 29 ? 366 : 365;
    if (yday < 1 || yday > max) throw new ParseFailure(`parsing time ${JSON.stringify(value)}: day-of-year out of range`);
    month = 1;
    day = yday;
  } else if (day < 1 || day > daysIn(month, year)) {
    throw new ParseFailure(`parsing time ${JSON.stringify(value)}: day out of range`);
  }
  return fromCivil(year, month, day, hour, minute, second, nanos, offset ?? defaultZone);
}
