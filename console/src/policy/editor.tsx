import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, post } from '../api';
import { Tabs } from '../components/tabs';
import { Button, Field, Notice, useAction } from '../components/ui';
import { CodeEditor } from '../editor/code-editor';
import { PolicyDataForm } from './data-form';
import { pretty } from './data-tools';
import { LocalDiff } from './diff';
import { ModulesEditor } from './modules-editor';
import { SimulatePanel } from './simulate';
import type { Draft, PolicyData, RegoModule, Validation } from './types';
import { ValidationSummary } from './validation-summary';
import { dataDiagnostics, normalise, useValidation } from './validation';

export interface EditorSource { label: string; data: PolicyData; modules: RegoModule[]; baseVersion: number }

/**
 * The policy editor: form and JSON editing of the data, Rego modules, inline validation as one
 * types, a diff against the version in force, a simulation, and "Save as draft".
 */
export function PolicyEditor(props: { scope: string; source: EditorSource; published: { data: PolicyData; modules: RegoModule[] } | null; canCreate: boolean; orgScope: boolean; packageName: string; onSaved: (d: Draft) => void }): JSX.Element {
  const { source } = props;
  const [dataText, setDataText] = useState(pretty(source.data));
  const [data, setData] = useState<PolicyData>(source.data);
  const [modules, setModules] = useState<RegoModule[]>(source.modules);
  const [note, setNote] = useState('');
  const [tab, setTab] = useState('form');
  const [rejected, setRejected] = useState<Validation | null>(null);
  const save = useAction();

  // A new starting point (another version or draft) resets the editor.
  useEffect(() => {
    setDataText(pretty(source.data)); setData(source.data); setModules(source.modules); setRejected(null);
  }, [source]);

  const validation = useValidation(props.scope, dataText, data, modules, props.canCreate);
  const shown = rejected ? { ...validation, result: rejected } : validation;
  const issues = shown.result ? [...shown.result.errors, ...shown.result.warnings] : [];
  const diagnostics = useMemo(() => dataDiagnostics(dataText, shown), [dataText, shown.result, shown.syntax]);

  const onText = (text: string) => {
    setRejected(null);
    setDataText(text);
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) setData(parsed as PolicyData);
    } catch { /* the syntax error is shown by the validation state */ }
  };
  const onForm = (next: PolicyData) => { setRejected(null); setData(next); setDataText(pretty(next)); };
  const onModules = (next: RegoModule[]) => { setRejected(null); setModules(next); };

  const submit = async (e: Event) => {
    e.preventDefault();
    setRejected(null);
    const draft = await save.run(async () => {
      try {
        return await post<Draft>(`${props.scope}/policy/drafts`, { data, modules, base_version: source.baseVersion, ...(note.trim() ? { note: note.trim() } : {}) });
      } catch (err) {
        // 422: the draft is invalid; its validation is shown inline like the live one.
        const v = err instanceof ApiError ? (err.body?.error?.validation as Validation | undefined) : undefined;
        if (v) setRejected(normalise(v));
        throw err;
      }
    });
    if (draft) { setNote(''); props.onSaved(draft); }
  };

  const syntaxBroken = validation.syntax !== null;
  return (
    <section aria-labelledby="editor-title" class="policy-editor">
      <h2 id="editor-title">Edit <span class="muted">starting from {source.label}</span></h2>
      <ValidationSummary state={shown} />
      <Tabs label="Edit the policy" active={tab} onSelect={setTab} tabs={[
        { id: 'form', title: 'Form' }, { id: 'json', title: 'Data (JSON)' }, { id: 'rego', title: `Rego modules (${modules.length})` },
        { id: 'diff', title: 'Changes' }, { id: 'simulate', title: 'Simulate' },
      ]}>
        {tab === 'form' && (syntaxBroken
          ? <Notice kind="warning">The JSON data has a syntax error; fix it in the Data (JSON) tab to use the form.</Notice>
          : <PolicyDataForm data={data} onChange={onForm} issues={issues} disabled={!props.canCreate} />)}
        {tab === 'json' && (
          <div class="field">
            <p id="json-help" class="hint">Policy data as JSON (schema: <code>gatehouse policy schema</code>). Problems are underlined; hover or move the cursor onto them, or read the list above.</p>
            <CodeEditor label="Policy data (JSON)" language="json" value={dataText} onChange={onText} diagnostics={diagnostics} readOnly={!props.canCreate} describedBy="json-help" />
          </div>
        )}
        {tab === 'rego' && <ModulesEditor modules={modules} onChange={onModules} validation={shown} readOnly={!props.canCreate} packageName={props.packageName} />}
        {tab === 'diff' && <LocalDiff before={props.published} after={{ data, modules }} />}
        {tab === 'simulate' && <SimulatePanel scope={props.scope} subject={{ draft: { data, modules } }} orgScope={props.orgScope} />}
      </Tabs>
      {props.canCreate ? (
        <form class="inline-form save" onSubmit={(e) => { void submit(e); }}>
          <Field label="Note for the reviewers" value={note} onInput={setNote} placeholder="what changes and why" />
          <Button type="submit" variant="primary" busy={save.busy} disabled={syntaxBroken}>Save as draft</Button>
          {save.error && <Notice kind="error">{save.error}</Notice>}
        </form>
      ) : <Notice kind="info">Your role can read this policy but not change it.</Notice>}
    </section>
  );
}
