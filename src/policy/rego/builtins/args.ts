/**
 * Operand checks shared by the builtin families, with OPA's error wording
 * ("operand 1 must be string but got number"), so policies see the messages OPA users know.
 */
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import { isObject, isSet, RegoSet, sortedSetValues, typeName } from '../value';
import type { PlainObject, RegoObject, Value } from '../value';

/** "operand N must be T but got U" / "operand N must be one of {T1, T2} but got U". */
export function typeError(pos: number, got: Value, ...expected: string[]): BuiltinError {
  const want = expected.length === 1 ? expected[0] : `one of {${expected.join(', ')}}`;
  return new BuiltinError(`operand ${pos} must be ${want} but got ${typeName(got)}`);
}

/** "operand N must be array of strings but got array containing number". */
export function elementError(pos: number, composite: Value, got: Value, ...expected: string[]): BuiltinError {
  const t = typeName(composite);
  const want = expected.length === 1 ? `${t} of ${expected[0]}s` : `${t} of (any of) {${expected.join(', ')}}`;
  return new BuiltinError(`operand ${pos} must be ${want} but got ${t} containing ${typeName(got)}`);
}

/** A free-form operand error: "operand N <message>". */
export function operandError(pos: number, message: string): BuiltinError {
  return new BuiltinError(`operand ${pos} ${message}`);
}

export function str(args: Value[], i: number): string {
  const v = args[i];
  if (typeof v !== 'string') throw typeError(i + 1, v, 'string');
  return v;
}

export function num(args: Value[], i: number): number {
  const v = args[i];
  if (typeof v !== 'number') throw typeError(i + 1, v, 'number');
  return v;
}

/** An integral number (OPA's IntOperand). */
export function int(args: Value[], i: number): number {
  const v = args[i];
  if (typeof v !== 'number') throw typeError(i + 1, v, 'number');
  if (!Number.isInteger(v)) throw operandError(i + 1, 'must be integer number but got floating-point number');
  return v;
}

export function bool(args: Value[], i: number): boolean {
  const v = args[i];
  if (typeof v !== 'boolean') throw typeError(i + 1, v, 'boolean');
  return v;
}

export function arr(args: Value[], i: number): Value[] {
  const v = args[i];
  if (!Array.isArray(v)) throw typeError(i + 1, v, 'array');
  return v;
}

export function obj(args: Value[], i: number): PlainObject | RegoObject {
  const v = args[i];
  if (!isObject(v)) throw typeError(i + 1, v, 'object');
  return v;
}

export function set(args: Value[], i: number): RegoSet {
  const v = args[i];
  if (!isSet(v)) throw typeError(i + 1, v, 'set');
  return v;
}

/** The elements of an array or set operand; a set's in sorted order, as OPA iterates sets. */
export function collection(args: Value[], i: number): Value[] {
  const v = args[i];
  if (Array.isArray(v)) return v;
  if (isSet(v)) return sortedSetValues(v);
  throw typeError(i + 1, v, 'array', 'set');
}

/** An array or set of strings (OPA's StringSliceOperand). */
export function strings(args: Value[], i: number): string[] {
  const v = args[i];
  const items = collection(args, i);
  for (const x of items) if (typeof x !== 'string') throw elementError(i + 1, v, x, 'string');
  return items as string[];
}

/** A string, or an array/set of strings: used by builtins that accept either (e.g. any_prefix_match). */
export function stringOrStrings(args: Value[], i: number): string[] {
  const v = args[i];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) && !isSet(v)) throw typeError(i + 1, v, 'string', 'set', 'array');
  return strings(args, i);
}

/**
 * Prefixes errors with the builtin's name, as OPA reports them ("sum: operand 1 must be ..."),
 * and turns resource RangeErrors into BuiltinErrors. Family files wrap their list with it so
 * individual checks stay name-free.
 */
export function named(defs: BuiltinDef[]): BuiltinDef[] {
  return defs.map((d) => {
    const { name, fn } = d;
    const prefix = name + ': ';
    const wrapped: BuiltinDef['fn'] = (args, ctx) => {
      try {
        return fn(args, ctx);
      } catch (e) {
        if (e instanceof BuiltinError) {
          if (e.message.startsWith(prefix)) throw e;
          throw new BuiltinError(prefix + e.message);
        }
        // A result too large to build ("Invalid string length") or input too deep to walk is the
        // builtin failing on its arguments, not the engine breaking.
        if (e instanceof RangeError) throw new BuiltinError(prefix + e.message);
        throw e;
      }
    };
    return { ...d, fn: wrapped };
  });
}
