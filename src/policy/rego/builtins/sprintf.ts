/**
 * Go's fmt.Sprintf as OPA's sprintf uses it. OPA converts each argument before formatting:
 * integers become Go ints, other numbers float64, strings stay strings, and every other value
 * becomes the string of its Rego text. So `%d` of 1.5 gives "%!d(float64=1.5)" and `%v` of an
 * object gives `{"a": 1}`, exactly as in OPA. Supported: flags `+-# 0`, width, precision, `*`,
 * explicit argument indexes `%[n]`, verbs v s q d b o O x X c U e E f F g G t T and `%%`.
 */
import { regoString } from './format';
import { formatFloat, formatInt, formatString, pad } from './gofmt';
import type { Spec } from './gofmt';
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
