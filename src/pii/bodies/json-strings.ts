/**
 * String values inside JSON documents (tool-call arguments, tool_use inputs), walked iteratively so deep nesting
 * cannot overflow the stack. Keys are left alone; numbers are scanned as text when they are long enough to be an
 * identifier (a card number sent as a JSON number is still a card number).
 */
import type { JsonPath } from './cow';

export interface JsonStringSlot {
  path: JsonPath;
  text: string;
  /** The value was a number; a replacement turns it into a string. */
  fromNumber: boolean;
}

export const MAX_JSON_DEPTH = 256;
const MAX_NODES = 200_000;

/** Collects string slots; returns null when the document is too deep or too large to walk (caller falls back). */
export function collectJsonStrings(doc: unknown): JsonStringSlot[] | null {
  const out: JsonStringSlot[] = [];
  const stack: Array<[unknown, JsonPath]> = [[doc, []]];
  let nodes = 0;
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (++nodes > MAX_NODES || path.length > MAX_JSON_DEPTH) return null;
    if (typeof value === 'string') {
      if (value.length > 0) out.push({ path, text: value, fromNumber: false });
    } else if (typeof value === 'number') {
      if (Number.isSafeInteger(value) && Math.abs(value) >= 1e6) out.push({ path, text: String(value), fromNumber: true });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], [...path, i]]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], [...path, entries[i]![0]]]);
    }
  }
  return out;
}
