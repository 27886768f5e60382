/**
 * Go's fmt.Sprintf as OPA's sprintf uses it. OPA converts each argument before formatting:
 * integers become Go ints, other numbers float64, strings stay strings, and every other value
 * becomes the string of its Rego text. So `%d` of 1.5 gives "%!d(float64=1.5)" and `%v` of an
 * object gives `{"a": 1}`, exactly as in OPA. Supported: flags `+-# 0`, width, precision, `*`,
 * explicit argument indexes `%[n]`, verbs v s q d b o O x X c U e E f F g G t T and `%%`.
 */
import { regoString } from './format';
import type { Value } from '../value';

type GoArg =
  | { kind: 'int'; v: bigint }
  | { kind: 'float64'; v: number }
  | { kind: 'string'; v: string };

const INT64_MAX = 2n ** 63n;

function toGoArg(v: Value): GoArg {
  if (typeof v === 'number') {
    // OPA hands integers to Go as int or *big.Int; a number whose text is exponent form
    // (JS writes ≥ 1e21 that way) fails both conversions and becomes a float64.
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return { kind: 'int', v: BigInt(v) };
    return { kind: 'float64', v };
  }
  if (typeof v === 'string') return { kind: 'string', v };
  return { kind: 'string', v: regoString(v) };
}

function goTypeName(a: GoArg): string {
  if (a.kind === 'int') return a.v >= INT64_MAX || a.v < -INT64_MAX ? '*big.Int' : 'int';
  return a.kind;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function pad(s: string, spec: Spec, allowZero: boolean): string {
  if (spec.width === undefined || [...s].length >= spec.width) return s;
  const n = spec.width - [...s].length;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && allowZero) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function signOf(negative: boolean, spec: Spec): string {
  return negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
}

function formatInt(v: bigint, verb: string, spec: Spec): string {
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

function formatFloat(x: number, verb: string, spec: Spec): string {
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

function formatString(s: string, verb: string, spec: Spec): string {
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

function badVerb(verb: string, a: GoArg): string {
  return `%!${verb}(${goTypeName(a)}=${plain(a)})`;
}

/** The %v text of an argument. */
function plain(a: GoArg): string {
  if (a.kind === 'string') return a.v;
  if (a.kind === 'int') return a.v.toString();
  return formatFloat(a.v, 'g', noFlags());
}

function noFlags(): Spec {
  return { minus: false, plus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined };
}

function plainSpec(spec: Spec): boolean {
  return spec.width === undefined && spec.prec === undefined && !spec.plus && !spec.sharp && !spec.space && !spec.minus && !spec.zero;
}

function formatOne(verb: string, a: GoArg, spec: Spec): string {
  // The common policy message case: %s of a string, %d/%v of an int, no flags.
  if (plainSpec(spec)) {
    if (a.kind === 'string' && (verb === 's' || verb === 'v')) return a.v;
    if (a.kind === 'int' && (verb === 'd' || verb === 'v')) return a.v.toString();
  }
  if (verb === 'T') return pad(goTypeName(a), spec, false);
  switch (a.kind) {
    case 'int':
      if ('bdoOxX'.includes(verb)) return formatInt(a.v, verb, spec);
      if (verb === 'v') return formatInt(a.v, 'd', spec);
      if (verb === 'c') return pad(String.fromCodePoint(Number(a.v) >= 0 && Number(a.v) <= 0x10ffff ? Number(a.v) : 0xfffd), spec, false);
      if (verb === 'q') return pad("'" + String.fromCodePoint(Number(a.v) >= 0 && Number(a.v) <= 0x10ffff ? Number(a.v) : 0xfffd) + "'", spec, false);
      if (verb === 'U') return pad('U+' + a.v.toString(16).toUpperCase().padStart(4, '0'), spec, false);
      if ('eEfFgG'.includes(verb)) return formatFloat(Number(a.v), verb, spec);
      return badVerb(verb, a);
    case 'float64':
      if ('eEfFgG'.includes(verb)) return formatFloat(a.v, verb, spec);
      if (verb === 'v') return formatFloat(a.v, 'g', spec);
      return badVerb(verb, a);
    default:
      if ('vsqxX'.includes(verb)) return formatString(a.v, verb, spec);
      return badVerb(verb, a);
  }
}

/**
 * Decimal digits at `start`: their value (-1 when over 10^6, which Go ignores rather than
 * padding without bound; undefined when there are none) and where they end.
 */
function scanNumber(format: string, start: number): { value: number | undefined; end: number } {
  let i = start;
  while (i < format.length && format.charCodeAt(i) >= 48 && format.charCodeAt(i) <= 57) i++;
  if (i === start) return { value: undefined, end: i };
  const value = i - start > 7 || Number(format.slice(start, i)) > 1e6 ? -1 : Number(format.slice(start, i));
  return { value, end: i };
}

/** A format without `*` or `%[n]`, split once into literal text and verbs. */
type Piece = string | { verb: string; spec: Spec };

const compiledFormats = new Map<string, Piece[]>();
const MAX_COMPILED_FORMATS = 1000;

function compileFormat(format: string): Piece[] {
  const pieces: Piece[] = [];
  let lit = '';
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) { lit += format.slice(i); break; }
    lit += format.slice(i, pct);
    i = pct + 1;
    const spec = noFlags();
    for (; i < n; i++) {
      const c = format[i];
      if (c === '-') { spec.minus = true; spec.zero = false; }
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    const w = scanNumber(format, i);
    i = w.end;
    if (w.value !== undefined && w.value >= 0) spec.width = w.value;
    if (format[i] === '.') {
      const p = scanNumber(format, i + 1);
      i = p.end;
      spec.prec = p.value === undefined || p.value < 0 ? 0 : p.value;
    }
    if (i >= n) { lit += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') { lit += '%'; continue; }
    if (lit !== '') pieces.push(lit);
    lit = '';
    pieces.push({ verb, spec });
  }
  if (lit !== '') pieces.push(lit);
  return pieces;
}

/** Formats like Go's fmt.Sprintf with OPA's argument conversion. */
export function goSprintf(format: string, values: Value[]): string {
  if (format.includes('*') || format.includes('%[')) return dynamicSprintf(format, values);
  let pieces = compiledFormats.get(format);
  if (pieces === undefined) {
    pieces = compileFormat(format);
    if (compiledFormats.size >= MAX_COMPILED_FORMATS) compiledFormats.clear();
    compiledFormats.set(format, pieces);
  }
  let out = '';
  let argNum = 0;
  for (const p of pieces) {
    if (typeof p === 'string') { out += p; continue; }
    if (argNum >= values.length) { out += `%!${p.verb}(MISSING)`; continue; }
    out += formatOne(p.verb, toGoArg(values[argNum++]), p.spec);
  }
  if (argNum < values.length) {
    out += '%!(EXTRA ' + values.slice(argNum).map((v) => { const a = toGoArg(v); return `${goTypeName(a)}=${plain(a)}`; }).join(', ') + ')';
  }
  return out;
}

/** The general path, for formats with `*` widths or explicit argument indexes. */
function dynamicSprintf(format: string, values: Value[]): string {
  const args = values.map(toGoArg);
  let out = '';
  let argNum = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) { out += format.slice(i); break; }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec = noFlags();
    // flags
    for (; i < n; i++) {
      const c = format[i];
      if (c === '-') { spec.minus = true; spec.zero = false; }
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    let badIndex = false;
    // "%[n]" picks argument n (1-based) for what follows; a bad index poisons this verb.
    const argIndex = (): void => {
      if (format[i] !== '[') return;
      reordered = true;
      const close = format.indexOf(']', i);
      const idx = close < 0 ? NaN : Number(format.slice(i + 1, close));
      if (!Number.isInteger(idx) || idx < 1 || idx > args.length) badIndex = true;
      else argNum = idx - 1;
      i = close < 0 ? n : close + 1;
    };
    argIndex();
    // width
    if (format[i] === '*') {
      i++;
      const a = badIndex ? undefined : args[argNum++];
      if (a && a.kind === 'int') {
        let w = Number(a.v);
        if (w < 0) { spec.minus = true; w = -w; }
        if (w > 1e6) out += '%!(BADWIDTH)';
        else spec.width = w;
      } else if (!badIndex) out += '%!(BADWIDTH)';
      argIndex();
    } else {
      const w = scanNumber(format, i);
      i = w.end;
      if (w.value !== undefined && w.value >= 0) spec.width = w.value;
    }
    // precision
    if (format[i] === '.') {
      i++;
      argIndex();
      if (format[i] === '*') {
        i++;
        const a = badIndex ? undefined : args[argNum++];
        if (a && a.kind === 'int' && a.v >= 0n && a.v <= 1000000n) spec.prec = Number(a.v);
        else if (!badIndex) out += '%!(BADPREC)';
        argIndex();
      } else {
        const p = scanNumber(format, i);
        i = p.end;
        spec.prec = p.value === undefined || p.value < 0 ? 0 : p.value;
      }
    }
    argIndex();
    if (i >= n) { out += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') { out += '%'; continue; }
    if (badIndex) { out += `%!${verb}(BADINDEX)`; continue; }
    if (argNum >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    out += formatOne(verb, args[argNum++], spec);
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ' + args.slice(argNum).map((a) => `${goTypeName(a)}=${plain(a)}`).join(', ') + ')';
  }
  return out;
}
