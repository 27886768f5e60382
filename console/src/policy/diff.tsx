import { MergeView } from '@codemirror/merge';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Notice } from '../components/ui';
import { rego } from '../editor/rego';
import { styleNonce } from '../editor/style-nonce';
import { diffData } from './data-tools';
import type { Diff, PolicyData, RegoModule } from './types';

const show = (v: unknown): string => (v === undefined ? '' : JSON.stringify(v));

/** Data changes as a table: path, what happened, before, after. */
export function DataChanges(props: { changes: Diff['data'] }): JSX.Element {
  if (props.changes.length === 0) return <p class="muted">No change to the policy data.</p>;
  return (
    <table class="table diff-table">
      <caption>Policy data changes</caption>
      <thead><tr><th scope="col">Path</th><th scope="col">Change</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
      <tbody>
        {props.changes.map((c) => (
          <tr class={`op-${c.op}`}>
            <td class="mono">{c.path || '(all)'}</td>
            <td>{c.op === 'add' ? 'added' : c.op === 'remove' ? 'removed' : 'changed'}</td>
            <td class="mono del">{show(c.before)}</td>
            <td class="mono ins">{show(c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A unified diff text (from the API) with added and removed lines marked. */
function Unified(props: { text: string }): JSX.Element {
  return (
    <pre class="unified" tabIndex={0}>
      {props.text.split('\n').map((line) => {
        const cls = line.startsWith('+++') || line.startsWith('---') ? 'hdr' : line.startsWith('+') ? 'ins' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
        const sr = cls === 'ins' ? 'added: ' : cls === 'del' ? 'removed: ' : '';
        return <div class={cls}>{sr && <span class="visually-hidden">{sr}</span>}{line || ' '}</div>;
      })}
    </pre>
  );
}

/** The server's diff of a draft against the version in force. */
export function ServerDiff(props: { diff: Diff }): JSX.Element {
  const changed = props.diff.modules.filter((m) => m.status !== 'unchanged');
  return (
    <div class="diff">
      <DataChanges changes={props.diff.data} />
      {changed.length === 0 ? <p class="muted">No change to the Rego modules.</p> : changed.map((m) => (
        <section><h4>{m.path} <span class="tag">{m.status}</span></h4><Unified text={m.unified} /></section>
      ))}
    </div>
  );
}

/** Side-by-side view of one module (CodeMirror merge view, read-only). */
function ModuleMerge(props: { path: string; before: string; after: string }): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const extensions = [rego(), syntaxHighlighting(defaultHighlightStyle), EditorView.lineWrapping, styleNonce, EditorState.readOnly.of(true), EditorView.editable.of(false)];
    const view = new MergeView({
      a: { doc: props.before, extensions: [...extensions, EditorView.contentAttributes.of({ 'aria-label': `${props.path} as published` })] },
      b: { doc: props.after, extensions: [...extensions, EditorView.contentAttributes.of({ 'aria-label': `${props.path} as edited` })] },
      parent: host.current!,
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    return () => view.destroy();
  }, [props.before, props.after]);
  return <section><h4>{props.path}</h4><div class="merge" ref={host} /></section>;
}

/** Unsaved edits against the version in force. */
export function LocalDiff(props: { before: { data: PolicyData; modules: RegoModule[] } | null; after: { data: PolicyData; modules: RegoModule[] } }): JSX.Element {
  const before = props.before ?? { data: {}, modules: [] };
  const changes = diffData(before.data, props.after.data);
  const paths = [...new Set([...before.modules.map((m) => m.path), ...props.after.modules.map((m) => m.path)])].sort();
  const modules = paths.map((p) => ({ path: p, before: before.modules.find((m) => m.path === p)?.source ?? '', after: props.after.modules.find((m) => m.path === p)?.source ?? '' }))
    .filter((m) => m.before !== m.after);
  return (
    <div class="diff">
      {!props.before && <Notice kind="info">Nothing is published in this scope yet: everything is new.</Notice>}
      <DataChanges changes={changes} />
      {modules.length === 0 ? <p class="muted">No change to the Rego modules.</p> : modules.map((m) => <ModuleMerge {...m} />)}
    </div>
  );
}
