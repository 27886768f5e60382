/**
 * The builtin registry: every builtin the engine knows, by name (e.g. "count", "strings.replace_n").
 * Each family module exports `builtins: BuiltinDef[]`; add one import and one list entry per family.
 */
import type { BuiltinDef } from './types';
import { builtins as operators } from './operators';
// --- builtin family imports (one per line) ---
import { builtins as aggregates } from './aggregates';
import { builtins as arrays } from './arrays';
import { builtins as objects } from './objects';
import { builtins as json_paths } from './json_paths';
import { builtins as strings } from './strings';
import { builtins as regex } from './regex';
import { builtins as glob } from './glob';
import { builtins as numbers } from './numbers';
import { builtins as types_check } from './types_check';
import { builtins as sets } from './sets';
import { builtins as units } from './units';
import { builtins as semver } from './semver';
import { builtins as uuid } from './uuid';
import { builtins as encoding } from './encoding';
import { builtins as crypto } from './crypto';
import { builtins as net } from './net';
import { builtins as time } from './time';
import { builtins as misc } from './misc';
import { builtins as deprecated } from './deprecated';
import { builtins as jwt } from './jwt';
import { builtins as graph } from './graph';
import { builtins as globs_match } from './globs_match';
import { builtins as jsonschema } from './jsonschema';
// --- end builtin family imports ---

const FAMILIES: BuiltinDef[][] = [
  operators,
  // --- builtin family list (one per line) ---
  aggregates,
  arrays,
  objects,
  json_paths,
  strings,
  regex,
  glob,
  numbers,
  types_check,
  sets,
  units,
  semver,
  uuid,
  encoding,
  crypto,
  net,
  time,
  misc,
  deprecated,
  jwt,
  graph,
  globs_match,
  jsonschema,
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
