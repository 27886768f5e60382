/**
 * Text forms of values as OPA prints them: numbers without a trailing ".0", and values in Rego
 * syntax (OPA's ast String(): `{"a": 1}`, `{1, 2}`, `set()`) for sprintf's %v and trace messages.
 */
import { compareValues, isSet, objectEntries, sortedSetValues } from '../value';
import type { Value } from '../value';

/** A number as OPA writes it: integers in plain digits, others in shortest round-trip form. */
export function formatNumber(n: number): string {
  if (Object.is(n, -0)) return '0';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

/** A value in Rego syntax, keys and set members in OPA's order. */
export function regoString(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return formatNumber(v);
    case 'string': return JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(regoString).join(', ') + ']';
  if (isSet(v)) {
    if (v.size === 0) return 'set()';
    return '{' + sortedSetValues(v).map(regoString).join(', ') + '}';
  }
  const entries = objectEntries(v);
  entries.sort((a, b) => compareValues(a[0], b[0]));
  return '{' + entries.map(([k, x]) => regoString(k) + ': ' + regoString(x)).join(', ') + '}';
}
