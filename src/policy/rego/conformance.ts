/**
 * Runs YAML conformance cases (the format of shared/conformance/rego/README.md) against the engine.
 * Cases are read, never modified.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import { PolicyCompileError, PolicyEvalError } from '../engine';
import { RegoProgram } from './program';
import { RegoObject, RegoSet, Value, compareValues, emptyObject, objectEntries, toJSON, valueEquals } from './value';

export interface CaseOutcome {
  file: string;
  note: string;
  status: 'passed' | 'failed' | 'skipped';
  expected?: unknown;
  got?: unknown;
  error?: string;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  cases: CaseOutcome[];
}

interface RawCase {
  note?: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  query?: string;
  want_result?: unknown;
  error?: unknown;
  no_result?: boolean;
  sort_bindings?: boolean;
  strict?: boolean;
  skip?: boolean;
  time_source?: unknown;
}

/** Converts the suite's tagged YAML values ({set!: []}, {object!: []}) into Rego values. */
export function fromTagged(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(fromTagged);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'set!' && Array.isArray(o['set!'])) return new RegoSet((o['set!'] as unknown[]).map(fromTagged));
  if (keys.length === 1 && keys[0] === 'object!' && Array.isArray(o['object!'])) {
    const r = new RegoObject();
    for (const e of o['object!'] as { key: unknown; value: unknown }[]) r.set(fromTagged(e.key), fromTagged(e.value));
    return [...r.map.values()].every(([k]) => typeof k === 'string') ? Object.assign(emptyObject(), Object.fromEntries([...r.map.values()].map(([k, x]) => [k as string, x]))) : r;
  }
  const out = emptyObject();
  for (const k of keys) out[k] = fromTagged(o[k]);
  return out;
}

/** Objects with non-string keys become string-keyed (keys JSON-encoded, as OPA prints them); sets stay sets. */
function keysToStrings(v: Value): Value {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(keysToStrings);
  if (v instanceof RegoSet) return new RegoSet(v.members().map(keysToStrings));
  const out = emptyObject();
  for (const [k, x] of objectEntries(v)) out[typeof k === 'string' ? k : JSON.stringify(toJSON(k))] = keysToStrings(x);
  return out;
}

function isMany(v: unknown): v is { 'many!': unknown[] } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && Array.isArray((v as Record<string, unknown>)['many!']);
}

export function findYamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yaml') || e.name.endsWith('.yml')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Evaluates one case; returns the outcome. */
export function runCase(file: string, c: RawCase, regoVersion: 'v1' | 'v0'): CaseOutcome {
  const note = c.note ?? '(no note)';
  if (c.skip) return { file, note, status: 'skipped' };
  const wantError = c.error !== undefined && c.error !== null;
  const inputs: (Value | undefined)[] = c.input === undefined ? [undefined] : isMany(c.input) ? c.input['many!'].map(fromTagged) : [fromTagged(c.input)];
  const results: Value[] = [];
  try {
    const modules = (c.modules ?? []).map((source, i) => ({ path: `${file}#module${i}`, source }));
    const program = new RegoProgram(modules, c.data === undefined ? undefined : fromTagged(c.data), {
      regoVersion,
      strictBuiltinErrors: c.strict ?? true,
      limits: { timeoutMs: 5000 },
    });
    const q = program.prepareQuery(c.query ?? 'data', regoVersion);
    for (const input of inputs) {
      const rs = q.run({ input });
      const bindingObj = (b: Record<string, Value>): Value => Object.assign(emptyObject(), b);
      if (rs.length === 1) {
        const r = rs[0];
        if (Object.keys(r.bindings).length > 0) results.push(bindingObj(r.bindings));
        else results.push(...r.expressions);
      } else {
        for (const r of rs) results.push(Object.keys(r.bindings).length > 0 ? bindingObj(r.bindings) : r.expressions);
      }
    }
  } catch (e) {
    if (wantError) return { file, note, status: 'passed' };
    if (!(e instanceof PolicyCompileError || e instanceof PolicyEvalError)) {
      return { file, note, status: 'failed', error: `internal error: ${e instanceof Error ? e.stack : String(e)}` };
    }
    return { file, note, status: 'failed', error: errText(e), expected: c.no_result ? '(no result)' : c.want_result };
  }
  const got = results.map(toJSON);
  if (wantError) return { file, note, status: 'failed', expected: `error: ${String(c.error)}`, got };
  if (c.no_result) {
    return results.length === 0 ? { file, note, status: 'passed' } : { file, note, status: 'failed', expected: '(no result)', got };
  }
  const want = c.want_result;
  const expected: Value[] = isMany(want) ? want['many!'].map(fromTagged) : want === undefined ? [] : [fromTagged(want)];
  let ok = expected.length === results.length;
  if (ok) {
    // YAML mapping keys arrive as strings (js-yaml), so compare object keys in their string form.
    const e1 = expected.map(keysToStrings);
    const r1 = results.map(keysToStrings);
    const a = c.sort_bindings ? e1.sort(compareValues) : e1;
    const b = c.sort_bindings ? r1.sort(compareValues) : r1;
    ok = a.every((x, i) => valueEquals(x, b[i]));
  }
  return ok ? { file, note, status: 'passed' } : { file, note, status: 'failed', expected: expected.map(toJSON), got };
}

/**
 * js-yaml rejects a flow collection whose closing bracket sits at its parent's indentation
 * ("deficient indentation"), which other YAML parsers accept; retry with such lines indented.
 * The file itself is never changed.
 */
function loadYaml(text: string): { cases?: RawCase[] } {
  try {
    return yaml.load(text) as { cases?: RawCase[] };
  } catch (e) {
    if (!(e instanceof Error) || !e.message.includes('deficient indentation')) throw e;
    const fixed = text.replace(/^(\s*)([\]}],?)\s*$/gm, '$1  $2');
    return yaml.load(fixed) as { cases?: RawCase[] };
  }
}

/** Runs every case under dir. `binding/bindings.yaml` is v1, everything else v0-compatible (see the README). */
export function runConformance(dir: string, onCase?: (o: CaseOutcome) => void): ConformanceReport {
  const report: ConformanceReport = { passed: 0, failed: 0, skipped: 0, total: 0, cases: [] };
  for (const f of findYamlFiles(dir)) {
    const rel = path.relative(dir, f).split(path.sep).join('/');
    const regoVersion = rel === 'binding/bindings.yaml' ? 'v1' : 'v0';
    let doc: { cases?: RawCase[] };
    try {
      doc = loadYaml(fs.readFileSync(f, 'utf8'));
    } catch (e) {
      const o: CaseOutcome = { file: rel, note: '(file)', status: 'failed', error: `cannot read YAML: ${errText(e)}` };
      report.cases.push(o);
      report.failed++;
      report.total++;
      onCase?.(o);
      continue;
    }
    for (const c of doc?.cases ?? []) {
      const o = runCase(rel, c, regoVersion);
      report.cases.push(o);
      report[o.status]++;
      report.total++;
      onCase?.(o);
    }
  }
  return report;
}
