/**
 * Time builtins on int64 nanoseconds since the Unix epoch, with Go's calendar rules and IANA
 * zones through Intl: time.now_ns, time.parse_ns, time.parse_rfc3339_ns, time.parse_duration_ns,
 * time.format, time.date, time.clock, time.weekday, time.add_date, time.diff.
 * Arguments that take a zone accept `ns` or `[ns, "Zone"]` ("" and "UTC" are UTC, "Local" is the
 * process zone); time.format also `[ns, "Zone", "layout"]`.
 */
import { named, int, str } from './args';
import { daysIn, fromCivil, INT64_MAX, INT64_MIN, NS_PER_SECOND, toCivil, UTC, zoneByName } from './civil';
import type { Zone } from './civil';
import { formatTime, NAMED_LAYOUTS, parseTime, WEEKDAYS } from './golayout';
import { regoString } from './format';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import type { Value } from '../value';

const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';

function toNs(n: number): bigint {
  // OPA truncates fractional nanoseconds; doubles above 2^53 are integers already.
  return BigInt(Math.trunc(n));
}

function checkRange(ns: bigint): bigint {
  if (ns < INT64_MIN || ns > INT64_MAX) throw new BuiltinError('time outside of valid range');
  return ns;
}

/** `ns` or `[ns, zone]` (and `[ns, zone, layout]` when layouts are allowed). */
function timeArg(name: string, v: Value, allowLayout = false): { ns: bigint; zone: Zone; layout: string | undefined } {
  if (typeof v === 'number') return { ns: toNs(v), zone: UTC, layout: undefined };
  if (Array.isArray(v) && (v.length === 2 || (allowLayout && v.length === 3)) && typeof v[0] === 'number' && typeof v[1] === 'string' && (v.length === 2 || typeof v[2] === 'string')) {
    const layout = v.length === 3 ? (v[2] as string) : undefined;
    return { ns: toNs(v[0]), zone: zoneByName(v[1]), layout };
  }
  const shape = allowLayout ? '`number`, `array[number, string]` or `array[number, string, string]`' : '`number` or `array[number, string]`';
  throw new BuiltinError(`\`${name}\` expects \`ns\` to be a ${shape}. Got \`${regoString(v)}\` instead`);
}

function layoutOf(s: string): string {
  return NAMED_LAYOUTS.get(s) ?? s;
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: NS_PER_SECOND, m: 60n * NS_PER_SECOND, h: 3600n * NS_PER_SECOND,
};

/** Go's time.ParseDuration, computed exactly. */
export function parseDuration(s: string): bigint {
  const bad = (): never => {
    throw new BuiltinError(`time: invalid duration ${JSON.stringify(s)}`);
  };
  let rest = s;
  let neg = false;
  if (rest[0] === '-' || rest[0] === '+') {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') bad();
  let total = 0n;
  const re = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
  while (rest !== '') {
    const m = re.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) bad();
    const mm = m as RegExpExecArray;
    const unitText = mm[3].match(/^(ns|us|µs|μs|ms|s|m|h)/)?.[0];
    if (unitText === undefined) throw new BuiltinError(`time: unknown unit ${JSON.stringify(mm[3])} in duration ${JSON.stringify(s)}`);
    const unit = UNIT_NS[unitText];
    let v = BigInt(mm[1] || '0') * unit;
    if (mm[2]) v += (BigInt(mm[2]) * unit) / 10n ** BigInt(mm[2].length);
    total += v;
    if (total > INT64_MAX + (neg ? 1n : 0n)) bad();
    rest = rest.slice(mm[1].length + (mm[2] !== undefined ? mm[2].length + 1 : 0) + unitText.length);
  }
  return neg ? -total : total;
}

function addDate(ns: bigint, years: number, months: number, days: number): bigint {
  const t = toCivil(ns, UTC);
  // Go's AddDate normalises overflow (Oct 31 + 1 month = Dec 1), as day arithmetic does here.
  const y = t.year + years;
  const mo = t.month + months;
  return fromCivil(y, mo, t.day + days, t.hour, t.minute, t.second, t.nanos, 0);
}

/** Years, months, days, hours, minutes, seconds between two instants (OPA's time.diff). */
function diff(a: { ns: bigint; zone: Zone }, b: { ns: bigint; zone: Zone }): number[] {
  let [t1, t2] = [a.ns, b.ns];
  if (t1 > t2) [t1, t2] = [t2, t1];
  // Both in the first argument's zone, as OPA converts the second.
  const c1 = toCivil(t1, a.zone);
  const c2 = toCivil(t2, a.zone);
  let year = c2.year - c1.year;
  let month = c2.month - c1.month;
  let day = c2.day - c1.day;
  let hour = c2.hour - c1.hour;
  let min = c2.minute - c1.minute;
  let sec = c2.second - c1.second;
  if (sec < 0) { sec += 60; min--; }
  if (min < 0) { min += 60; hour--; }
  if (hour < 0) { hour += 24; day--; }
  if (day < 0) { day += daysIn(c1.month, c1.year); month--; }
  if (month < 0) { month += 12; year--; }
  return [year, month, day, hour, min, sec];
}

function stringArg(name: string, args: Value[], i: number): string {
  const v = args[i];
  if (typeof v !== 'string') throw new BuiltinError(`\`${name}\` expects string argument. Got \`${regoString(v)}\` instead`);
  return v;
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'time.now_ns',
    arity: 0,
    nondeterministic: true,
    fn: (_args, ctx) => Number(ctx.nowNs()),
  },
  {
    name: 'time.parse_ns',
    arity: 2,
    fn: (args) => Number(checkRange(parseTime(layoutOf(str(args, 0)), stringArg('time.parse_ns', args, 1)))),
  },
  {
    name: 'time.parse_rfc3339_ns',
    arity: 1,
    fn: (args) => Number(checkRange(parseTime(RFC3339_NANO, stringArg('time.parse_rfc3339_ns', args, 0)))),
  },
  {
    name: 'time.parse_duration_ns',
    arity: 1,
    fn: (args) => Number(parseDuration(stringArg('time.parse_duration_ns', args, 0))),
  },
  {
    name: 'time.format',
    arity: 1,
    fn: (args) => {
      const t = timeArg('time.format', args[0], true);
      return formatTime(t.ns, t.zone, t.layout === undefined ? RFC3339_NANO : layoutOf(t.layout));
    },
  },
  {
    name: 'time.date',
    arity: 1,
    fn: (args) => {
      const t = timeArg('time.date', args[0]);
      const c = toCivil(t.ns, t.zone);
      return [c.year, c.month, c.day];
    },
  },
  {
    name: 'time.clock',
    arity: 1,
    fn: (args) => {
      const t = timeArg('time.clock', args[0]);
      const c = toCivil(t.ns, t.zone);
      return [c.hour, c.minute, c.second];
    },
  },
  {
    name: 'time.weekday',
    arity: 1,
    fn: (args) => {
      const t = timeArg('time.weekday', args[0]);
      return WEEKDAYS[toCivil(t.ns, t.zone).weekday];
    },
  },
  {
    name: 'time.add_date',
    arity: 4,
    fn: (args) => {
      const v = args[0];
      if (typeof v !== 'number') throw new BuiltinError(`\`time.add_date\` expects \`ns\` to be a \`number\`. Got \`${regoString(v)}\` instead`);
      return Number(checkRange(addDate(toNs(v), int(args, 1), int(args, 2), int(args, 3))));
    },
  },
  {
    name: 'time.diff',
    arity: 2,
    fn: (args) => diff(timeArg('time.diff', args[0]), timeArg('time.diff', args[1])),
  },
]);

