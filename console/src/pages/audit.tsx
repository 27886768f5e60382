import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { get, scopePath } from '../api';
import { AsyncView, Button, Field, Notice, PageTitle, Select, formatDate, useAction, useAsync } from '../components/ui';
import { AuditExport } from './audit-export';

export interface AuditEvent {
  id: string; time: string; type: string; workspace: string | null; actor: { type: string; id: string; label?: string };
  outcome?: string; target?: { type: string; id: string; label?: string }; details?: Record<string, unknown>;
  decision?: unknown; request?: unknown; pii?: Record<string, number>;
}
interface Page { data: Array<{ seq: number; hash: string; event: AuditEvent }>; next_cursor: string | null }
interface Filters { from: string; to: string; type: string; actor: string; workspace: string; outcome: string; limit: string }

const EMPTY: Filters = { from: '', to: '', type: '', actor: '', workspace: '', outcome: '', limit: '50' };
const toIso = (local: string): string => (local ? new Date(local).toISOString() : '');

/** Audit search (filters, newest first, paged by cursor), chain verification and exports. */
export function AuditPage(props: { org: string }): JSX.Element {
  const base = `${scopePath(props.org)}/audit`;
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // Cursors of the pages seen so far: "Previous" pops one.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync((signal) => get<Page>(`${base}/events`, {
    from: toIso(filters.from), to: toIso(filters.to), type: filters.type, actor: filters.actor, workspace: filters.workspace,
    outcome: filters.outcome, limit: filters.limit, cursor,
  }, signal), [base, filters, cursor]);
  const verify = useAction();
  const [report, setReport] = useState<{ ok: boolean; chains: Array<{ rows: number; checkpointsVerified: number }>; problems: Array<{ seq: number | null; reason: string }> } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft, [k]: v });

  const search = (e: Event) => { e.preventDefault(); setFilters(draft); setCursors([null]); };
  const runVerify = async () => {
    setReport(null);
    // 409 carries the report too: read it from the error body.
    const r = await verify.run(() => fetch(`${base}/verify`, { credentials: 'same-origin' }).then((res) => res.json()));
    if (r) setReport(r as typeof report);
  };

  return (
    <>
      <PageTitle sub="Append-only, hash-chained per organisation">Audit log</PageTitle>
      <form class="filters" onSubmit={search} aria-label="Search the audit log">
        <Field label="From" type="datetime-local" value={draft.from} onInput={set('from')} />
        <Field label="To" type="datetime-local" value={draft.to} onInput={set('to')} />
        <Field label="Event type" value={draft.type} onInput={set('type')} placeholder="policy.* or key.created" />
        <Field label="Actor id" value={draft.actor} onInput={set('actor')} />
        <Field label="Workspace id" value={draft.workspace} onInput={set('workspace')} />
        <Select label="Outcome" value={draft.outcome} onChange={set('outcome')} options={[{ value: '', label: 'any' }, 'success', 'denied', 'failure']} />
        <Select label="Per page" value={draft.limit} onChange={set('limit')} options={['25', '50', '100', '200']} />
        <div class="row">
          <Button type="submit" variant="primary">Search</Button>
          <Button onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setCursors([null]); }}>Clear</Button>
        </div>
      </form>
      <AsyncView state={page} what="events">
        {(p) => p.data.length === 0 ? <Notice kind="info">No events match.</Notice> : (
          <>
            <table class="table">
              <caption class="visually-hidden">Audit events, newest first</caption>
              <thead><tr><th scope="col">Seq</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Outcome</th><th scope="col">Target</th><th scope="col"><span class="visually-hidden">Details</span></th></tr></thead>
              <tbody>
                {p.data.map(({ seq, event }) => (
                  <>
                    <tr>
                      <td class="num">{seq}</td>
                      <td>{formatDate(event.time)}</td>
                      <td class="mono">{event.type}</td>
                      <td>{event.actor.label ?? event.actor.id} <span class="muted">{event.actor.type}</span></td>
                      <td>{event.outcome ?? '—'}</td>
                      <td>{event.target ? `${event.target.type} ${event.target.label ?? event.target.id}` : '—'}</td>
                      <td><Button aria-expanded={open === event.id ? 'true' : 'false'} onClick={() => setOpen(open === event.id ? null : event.id)} aria-label={`Details of event ${seq}`}>{open === event.id ? 'Hide' : 'Details'}</Button></td>
                    </tr>
                    {open === event.id && <tr><td colSpan={7}><pre class="json">{JSON.stringify(event, null, 2)}</pre></td></tr>}
                  </>
                ))}
              </tbody>
            </table>
            <nav class="row" aria-label="Pages">
              <Button disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</Button>
              <span role="status">Page {cursors.length}</span>
              <Button disabled={!p.next_cursor} onClick={() => setCursors([...cursors, p.next_cursor])}>Next page</Button>
            </nav>
          </>
        )}
      </AsyncView>
      <section aria-labelledby="verify-title">
        <h2 id="verify-title">Verify the chain</h2>
        <Button onClick={() => { void runVerify(); }} busy={verify.busy}>Verify this organisation's chain</Button>
        {verify.error && <Notice kind="error">{verify.error}</Notice>}
        {report && (report.ok
          ? <Notice kind="success">Chain intact: {report.chains.reduce((n, c) => n + c.rows, 0)} events, {report.chains.reduce((n, c) => n + c.checkpointsVerified, 0)} signed checkpoints verified.</Notice>
          : <Notice kind="error">Chain broken: {report.problems.map((p) => `${p.seq ?? '?'}: ${p.reason}`).join('; ')}</Notice>)}
      </section>
      <AuditExport base={base} />
    </>
  );
}
