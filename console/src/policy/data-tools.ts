import type { Diff, PolicyData } from './types';

/** Immutable updates of the policy data by path; emptied objects are pruned so the JSON stays tidy. */
export function setIn(data: PolicyData, path: string[], value: unknown): PolicyData {
  const [head, ...rest] = path;
  const copy: PolicyData = { ...data };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const child = copy[head];
  const next = setIn(child && typeof child === 'object' && !Array.isArray(child) ? (child as PolicyData) : {}, rest, value);
  if (Object.keys(next).length === 0) delete copy[head];
  else copy[head] = next;
  return copy;
}

export function getIn(data: unknown, path: string[]): unknown {
  let cur = data;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** Data changes between two versions, in the API's diff shape (arrays compared whole). */
export function diffData(before: unknown, after: unknown, path = ''): Diff['data'] {
  if (isObject(before) && isObject(after)) {
    const out: Diff['data'] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in after)) out.push({ path: p, op: 'remove', before: before[k] });
      else if (!(k in before)) out.push({ path: p, op: 'add', after: after[k] });
      else out.push(...diffData(before[k], after[k], p));
    }
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, op: 'change', before, after }];
}

export const pretty = (data: unknown): string => `${JSON.stringify(data, null, 2)}\n`;

/** Position of a JSON.parse error (V8 says "at position N" or "line L column C"). */
export function jsonErrorOffset(text: string, message: string): number {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) {
    const lines = text.split('\n');
    let off = 0;
    for (let i = 0; i < Number(lc[1]) - 1 && i < lines.length; i += 1) off += lines[i].length + 1;
    return off + Number(lc[2]) - 1;
  }
  return 0;
}
