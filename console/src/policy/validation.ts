import { useEffect, useState } from 'preact/hooks';
import { post } from '../api';
import type { EditorDiagnostic } from '../editor/code-editor';
import { offsetOf } from '../editor/code-editor';
import { jsonPathSpans, spanFor } from '../editor/json-positions';
import { jsonErrorOffset } from './data-tools';
import { normalisePath, type Issue, type PolicyData, type RegoModule, type Validation } from './types';

export interface ValidationState {
  /** null while the first answer is pending. */
  result: Validation | null;
  /** A JSON syntax error of the data editor (nothing is sent until it parses). */
  syntax: { message: string; offset: number } | null;
  pending: boolean;
  error: string | null;
}

/**
 * Inline validation: while the user edits, the data and modules are sent to
 * POST {scope}/policy/validate (nothing is stored), at most once per pause in typing.
 */
export function useValidation(scope: string, dataText: string, data: PolicyData | null, modules: RegoModule[], enabled: boolean): ValidationState {
  const [state, setState] = useState<ValidationState>({ result: null, syntax: null, pending: false, error: null });
  useEffect(() => {
    if (!enabled) return;
    try {
      JSON.parse(dataText);
    } catch (err) {
      const message = (err as Error).message;
      setState({ result: null, syntax: { message, offset: jsonErrorOffset(dataText, message) }, pending: false, error: null });
      return;
    }
    setState((s) => ({ ...s, syntax: null, pending: true }));
    let cancelled = false;
    const timer = setTimeout(() => {
      post<Validation>(`${scope}/policy/validate`, { data, modules }).then(
        (result) => { if (!cancelled) setState({ result: normalise(result), syntax: null, pending: false, error: null }); },
        (err: unknown) => { if (!cancelled) setState((s) => ({ ...s, pending: false, error: (err as Error).message })); },
      );
    }, 350);
    return () => { cancelled = true; clearTimeout(timer); };
  }, [scope, dataText, JSON.stringify(modules), enabled]);
  return state;
}

export function normalise(v: Validation): Validation {
  const fix = (i: Issue): Issue => (i.path ? { ...i, path: normalisePath(i.path) } : i);
  return { ...v, errors: (v.errors ?? []).map(fix), warnings: (v.warnings ?? []).map(fix), tests: v.tests ?? { passed: 0, failed: 0, results: [] } };
}

const label = (i: Issue): string => `${i.kind}${i.code ? ` ${i.code}` : ''}: ${i.message}`;

/** Diagnostics for the data (JSON) editor: issues naming a data path, and the syntax error. */
export function dataDiagnostics(text: string, v: ValidationState): EditorDiagnostic[] {
  if (v.syntax) return [{ from: v.syntax.offset, to: v.syntax.offset + 1, severity: 'error', message: `JSON: ${v.syntax.message}` }];
  if (!v.result) return [];
  const spans = jsonPathSpans(text);
  const out: EditorDiagnostic[] = [];
  for (const [list, severity] of [[v.result.errors, 'error'], [v.result.warnings, 'warning']] as const) {
    for (const i of list) {
      if (i.file || i.path === undefined) continue;
      const span = spanFor(spans, i.path) ?? { from: 0, to: 1 };
      out.push({ from: span.from, to: span.to, severity, message: label(i) });
    }
  }
  return out;
}

/** Diagnostics for one Rego module: issues with its file name and a line (and column). */
export function moduleDiagnostics(module: RegoModule, v: ValidationState): EditorDiagnostic[] {
  if (!v.result) return [];
  const out: EditorDiagnostic[] = [];
  for (const [list, severity] of [[v.result.errors, 'error'], [v.result.warnings, 'warning']] as const) {
    for (const i of list) {
      if (i.file !== module.path) continue;
      const { from, to } = offsetOf(module.source, i.line ?? 1, i.col ?? 1);
      out.push({ from, to, severity, message: label(i) });
    }
  }
  return out;
}

export function issueWhere(i: Issue): string {
  if (i.file) return `${i.file}${i.line ? `:${i.line}${i.col ? `:${i.col}` : ''}` : ''}`;
  if (i.path !== undefined) return i.path || '(top level)';
  return '';
}
