/** Type checks: is_number, is_string, is_boolean, is_array, is_set, is_object, is_null, type_name. */
import type { BuiltinDef } from './types';
import { isObject, isSet, typeName } from '../value';

export const builtins: BuiltinDef[] = [
  { name: 'is_number', arity: 1, fn: (a) => typeof a[0] === 'number' },
  { name: 'is_string', arity: 1, fn: (a) => typeof a[0] === 'string' },
  { name: 'is_boolean', arity: 1, fn: (a) => typeof a[0] === 'boolean' },
  { name: 'is_array', arity: 1, fn: (a) => Array.isArray(a[0]) },
  { name: 'is_set', arity: 1, fn: (a) => isSet(a[0]) },
  { name: 'is_object', arity: 1, fn: (a) => isObject(a[0]) },
  { name: 'is_null', arity: 1, fn: (a) => a[0] === null },
  { name: 'type_name', arity: 1, fn: (a) => typeName(a[0]) },
];
