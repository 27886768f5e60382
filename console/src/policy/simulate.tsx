import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { post } from '../api';
import { Button, Field, Notice, useAction } from '../components/ui';
import type { DecisionSummary, PolicyData, RegoModule, Simulation } from './types';

type Subject = { draft_id: number } | { draft: { data: PolicyData; modules: RegoModule[] } };

/** One decision; PII actions that differ from the other side are spelled out, the rest folded away. */
function Decision(props: { d: DecisionSummary; other: DecisionSummary }): JSX.Element {
  const { d, other } = props;
  const actions = Object.entries(d.pii_actions ?? {});
  const differing = actions.filter(([t, a]) => other.pii_actions?.[t] !== a);
  return (
    <div>
      <strong class={d.allow ? 'allow' : 'deny'}>{d.allow ? 'allow' : 'deny'}</strong>
      {d.deny.length > 0 && <ul class="plain">{d.deny.map((x) => <li><code>{x.code}</code> {x.message}</li>)}</ul>}
      {differing.length > 0 && <div>PII: {differing.map(([t, a]) => `${t} → ${a}`).join(', ')}</div>}
      {actions.length > 0 && (
        <details class="muted"><summary>All PII actions ({actions.length})</summary>{actions.map(([t, a]) => `${t} → ${a}`).join(', ')}</details>
      )}
      {d.allowed_endpoints?.length > 0 && <div class="muted">endpoints: {d.allowed_endpoints.join(', ')}</div>}
    </div>
  );
}

/**
 * What the change would do: replays the last N audited requests and/or one sample request under
 * the published policy and under this one, and lists the decisions side by side.
 */
export function SimulatePanel(props: { scope: string; subject: Subject; orgScope?: boolean }): JSX.Element {
  const [last, setLast] = useState('50');
  const [model, setModel] = useState('demo-chat');
  const [message, setMessage] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [result, setResult] = useState<Simulation | null>(null);
  const [onlyChanged, setOnlyChanged] = useState(false);
  const action = useAction();

  const run = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { ...props.subject };
    const n = Number(last);
    if (last.trim() && n > 0) body.replay = { last: Math.min(500, Math.floor(n)) };
    if (message.trim()) body.request = { model, messages: [{ role: 'user', content: message }] };
    if (message.trim() && props.orgScope && workspace.trim()) body.workspace = workspace.trim();
    const r = await action.run(() => post<Simulation>(`${props.scope}/policy/simulate`, body));
    if (r) setResult(r);
  };

  const rows = result ? result.results.filter((r) => !onlyChanged || r.changed) : [];
  return (
    <div class="simulate">
      <form onSubmit={(e) => { void run(e); }}>
        <div class="inline-form">
          <Field label="Replay the last N requests" type="number" value={last} onInput={setLast} hint="1–500 from the audit log; empty: none" />
          <Field label="Sample request model" value={model} onInput={setModel} />
          <Field label="Sample request message" value={message} onInput={setMessage} placeholder="e.g. mail jane@example.com" />
          {props.orgScope && <Field label="Sample request workspace" value={workspace} onInput={setWorkspace} hint="slug; empty: the organisation level alone" />}
        </div>
        <Button type="submit" variant="primary" busy={action.busy}>Run simulation</Button>
      </form>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {result && (
        <>
          <p role="status" data-testid="simulation-summary"><strong>{result.changed}</strong> of {result.total} decisions would change (published version {result.published_version ?? 'none'}).</p>
          {result.notes && result.notes.length > 0 && <details><summary>How this was simulated</summary><ul>{result.notes.map((n) => <li>{n}</li>)}</ul></details>}
          <label class="field-check"><input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged((e.currentTarget as HTMLInputElement).checked)} /> Only changed decisions</label>
          <table class="table">
            <caption class="visually-hidden">Simulation results</caption>
            <thead><tr><th scope="col">Source</th><th scope="col">Request</th><th scope="col">Published policy</th><th scope="col">This policy</th><th scope="col">Changed</th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr class={r.changed ? 'changed' : undefined}>
                  <td>{r.source}{r.event_id ? <div class="muted mono">{r.event_id.slice(0, 8)}</div> : null}</td>
                  <td>{r.request.model} <span class="muted">{r.request.route}</span></td>
                  <td><Decision d={r.published} other={r.draft} /></td>
                  <td><Decision d={r.draft} other={r.published} /></td>
                  <td>{r.changed ? `yes${r.changes?.length ? `: ${r.changes.join(', ')}` : ''}` : 'no'}{r.recorded ? <div class="muted">then: {r.recorded.allow ? 'allowed' : 'denied'}</div> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
