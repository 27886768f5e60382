/**
 * Serialization builtins with Go's encoders' behaviour, as OPA: json.marshal (compact, sorted
 * keys, HTML-safe escapes), json.marshal_with_options, json.unmarshal, json.is_valid,
 * yaml.marshal/unmarshal/is_valid, base64, base64url, hex and urlquery encode/decode.
 */
import yaml from 'js-yaml';
import { named, obj, operandError, str, typeError } from './args';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import { isObject, isSet, makeObject, objectEntries, objectGet, sortedSetValues, toJSON } from '../value';
import type { Value } from '../value';

/** Most nodes a decoded document may have: YAML aliases can otherwise expand exponentially. */
const MAX_DECODED_NODES = 1_000_000;
const MAX_DECODED_DEPTH = 1000;

/** Go's encoding/json escapes <, >, & and the JS line separators. */
function htmlSafe(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function marshal(v: Value): string {
  return htmlSafe(JSON.stringify(toJSON(v)));
}

/** Converts parsed JSON/YAML into a Value, with budgets on size and depth. */
function decoded(x: unknown): Value {
  let budget = MAX_DECODED_NODES;
  const walk = (n: unknown, depth: number): Value => {
    if (--budget < 0) throw new BuiltinError(`document has more than ${MAX_DECODED_NODES} nodes`);
    if (depth > MAX_DECODED_DEPTH) throw new BuiltinError(`document nested deeper than ${MAX_DECODED_DEPTH} levels`);
    if (n === null || n === undefined) return null;
    switch (typeof n) {
      case 'boolean':
      case 'string':
        return n;
      case 'number':
        if (!Number.isFinite(n)) throw new BuiltinError(`unsupported number ${n}`);
        return n;
      case 'bigint':
        return Number(n);
      case 'object':
        break;
      default:
        throw new BuiltinError(`unsupported value of type ${typeof n}`);
    }
    if (n instanceof Date) return n.toISOString();
    if (Array.isArray(n)) return n.map((e) => walk(e, depth + 1));
    if (n instanceof Uint8Array) return Buffer.from(n).toString('base64');
    const entries: [Value, Value][] = [];
    for (const k of Object.keys(n)) entries.push([k, walk((n as Record<string, unknown>)[k], depth + 1)]);
    return makeObject(entries);
  };
  return walk(x, 0);
}

function parseJSON(s: string): Value {
  let x: unknown;
  try {
    x = JSON.parse(s);
  } catch (e) {
    throw new BuiltinError(e instanceof Error ? e.message : String(e));
  }
  return decoded(x);
}

function parseYAML(s: string): Value {
  let x: unknown;
  try {
    x = yaml.load(s);
  } catch (e) {
    throw new BuiltinError(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  return decoded(x);
}

function marshalWithOptions(v: Value, opts: Value): string {
  if (!isObject(opts)) throw typeError(2, opts, 'object');
  let prefix = '';
  let indent = '\t';
  let pretty: boolean | undefined;
  let custom = false;
  for (const [k, x] of objectEntries(opts)) {
    if (k === 'prefix' || k === 'indent') {
      if (typeof x !== 'string') throw operandError(2, `${k} option must be a string, not ${x === null ? 'null' : typeof x}`);
      if (k === 'prefix') prefix = x;
      else indent = x;
      custom = true;
    } else if (k === 'pretty') {
      if (typeof x !== 'boolean') throw operandError(2, 'pretty option must be a boolean');
      pretty = x;
    } else throw operandError(2, `object contained unknown key ${JSON.stringify(k)}`);
  }
  if (pretty === false || (pretty === undefined && !custom)) return marshal(v);
  const text = htmlSafe(JSON.stringify(toJSON(v), null, indent));
  // Go's MarshalIndent starts every line after the first with the prefix.
  return prefix === '' ? text : text.replace(/\n/g, '\n' + prefix);
}

// ---- base64 / hex ----------------------------------------------------------------------------

const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_B64 = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

/** Go's StdEncoding/URLEncoding.DecodeString: strict padding; CR and LF are ignored. */
function b64decode(s: string, re: RegExp, enc: BufferEncoding): string {
  const t = s.replace(/[\r\n]/g, '');
  if (!re.test(t)) throw new BuiltinError(`illegal base64 data in ${JSON.stringify(s.length > 64 ? s.slice(0, 64) + '…' : s)}`);
  return Buffer.from(t, enc).toString('utf8');
}

function hexDecode(s: string): string {
  if (s.length % 2 === 1) throw new BuiltinError('encoding/hex: odd length hex string');
  const bad = /[^0-9a-fA-F]/.exec(s);
  if (bad) throw new BuiltinError(`encoding/hex: invalid byte: U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(bad[0])}`);
  return Buffer.from(s, 'hex').toString('utf8');
}

// ---- urlquery ---------------------------------------------------------------------------------

/** Go's url.QueryEscape: unreserved kept, space → '+', the rest %XX (upper case). */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e) out += String.fromCharCode(b);
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go's url.QueryUnescape. */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new BuiltinError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function encodeObject(o: Value): string {
  if (!isObject(o)) throw typeError(1, o, 'object');
  const entries = objectEntries(o);
  const keys: string[] = [];
  for (const [k] of entries) {
    if (typeof k !== 'string') throw operandError(1, 'must be an object with string keys');
    keys.push(k);
  }
  keys.sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = objectGet(o, k) as Value;
    let values: Value[];
    if (typeof v === 'string') values = [v];
    else if (Array.isArray(v)) values = v;
    else if (isSet(v)) values = sortedSetValues(v);
    else throw operandError(1, 'must be an object with string, array or set of strings values');
    for (const x of values) {
      if (typeof x !== 'string') throw operandError(1, 'must be an object with string, array or set of strings values');
      parts.push(queryEscape(k) + '=' + queryEscape(x));
    }
  }
  return parts.join('&');
}

/** Go's url.ParseQuery: key → list of values, in order of appearance. */
function decodeObject(s: string): Value {
  const out = new Map<string, string[]>();
  for (const part of s.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) throw new BuiltinError('invalid semicolon separator in query');
    const eq = part.indexOf('=');
    const k = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : queryUnescape(part.slice(eq + 1));
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return makeObject([...out].map(([k, v]) => [k, v] as const));
}

function safe(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof BuiltinError) return false;
    throw e;
  }
}

export const builtins: BuiltinDef[] = named([
  { name: 'json.marshal', arity: 1, fn: (args) => marshal(args[0]) },
  { name: 'json.marshal_with_options', arity: 2, fn: (args) => marshalWithOptions(args[0], args[1]) },
  { name: 'json.unmarshal', arity: 1, fn: (args) => parseJSON(str(args, 0)) },
  { name: 'json.is_valid', arity: 1, fn: (args) => typeof args[0] === 'string' && safe(() => parseJSON(args[0] as string)) },
  {
    name: 'yaml.marshal',
    arity: 1,
    fn: (args) => yaml.dump(toJSON(args[0]), { sortKeys: true, lineWidth: -1, noRefs: true }),
  },
  { name: 'yaml.unmarshal', arity: 1, fn: (args) => parseYAML(str(args, 0)) },
  { name: 'yaml.is_valid', arity: 1, fn: (args) => typeof args[0] === 'string' && safe(() => parseYAML(args[0] as string)) },
  { name: 'base64.encode', arity: 1, fn: (args) => Buffer.from(str(args, 0), 'utf8').toString('base64') },
  { name: 'base64.decode', arity: 1, fn: (args) => b64decode(str(args, 0), STD_B64, 'base64') },
  { name: 'base64.is_valid', arity: 1, fn: (args) => typeof args[0] === 'string' && STD_B64.test(args[0].replace(/[\r\n]/g, '')) },
  {
    name: 'base64url.encode',
    arity: 1,
    fn: (args) => {
      const raw = Buffer.from(str(args, 0), 'utf8').toString('base64url');
      return raw + '='.repeat((4 - (raw.length % 4)) % 4);
    },
  },
  { name: 'base64url.encode_no_pad', arity: 1, fn: (args) => Buffer.from(str(args, 0), 'utf8').toString('base64url') },
  {
    name: 'base64url.decode',
    arity: 1,
    fn: (args) => {
      let s = str(args, 0);
      // Padding may be omitted (RFC 7515 appendix C).
      if (!s.endsWith('=')) {
        if (s.length % 4 === 1) throw new BuiltinError(`illegal base64url string: ${s}`);
        s += '='.repeat((4 - (s.length % 4)) % 4);
      }
      return b64decode(s, URL_B64, 'base64url');
    },
  },
  { name: 'hex.encode', arity: 1, fn: (args) => Buffer.from(str(args, 0), 'utf8').toString('hex') },
  { name: 'hex.decode', arity: 1, fn: (args) => hexDecode(str(args, 0)) },
  { name: 'urlquery.encode', arity: 1, fn: (args) => queryEscape(str(args, 0)) },
  { name: 'urlquery.decode', arity: 1, fn: (args) => queryUnescape(str(args, 0)) },
  { name: 'urlquery.encode_object', arity: 1, fn: (args) => encodeObject(obj(args, 0)) },
  { name: 'urlquery.decode_object', arity: 1, fn: (args) => decodeObject(str(args, 0)) },
]);

