import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { post } from '../api';
import { Button, Field, Notice, useAction } from '../components/ui';
import type { DecisionSummary, PolicyData, RegoModule, Simulation } from './types';

type Subject = { draft_id: number } | { draft: { data: PolicyData; modules: RegoModule[] } };

function Decision(props: { d: DecisionSummary }): JSX.Element {
  const { d } = props;
  return (
    <div>
      <strong class={d.allow ? 'allow' : 'deny'}>{d.allow ? 'allow' : 'deny'}</strong>
      {d.deny.length > 0 && <ul class="plain">{d.deny.map((x) => <li><code>{x.code}</code> {x.message}</li>)}</ul>}
      {d.pii_actions !== null && d.pii_actions !== undefined && Object.keys(d.pii_actions as object).length > 0 && <div class="muted mono">PII: {JSON.stringify(d.pii_actions)}</div>}
      {d.allowed_endpoints?.length > 0 && <div class="muted">endpoints: {d.allowed_endpoints.join(', ')}</div>}
    </div>
  );
}

/**
 * What the change would do: replays the last N audited requests and/or one sample request under
 * the published policy and under this one, and lists the decisions side by side.
 */
export function SimulatePanel(props: { scope: string; subject: Subject }): JSX.Element {
  const [last, setLast] = useState('50');
  const [model, setModel] = useState('demo-chat');
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<Simulation | null>(null);
  const [onlyChanged, setOnlyChanged] = useState(false);
  const action = useAction();

  const run = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { ...props.subject };
    const n = Number(last);
    if (last.trim() && n > 0) body.replay = { last: Math.min(500, Math.floor(n)) };
    if (message.trim()) body.request = { model, messages: [{ role: 'user', content: message }] };
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
        </div>
        <Button type="submit" variant="primary" busy={action.busy}>Run simulation</Button>
      </form>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {result && (
        <>
          <p role="status" data-testid="simulation-summary"><strong>{result.changed}</strong> of {result.total} decisions would change (published version {result.published_version ?? 'none'}).</p>
          <label class="field-check"><input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged((e.currentTarget as HTMLInputElement).checked)} /> Only changed decisions</label>
          <table class="table">
            <caption class="visually-hidden">Simulation results</caption>
            <thead><tr><th scope="col">Source</th><th scope="col">Request</th><th scope="col">Published policy</th><th scope="col">This policy</th><th scope="col">Changed</th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr class={r.changed ? 'changed' : undefined}>
                  <td>{r.source}{r.event_id ? <div class="muted mono">{r.event_id.slice(0, 8)}</div> : null}</td>
                  <td>{r.request.model} <span class="muted">{r.request.route}</span></td>
                  <td><Decision d={r.published} /></td>
                  <td><Decision d={r.draft} /></td>
                  <td>{r.changed ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
