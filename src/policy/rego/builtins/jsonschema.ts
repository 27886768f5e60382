/**
 * json.verify_schema and json.match_schema: JSON Schema (draft 4/6/7 keywords) validation of
 * Rego values, with errors in the shape OPA reports from gojsonschema:
 * `{"error": "<field>: <desc>", "type": "<kind>", "field": "<a.b.0>", "desc": "<text>"}`.
 * `$ref` is resolved inside the schema (`#`, `#/definitions/x`, `#/$defs/x`); remote refs are refused.
 * Patterns go through RE2 (cached). A schema object is checked once ($refs resolve, patterns
 * compile, types are known) and remembered by identity.
 */
import { named } from './args';
import { regoString } from './format';
import { compileRegex, matches } from './re2cache';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import { canonicalKey, isObject, isSet, makeObject, objectEntries, objectGet, sortedSetValues, toJSON, valueEquals } from '../value';
import type { PlainObject, RegoObject, Value } from '../value';

type Schema = PlainObject | RegoObject | boolean;

interface SchemaError {
  type: string;
  field: string;
  desc: string;
}

const MAX_DEPTH = 200;

function schemaOf(v: Value, what: string): Schema {
  let s: Value = v;
  if (typeof v === 'string') {
    try {
      s = JSON.parse(v) as Value;
    } catch (e) {
      throw new BuiltinError(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (typeof s === 'boolean' || isObject(s)) return s;
  throw new BuiltinError(`${what} must be a JSON object or boolean schema`);
}

/** gojsonschema's type names: whole numbers are "integer". */
function jsonType(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v) || isSet(v)) return 'array';
  return 'object';
}

function matchesType(v: Value, t: string): boolean {
  const actual = jsonType(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

const runeLength = (s: string): number => [...s].length;

class Validator {
  readonly errors: SchemaError[] = [];
  constructor(private readonly root: Schema) {}

  private add(type: string, field: string, desc: string): void {
    this.errors.push({ type, field: field === '' ? '(root)' : field, desc });
  }

  resolve(ref: string): Schema {
    if (ref === '#') return this.root;
    if (!ref.startsWith('#/')) throw new BuiltinError(`unsupported $ref ${JSON.stringify(ref)} (only references inside the schema)`);
    let node: Value = this.root as Value;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      const next: Value | undefined = Array.isArray(node) ? node[Number(key)] : isObject(node) ? objectGet(node, key) : undefined;
      if (next === undefined) throw new BuiltinError(`$ref ${JSON.stringify(ref)} does not resolve`);
      node = next;
    }
    if (typeof node !== 'boolean' && !isObject(node)) throw new BuiltinError(`$ref ${JSON.stringify(ref)} is not a schema`);
    return node;
  }

  /** Whether `v` is valid, without recording errors. */
  private passes(v: Value, s: Schema, depth: number): boolean {
    const sub = new Validator(this.root);
    sub.validate(v, s, '', depth);
    return sub.errors.length === 0;
  }

  validate(v: Value, s: Schema, field: string, depth: number): void {
    if (depth > MAX_DEPTH) throw new BuiltinError('schema nesting or $ref recursion too deep');
    if (s === true) return;
    if (s === false) return this.add('false', field, 'False always fails validation');
    const get = (k: string): Value | undefined => objectGet(s, k);
    const ref = get('$ref');
    if (typeof ref === 'string') return this.validate(v, this.resolve(ref), field, depth + 1);

    const type = get('type');
    if (type !== undefined) {
      const types = Array.isArray(type) ? type : [type];
      if (!types.some((t) => typeof t === 'string' && matchesType(v, t))) {
        const expected = types.length === 1 ? String(types[0]) : `[${types.join(',')}]`;
        this.add('invalid_type', field, `Invalid type. Expected: ${expected}, given: ${jsonType(v)}`);
        return;
      }
    }
    const en = get('enum');
    if (Array.isArray(en) && !en.some((x) => valueEquals(x, v))) {
      this.add('enum', field, `${field === '' ? '(root)' : field} must be one of the following: ${en.map((x) => JSON.stringify(toJSON(x))).join(', ')}`);
    }
    const cn = get('const');
    if (cn !== undefined && !valueEquals(cn, v)) this.add('const', field, `${field === '' ? '(root)' : field} does not match: ${JSON.stringify(toJSON(cn))}`);

    for (const [kw, kind, desc] of [['allOf', 'number_all_of', 'Must validate all the schemas (allOf)'], ['anyOf', 'number_any_of', 'Must validate at least one schema (anyOf)'], ['oneOf', 'number_one_of', 'Must validate one and only one schema (oneOf)']] as const) {
      const list = get(kw);
      if (!Array.isArray(list)) continue;
      const n = list.filter((x) => this.passes(v, x as Schema, depth + 1)).length;
      if ((kw === 'allOf' && n !== list.length) || (kw === 'anyOf' && n === 0) || (kw === 'oneOf' && n !== 1)) this.add(kind, field, desc);
    }
    const not = get('not');
    if (not !== undefined && this.passes(v, not as Schema, depth + 1)) this.add('number_not', field, 'Must not validate the schema (not)');
    const cond = get('if');
    if (cond !== undefined) {
      const ok = this.passes(v, cond as Schema, depth + 1);
      const branch = get(ok ? 'then' : 'else');
      if (branch !== undefined && !this.passes(v, branch as Schema, depth + 1)) {
        this.add(ok ? 'condition_then' : 'condition_else', field, ok ? 'Must validate "then" as "if" was valid' : 'Must validate "else" as "if" was not valid');
      }
    }

    if (typeof v === 'number') this.numberKeywords(v, get, field);
    else if (typeof v === 'string') this.stringKeywords(v, get, field);
    else if (Array.isArray(v) || isSet(v)) this.arrayKeywords(Array.isArray(v) ? v : sortedSetValues(v), get, field, depth);
    else if (isObject(v)) this.objectKeywords(v, get, field, depth);
  }

  private numberKeywords(v: number, get: (k: string) => Value | undefined, field: string): void {
    const mult = get('multipleOf');
    if (typeof mult === 'number' && mult > 0 && Math.abs(v / mult - Math.round(v / mult)) > 1e-9) this.add('multiple_of', field, `Must be a multiple of ${regoString(mult)}`);
    const min = get('minimum');
    const max = get('maximum');
    const exMin = get('exclusiveMinimum');
    const exMax = get('exclusiveMaximum');
    if (typeof min === 'number') {
      if (exMin === true ? v <= min : v < min) this.add(exMin === true ? 'number_gt' : 'number_gte', field, `Must be greater than ${exMin === true ? '' : 'or equal to '}${regoString(min)}`);
    }
    if (typeof exMin === 'number' && v <= exMin) this.add('number_gt', field, `Must be greater than ${regoString(exMin)}`);
    if (typeof max === 'number') {
      if (exMax === true ? v >= max : v > max) this.add(exMax === true ? 'number_lt' : 'number_lte', field, `Must be less than ${exMax === true ? '' : 'or equal to '}${regoString(max)}`);
    }
    if (typeof exMax === 'number' && v >= exMax) this.add('number_lt', field, `Must be less than ${regoString(exMax)}`);
  }

  private stringKeywords(v: string, get: (k: string) => Value | undefined, field: string): void {
    const minL = get('minLength');
    const maxL = get('maxLength');
    if (typeof minL === 'number' && runeLength(v) < minL) this.add('string_gte', field, `String length must be greater than or equal to ${minL}`);
    if (typeof maxL === 'number' && runeLength(v) > maxL) this.add('string_lte', field, `String length must be less than or equal to ${maxL}`);
    const pattern = get('pattern');
    if (typeof pattern === 'string' && !matches(compileRegex(pattern), v)) this.add('pattern', field, `Does not match pattern '${pattern}'`);
  }

  private arrayKeywords(v: Value[], get: (k: string) => Value | undefined, field: string, depth: number): void {
    const at = (i: number): string => (field === '' ? String(i) : `${field}.${i}`);
    const items = get('items');
    if (Array.isArray(items)) {
      items.forEach((s, i) => { if (i < v.length) this.validate(v[i], s as Schema, at(i), depth + 1); });
      const extra = get('additionalItems');
      if (extra === false && v.length > items.length) this.add('array_no_additional_items', field, 'No additional items allowed on array');
      else if (extra !== undefined && typeof extra !== 'boolean') for (let i = items.length; i < v.length; i++) this.validate(v[i], extra as Schema, at(i), depth + 1);
    } else if (items !== undefined) v.forEach((x, i) => this.validate(x, items as Schema, at(i), depth + 1));
    const minI = get('minItems');
    const maxI = get('maxItems');
    if (typeof minI === 'number' && v.length < minI) this.add('array_min_items', field, `Array must have at least ${minI} items`);
    if (typeof maxI === 'number' && v.length > maxI) this.add('array_max_items', field, `Array must have at most ${maxI} items`);
    if (get('uniqueItems') === true) {
      const seen = new Map<string, number>();
      v.forEach((x, j) => {
        const k = canonicalKey(x);
        const i = seen.get(k);
        if (i !== undefined) this.add('unique', field, `array items[${i},${j}] must be unique`);
        else seen.set(k, j);
      });
    }
    const contains = get('contains');
    if (contains !== undefined && !v.some((x) => this.passes(x, contains as Schema, depth + 1))) this.add('contains', field, 'At least one of the items must match');
  }

  private objectKeywords(v: PlainObject | RegoObject, get: (k: string) => Value | undefined, field: string, depth: number): void {
    const at = (k: string): string => (field === '' ? k : `${field}.${k}`);
    const entries = objectEntries(v).filter((e): e is [string, Value] => typeof e[0] === 'string');
    const required = get('required');
    if (Array.isArray(required)) for (const r of required) if (typeof r === 'string' && objectGet(v, r) === undefined) this.add('required', field, `${r} is required`);
    const props = get('properties');
    const patterns = get('patternProperties');
    const additional = get('additionalProperties');
    for (const [k, x] of entries) {
      let matched = false;
      const ps = isObject(props) ? objectGet(props, k) : undefined;
      if (ps !== undefined) { matched = true; this.validate(x, ps as Schema, at(k), depth + 1); }
      if (isObject(patterns)) {
        for (const [p, s] of objectEntries(patterns)) {
          if (typeof p === 'string' && matches(compileRegex(p), k)) { matched = true; this.validate(x, s as Schema, at(k), depth + 1); }
        }
      }
      if (!matched && additional !== undefined) {
        if (additional === false) this.add('additional_property_not_allowed', field, `Additional property ${k} is not allowed`);
        else if (additional !== true) this.validate(x, additional as Schema, at(k), depth + 1);
      }
    }
    const minP = get('minProperties');
    const maxP = get('maxProperties');
    if (typeof minP === 'number' && entries.length < minP) this.add('array_min_properties', field, `Must have at least ${minP} properties`);
    if (typeof maxP === 'number' && entries.length > maxP) this.add('array_max_properties', field, `Must have at most ${maxP} properties`);
    const names = get('propertyNames');
    if (names !== undefined) for (const [k] of entries) if (!this.passes(k, names as Schema, depth + 1)) this.add('invalid_property_name', field, `Property name of "${k}" does not match`);
    const deps = get('dependencies') ?? get('dependentRequired');
    if (isObject(deps)) {
      for (const [k, d] of objectEntries(deps)) {
        if (typeof k !== 'string' || objectGet(v, k) === undefined) continue;
        if (Array.isArray(d)) { for (const r of d) if (typeof r === 'string' && objectGet(v, r) === undefined) this.add('missing_dependency', field, `Has a dependency on ${r}`); }
        else this.validate(v, d as Schema, field, depth + 1);
      }
    }
  }
}

const checked = new WeakSet<object>();
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
const SCHEMA_TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'string', 'integer']);

/** Checks that a schema is usable: its $refs resolve, its patterns compile, its types exist. */
function checkSchema(s: Schema): void {
  if (typeof s === 'object' && checked.has(s)) return;
  const v = new Validator(s);
  const walk = (node: Value, depth: number): void => {
    if (depth > MAX_DEPTH) throw new BuiltinError('schema nested too deeply');
    if (Array.isArray(node)) return node.forEach((x) => walk(x, depth + 1));
    if (!isObject(node)) return;
    for (const [k, x] of objectEntries(node)) {
      if (k === '$ref' && typeof x === 'string') {
        v.resolve(x);
      } else if (k === 'pattern' && typeof x === 'string') {
        compileRegex(x);
      } else if (k === 'patternProperties' && isObject(x)) {
        for (const [p] of objectEntries(x)) if (typeof p === 'string') compileRegex(p);
      } else if (k === 'type' && (typeof x === 'string' || Array.isArray(x))) {
        for (const t of Array.isArray(x) ? x : [x]) {
          if (typeof t !== 'string' || !SCHEMA_TYPES.has(t)) throw new BuiltinError(`has a primitive type that is NOT VALID -- given: ${regoString(t)} Expected valid values are:[array boolean integer number null object string]`);
        }
      }
      // Literal data (enum, const, default, examples) is not schema: do not look for keywords in it.
      if (!DATA_KEYWORDS.has(k as string)) walk(x, depth + 1);
    }
  };
  walk(s as Value, 0);
  if (typeof s === 'object') checked.add(s);
}

function match(doc: Value, schema: Schema): Value {
  checkSchema(schema);
  const v = new Validator(schema);
  v.validate(doc, schema, '', 0);
  const errs = v.errors.map((e) => makeObject([['error', `${e.field}: ${e.desc}`], ['type', e.type], ['field', e.field], ['desc', e.desc]]));
  return [errs.length === 0, errs];
}

export const builtins: BuiltinDef[] = named([
  {
    name: 'json.verify_schema',
    arity: 1,
    fn: (args) => {
      try {
        checkSchema(schemaOf(args[0], 'schema'));
        return [true, null];
      } catch (e) {
        if (e instanceof BuiltinError) return [false, e.message];
        throw e;
      }
    },
  },
  {
    name: 'json.match_schema',
    arity: 2,
    fn: (args) => {
      const doc = typeof args[0] === 'string' ? (() => { try { return JSON.parse(args[0]) as Value; } catch { throw new BuiltinError('document is not valid JSON'); } })() : args[0];
      return match(doc, schemaOf(args[1], 'schema'));
    },
  },
]);
