/**
 * The builtin registry: every builtin the engine knows, by name (e.g. "count", "strings.replace_n").
 * Each family module exports `builtins: BuiltinDef[]`; add one import and one list entry per family.
 */
import type { BuiltinDef } from './types';
import { builtins as operators } from './operators';
// --- builtin family imports (one per line) ---
// --- end builtin family imports ---

const FAMILIES: BuiltinDef[][] = [
  operators,
  // --- builtin family list (one per line) ---
  // --- end builtin family list ---
];

function buildRegistry(): ReadonlyMap<string, BuiltinDef> {
  const m = new Map<string, BuiltinDef>();
  for (const family of FAMILIES) for (const b of family) m.set(b.name, b);
  return m;
}

export const BUILTINS: ReadonlyMap<string, BuiltinDef> = buildRegistry();
export { BuiltinError } from './types';
export type { BuiltinContext, BuiltinDef } from './types';
