/**
 * Calendar arithmetic on nanosecond timestamps without Date's limits or float rounding:
 * proleptic Gregorian days ↔ (year, month, day), and UTC offsets of IANA zones through Intl.
 */
import { BuiltinError } from './types';

export const NS_PER_SECOND = 1_000_000_000n;
const MAX_ZONES = 200;

/** Days since 1970-01-01 of a civil date (month 1–12; out-of-range months/days normalise). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Normalise month into 1..12 first, carrying into the year.
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = ((m0 % 12) + 12) % 12 + 1;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day count since 1970-01-01. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysIn(month: number, year: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Broken-down local time of an instant. */
export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** 0 = Sunday */
  weekday: number;
  /** 1-based day of the year */
  yearDay: number;
  /** seconds east of UTC */
  offset: number;
  /** the instant in Unix seconds (for zone abbreviations, looked up only when formatted) */
  unix: number;
}

export interface Zone {
  name: string;
  /** UTC offset in seconds at the instant given in Unix seconds. */
  offsetAt(unixSeconds: number): number;
  /** The same, always asking the zone database (no memo). */
  exactOffsetAt(unixSeconds: number): number;
  abbrevAt(unixSeconds: number): string;
}

export const UTC: Zone = { name: 'UTC', offsetAt: () => 0, exactOffsetAt: () => 0, abbrevAt: () => 'UTC' };

const zones = new Map<string, Zone>();

function intlZone(name: string, iana: string | undefined): Zone {
  let fmt: Intl.DateTimeFormat;
  let abbrUS: Intl.DateTimeFormat;
  let abbrGB: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: iana, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    abbrUS = new Intl.DateTimeFormat('en-US', { timeZone: iana, timeZoneName: 'short' });
    abbrGB = new Intl.DateTimeFormat('en-GB', { timeZone: iana, timeZoneName: 'short' });
  } catch {
    throw new BuiltinError(`unknown time zone ${name}`);
  }
  const shortName = (f: Intl.DateTimeFormat, at: Date): string => f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  // Offsets memoised per 15-minute bucket when the bucket holds no transition (zone changes fall
  // on quarter hours), so the slow Intl call runs once per bucket, not once per builtin call.
  const buckets = new Map<number, number>();
  const BUCKET = 900;
  return {
    name,
    offsetAt(unixSeconds: number): number {
      const b = Math.floor(unixSeconds / BUCKET);
      const hit = buckets.get(b);
      if (hit !== undefined) return hit;
      const start = this.exactOffsetAt(b * BUCKET);
      const end = this.exactOffsetAt(b * BUCKET + BUCKET - 1);
      if (start !== end) return this.exactOffsetAt(unixSeconds);
      if (buckets.size >= 4096) buckets.clear();
      buckets.set(b, start);
      return start;
    },
    exactOffsetAt(unixSeconds: number): number {
      const parts = fmt.formatToParts(new Date(unixSeconds * 1000));
      const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
      let year = get('year');
      if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
      const local = daysFromCivil(year, get('month'), get('day')) * 86400 + get('hour') * 3600 + get('minute') * 60 + get('second');
      return local - unixSeconds;
    },
    abbrevAt(unixSeconds: number): string {
      // Intl knows US names in en-US and European ones in en-GB; elsewhere it writes "GMT+4",
      // where Go's tzdata name is "+04" (or "+0530").
      const at = new Date(unixSeconds * 1000);
      for (const f of [abbrUS, abbrGB]) {
        const n = shortName(f, at);
        if (n !== '' && !/^(GMT|UTC)[+-]/.test(n)) return n === 'GMT' && this.offsetAt(unixSeconds) !== 0 ? '' : n;
      }
      const off = this.offsetAt(unixSeconds);
      const a = Math.abs(off);
      const hh = String(Math.floor(a / 3600)).padStart(2, '0');
      const mm = Math.floor((a % 3600) / 60);
      return (off < 0 ? '-' : '+') + hh + (mm ? String(mm).padStart(2, '0') : '');
    },
  };
}

/** A time zone by name: "" and "UTC" are UTC, "Local" the process zone, else an IANA name. */
export function zoneByName(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC;
  const hit = zones.get(name);
  if (hit) return hit;
  const z = intlZone(name, name === 'Local' ? undefined : name);
  z.offsetAt(0); // validates the zone now rather than at first use
  if (zones.size >= MAX_ZONES) zones.delete(zones.keys().next().value as string);
  zones.set(name, z);
  return z;
}

/** Floor division for BigInt. */
function fdiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** Broken-down time of `ns` nanoseconds since the epoch, in `zone`. */
export function toCivil(ns: bigint, zone: Zone): Civil {
  const secs = fdiv(ns, NS_PER_SECOND);
  const nanos = Number(ns - secs * NS_PER_SECOND);
  const unix = Number(secs);
  const offset = zone.offsetAt(unix);
  const local = unix + offset;
  const days = Math.floor(local / 86400);
  const sod = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  return {
    year, month, day,
    hour: Math.floor(sod / 3600),
    minute: Math.floor((sod % 3600) / 60),
    second: sod % 60,
    nanos,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
    offset,
    unix,
  };
}

/** Nanoseconds since the epoch of local civil fields in a zone with a fixed or zone-derived offset. */
export function fromCivil(year: number, month: number, day: number, hour: number, minute: number, second: number, nanos: number, offset: number | Zone): bigint {
  const local = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  let off: number;
  if (typeof offset === 'number') off = offset;
  else {
    // Two passes settle the offset around DST transitions (as Go's Date does for most cases).
    off = offset.offsetAt(local);
    off = offset.offsetAt(local - off);
  }
  return BigInt(local - off) * NS_PER_SECOND + BigInt(nanos);
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
