/** What a draft changes compared with the version in force: data leaf by leaf, Rego files as unified diffs. */
import { createTwoFilesPatch } from 'diff';
import type { PolicyModule } from '../engine';
import type { DataChange, ModuleChange, PolicyDiff } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON path text as used in validation issues: `pii.input.EMAIL_ADDRESS`, `models.allow`. */
const join = (base: string, key: string): string => (base ? `${base}.${key}` : key);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Objects are compared key by key; arrays and scalars as whole values (a list is one setting). */
export function diffData(before: unknown, after: unknown, path = ''): DataChange[] {
  if (isObject(before) && isObject(after)) {
    const out: DataChange[] = [];
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const p = join(path, key);
      if (!(key in after)) out.push({ path: p, op: 'remove', before: before[key] });
      else if (!(key in before)) out.push({ path: p, op: 'add', after: after[key] });
      else out.push(...diffData(before[key], after[key], p));
    }
    return out;
  }
  return same(before, after) ? [] : [{ path: path || '(root)', op: 'change', before, after }];
}

export function diffModules(before: readonly PolicyModule[], after: readonly PolicyModule[]): ModuleChange[] {
  const old = new Map(before.map((m) => [m.path, m.source]));
  const cur = new Map(after.map((m) => [m.path, m.source]));
  const out: ModuleChange[] = [];
  for (const path of [...new Set([...old.keys(), ...cur.keys()])].sort()) {
    const a = old.get(path);
    const b = cur.get(path);
    const status = a === undefined ? 'added' : b === undefined ? 'removed' : a === b ? 'unchanged' : 'changed';
    const unified = status === 'unchanged' ? '' : createTwoFilesPatch(a === undefined ? '/dev/null' : `a/${path}`, b === undefined ? '/dev/null' : `b/${path}`, a ?? '', b ?? '');
    out.push({ path, status, unified });
  }
  return out;
}

export function diffPolicy(
  before: { data: unknown; modules: readonly PolicyModule[] } | null, after: { data: unknown; modules: readonly PolicyModule[] },
): PolicyDiff {
  return { data: diffData(before?.data ?? {}, after.data), modules: diffModules(before?.modules ?? [], after.modules) };
}
