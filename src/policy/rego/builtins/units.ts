/**
 * units.parse (SI and binary suffixes → number) and units.parse_bytes (→ integer byte count),
 * as OPA parses Kubernetes-style quantities. Decimal scaling goes through the exponent of the
 * decimal text, so "1.5m" is exactly 0.0015 rather than 1.5 × 0.001 with a rounding error.
 */
import { named, str } from './args';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';

type Scale = { pow10: number } | { pow2: number };

/** OPA's suffixes, plus the remaining SI prefixes (Q…q) and Zi/Yi, which OPA rejects. */
const UNIT_SCALES = new Map<string, Scale>(Object.entries({
  '': { pow10: 0 },
  Q: { pow10: 30 }, R: { pow10: 27 }, Y: { pow10: 24 }, Z: { pow10: 21 },
  E: { pow10: 18 }, e: { pow10: 18 }, P: { pow10: 15 }, p: { pow10: 15 },
  T: { pow10: 12 }, t: { pow10: 12 }, G: { pow10: 9 }, g: { pow10: 9 },
  M: { pow10: 6 }, K: { pow10: 3 }, k: { pow10: 3 }, h: { pow10: 2 }, da: { pow10: 1 },
  d: { pow10: -1 }, c: { pow10: -2 }, m: { pow10: -3 }, 'μ': { pow10: -6 }, u: { pow10: -6 },
  n: { pow10: -9 }, f: { pow10: -15 }, a: { pow10: -18 }, z: { pow10: -21 },
  y: { pow10: -24 }, r: { pow10: -27 }, q: { pow10: -30 },
  ki: { pow2: 10 }, Ki: { pow2: 10 }, mi: { pow2: 20 }, Mi: { pow2: 20 },
  gi: { pow2: 30 }, Gi: { pow2: 30 }, ti: { pow2: 40 }, Ti: { pow2: 40 },
  pi: { pow2: 50 }, Pi: { pow2: 50 }, ei: { pow2: 60 }, Ei: { pow2: 60 },
  zi: { pow2: 70 }, Zi: { pow2: 70 }, yi: { pow2: 80 }, Yi: { pow2: 80 },
} satisfies Record<string, Scale>));

/** Byte suffixes, matched after lower-casing the whole string. */
const BYTE_SCALES = new Map<string, Scale>(Object.entries({
  '': { pow10: 0 }, b: { pow10: 0 },
  k: { pow10: 3 }, kb: { pow10: 3 }, ki: { pow2: 10 }, kib: { pow2: 10 },
  m: { pow10: 6 }, mb: { pow10: 6 }, mi: { pow2: 20 }, mib: { pow2: 20 },
  g: { pow10: 9 }, gb: { pow10: 9 }, gi: { pow2: 30 }, gib: { pow2: 30 },
  t: { pow10: 12 }, tb: { pow10: 12 }, ti: { pow2: 40 }, tib: { pow2: 40 },
  p: { pow10: 15 }, pb: { pow10: 15 }, pi: { pow2: 50 }, pib: { pow2: 50 },
  e: { pow10: 18 }, eb: { pow10: 18 }, ei: { pow2: 60 }, eib: { pow2: 60 },
} satisfies Record<string, Scale>));

/** Splits "12.5Gi" into its amount and unit: the amount is the leading run of digits and dots. */
function split(s: string): [string, string] {
  let i = 0;
  while (i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '.')) i++;
  return [s.slice(0, i), s.slice(i)];
}

function scale(amount: string, sc: Scale): number {
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(amount)) throw new BuiltinError('could not parse amount to a number');
  const n = 'pow10' in sc ? Number(`${amount}e${sc.pow10}`) : Number(amount) * 2 ** sc.pow2;
  if (!Number.isFinite(n)) throw new BuiltinError('amount is too large');
  return n;
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'units.parse',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0).replaceAll('"', '');
      if (s.includes(' ')) throw new BuiltinError('spaces not allowed in resource strings');
      const [amount, unit] = split(s);
      if (amount === '') throw new BuiltinError('no amount provided');
      // As OPA: only letters after the first are case-folded, so "m" (milli) and "M" (mega) differ.
      const key = unit.length > 1 ? unit[0] + unit.slice(1).toLowerCase() : unit;
      const sc = UNIT_SCALES.get(key);
      // An unknown unit has no value: undefined (OPA raises an error, which non-strict mode also
      // turns into undefined).
      if (sc === undefined) return undefined;
      return scale(amount, sc);
    },
  },
  {
    name: 'units.parse_bytes',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0).replaceAll('"', '').toLowerCase();
      if (s.includes(' ')) throw new BuiltinError('spaces not allowed in resource strings');
      const [amount, unit] = split(s);
      if (amount === '') throw new BuiltinError('no byte amount provided');
      const sc = BYTE_SCALES.get(unit);
      if (sc === undefined) throw new BuiltinError(`byte unit ${unit} not recognized`);
      return Math.trunc(scale(amount, sc));
    },
  },
]);
