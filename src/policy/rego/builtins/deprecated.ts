/**
 * Builtins OPA keeps only for Rego v0 policies (rego.v1 and v1 modules must reject them):
 * all, any, re_match, set_diff, net.cidr_overlap and the cast_* family.
 */
import { collection, named, set, str, typeError } from './args';
import { builtins as regex } from './regex';
import { builtins as net } from './net';
import type { BuiltinDef } from './types';
import { isObject, isSet, RegoSet } from '../value';
import type { Value } from '../value';

/** Names a v1 module may not call (OPA's deprecated builtins). */
export const DEPRECATED_BUILTINS: ReadonlySet<string> = new Set([
  'all', 'any', 're_match', 'set_diff', 'net.cidr_overlap',
  'cast_array', 'cast_set', 'cast_string', 'cast_boolean', 'cast_null', 'cast_object',
]);

function alias(name: string, of: BuiltinDef[], target: string): BuiltinDef {
  const def = of.find((d) => d.name === target) as BuiltinDef;
  return { ...def, name };
}

function same(name: string, test: (v: Value) => boolean, expected: string): BuiltinDef {
  return { name, arity: 1, fn: (args) => { if (!test(args[0])) throw typeError(1, args[0], expected); return args[0]; } };
}

export const builtins: BuiltinDef[] = named([
  { name: 'all', arity: 1, fn: (args) => collection(args, 0).every((x) => x === true) },
  { name: 'any', arity: 1, fn: (args) => collection(args, 0).some((x) => x === true) },
  alias('re_match', regex, 'regex.match'),
  alias('net.cidr_overlap', net, 'net.cidr_contains'),
  {
    name: 'set_diff',
    arity: 2,
    fn: (args) => {
      const a = set(args, 0);
      const b = set(args, 1);
      const out = new RegoSet();
      for (const x of a.members()) if (!b.has(x)) out.add(x);
      return out;
    },
  },
  { name: 'cast_array', arity: 1, fn: (args) => (Array.isArray(args[0]) ? args[0] : collection(args, 0)) },
  { name: 'cast_set', arity: 1, fn: (args) => (isSet(args[0]) ? args[0] : new RegoSet(collection(args, 0))) },
  { name: 'cast_string', arity: 1, fn: (args) => str(args, 0) },
  same('cast_boolean', (v) => typeof v === 'boolean', 'boolean'),
  same('cast_null', (v) => v === null, 'null'),
  same('cast_object', isObject, 'object'),
]);
