/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the byte form that is hashed into the chain.
 *
 * The `canonicalize` npm package (v4) is ESM-only with an exports map that has no `require`
 * condition, so neither our CommonJS build nor jest can load it. JCS is small and fully
 * specified, so it is implemented here and checked byte-for-byte against `canonicalize` in
 * test/unit/audit/canonical-json.test.ts (which loads the package in a child ESM process).
 *
 * Rules: primitives serialise as ECMAScript JSON.stringify does (RFC 8785 §3.2.2 mandates the
 * ES number and string forms); object members are sorted by their UTF-16 code units, which is
 * exactly what Array.prototype.sort() does on strings; members with undefined values are
 * dropped; NaN/Infinity, lone surrogates, cycles and non-plain values (functions, bigints,
 * symbols) are errors rather than silently changed data.
 */

export class CanonicalJsonError extends Error {}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringLiteral(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError('lone surrogate in string');
  return JSON.stringify(value);
}

function write(value: unknown, seen: Set<object>, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(stringLiteral(value));
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} is not allowed in JSON`);
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`a ${typeof value} cannot be canonicalised`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (seen.has(value)) throw new CanonicalJsonError('circular reference');
  seen.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const item: unknown = value[i];
      write(item === undefined ? null : item, seen, out);
    }
    out.push(']');
  } else if (value instanceof Date) {
    out.push(stringLiteral(value.toISOString()));
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out.push('{');
    let first = true;
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(stringLiteral(key), ':');
      write(member, seen, out);
    }
    out.push('}');
  }
  seen.delete(value);
}

/** The RFC 8785 canonical JSON text of `value`. Throws CanonicalJsonError on values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, new Set(), out);
  return out.join('');
}
