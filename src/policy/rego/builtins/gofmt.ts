/**
 * Go fmt's verb formatting for one value: integers (bases, sign, zero padding), floats (%e %f %g
 * with Go's exponent and rounding rules), strings (%s %q %x) and width/precision handling.
 */

export interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

export function pad(s: string, spec: Spec, allowZero: boolean): string {
  if (spec.width === undefined || [...s].length >= spec.width) return s;
  const n = spec.width - [...s].length;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && allowZero) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

export function signOf(negative: boolean, spec: Spec): string {
  return negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
}

export function formatInt(v: bigint, verb: string, spec: Spec): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'b': digits = abs.toString(2); if (spec.sharp) prefix = '0b'; break;
    case 'o': digits = abs.toString(8); if (spec.sharp) prefix = '0'; break;
    case 'O': digits = abs.toString(8); prefix = '0o'; break;
    case 'x': digits = abs.toString(16); if (spec.sharp) prefix = '0x'; break;
    case 'X': digits = abs.toString(16).toUpperCase(); if (spec.sharp) prefix = '0X'; break;
    default: digits = abs.toString(10);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0n) digits = '';
    else if (digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  }
  if (verb === 'o' && prefix === '0' && digits.startsWith('0')) prefix = '';
  const body = signOf(neg, spec) + prefix + digits;
  // Go ignores the 0 flag when a precision is given for integers.
  return pad(body, spec, spec.prec === undefined);
}

/** Decimal digits and exponent of |x| in shortest round-trip form (Go's shortest digits). */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mant, e] = Math.abs(x).toExponential().split('e');
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

function expSuffix(e: number, upper: boolean): string {
  const a = Math.abs(e);
  return (upper ? 'E' : 'e') + (e < 0 ? '-' : '+') + (a < 10 ? '0' + a : String(a));
}

/** Adds one unit in the last place to a string of decimal digits (with optional '.'). */
function incrementDecimal(s: string): string {
  const chars = s.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '.') continue;
    if (chars[i] !== '9') {
      chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
      return chars.join('');
    }
    chars[i] = '0';
  }
  return '1' + chars.join('');
}

function fixed(x: number, prec: number): string {
  const a = Math.abs(x);
  if (a < 1e21) {
    // toFixed rounds exact ties away from zero; Go rounds them to even (2.5 → "2").
    if (prec + 25 <= 100) {
      const long = a.toFixed(prec + 25);
      const cut = long.length - 25;
      if (/^50*$/.test(long.slice(cut))) {
        const kept = long.slice(0, prec === 0 ? cut - 1 : cut);
        const last = kept.charCodeAt(kept.length - 1) - 48;
        return last % 2 === 0 ? kept : incrementDecimal(kept);
      }
    }
    return a.toFixed(prec);
  }
  // toFixed switches to exponent form at 1e21; such doubles are integers, so print them exactly.
  return BigInt(a).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
}

function exponent(x: number, prec: number | undefined, upper: boolean): string {
  const a = Math.abs(x);
  const s = prec === undefined ? a.toExponential() : a.toExponential(Math.min(prec, 100));
  const [m, e] = s.split('e');
  return m + expSuffix(Number(e), upper);
}

export function formatFloat(x: number, verb: string, spec: Spec): string {
  if (Number.isNaN(x)) return pad('NaN', spec, false);
  if (!Number.isFinite(x)) return pad(signOf(x < 0, spec) + 'Inf', spec, false);
  const neg = x < 0 || Object.is(x, -0);
  let body: string;
  switch (verb) {
    case 'e':
    case 'E':
      body = exponent(x, spec.prec ?? 6, verb === 'E');
      break;
    case 'f':
    case 'F':
      body = fixed(x, Math.min(spec.prec ?? 6, 100));
      break;
    default: {
      // %g / %v: shortest digits unless a precision is given; %e form for exponents < -4 or ≥ eprec.
      const upper = verb === 'G';
      if (spec.prec === undefined) {
        const { digits, exp } = shortestDigits(x);
        // Go decides with precision 6 when printing the shortest form.
        if (exp < -4 || exp >= 6) {
          body = (digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits) + expSuffix(exp, upper);
        } else body = String(Math.abs(x));
      } else {
        const p = Math.max(spec.prec, 1);
        const [m, e] = Math.abs(x).toExponential(Math.min(p - 1, 100)).split('e');
        const exp = Number(e);
        const trimmed = spec.sharp ? m : m.replace(/\.?0+$/, '');
        if (exp < -4 || exp >= p) body = trimmed + expSuffix(exp, upper);
        else {
          const f = Math.abs(x).toFixed(Math.max(p - 1 - exp, 0));
          body = spec.sharp || !f.includes('.') ? f : f.replace(/\.?0+$/, '');
        }
      }
    }
  }
  return pad(signOf(neg, spec) + body, spec, true);
}

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\u0007': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

export function formatString(s: string, verb: string, spec: Spec): string {
  if (verb === 'x' || verb === 'X') {
    let bytes = [...Buffer.from(s, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
    if (verb === 'X') bytes = bytes.map((b) => b.toUpperCase());
    const pre = spec.sharp ? (verb === 'X' ? '0X' : '0x') : '';
    const body = spec.space ? bytes.map((b) => pre + b).join(' ') : pre + bytes.join('');
    return pad(body, spec, false);
  }
  let t = s;
  if (spec.prec !== undefined) t = [...t].slice(0, spec.prec).join('');
  if (verb === 'q') t = spec.sharp && !t.includes('`') ? '`' + t + '`' : goQuote(t);
  return pad(t, spec, false);
}
