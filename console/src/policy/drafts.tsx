import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { del, get, post } from '../api';
import { AsyncView, Button, Field, Notice, formatDate, useAction, useAsync } from '../components/ui';
import type { PolicyAction } from '../session';
import { ServerDiff } from './diff';
import { SimulatePanel } from './simulate';
import type { Draft, DraftSummary, Overview, Version } from './types';
import { ValidationSummary } from './validation-summary';
import { normalise } from './validation';

export function DraftList(props: { drafts: DraftSummary[]; selected: number | null; onSelect: (id: number) => void }): JSX.Element {
  if (props.drafts.length === 0) return <p class="muted">No open drafts.</p>;
  return (
    <table class="table">
      <caption>Open drafts</caption>
      <thead><tr><th scope="col">Draft</th><th scope="col">Status</th><th scope="col">Author</th><th scope="col">Based on</th><th scope="col">Note</th><th scope="col">Created</th></tr></thead>
      <tbody>
        {props.drafts.map((d) => (
          <tr class={d.id === props.selected ? 'selected' : undefined}>
            <td><Button onClick={() => props.onSelect(d.id)} aria-pressed={d.id === props.selected ? 'true' : 'false'}>Open draft #{d.id}</Button></td>
            <td><span class={`tag status-${d.status}`}>{d.status}</span></td>
            <td>{d.author.label}</td>
            <td>v{d.base_version}</td>
            <td>{d.note ?? '—'}</td>
            <td>{formatDate(d.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One draft: content summary, validation, diff against the version in force, simulation and the
 * lifecycle buttons the user's roles allow (submit / withdraw / approve / reject / publish / shadow).
 */
export function DraftView(props: {
  scope: string; id: number; meId: string; rights: Set<PolicyAction>; workspace: boolean; overview: Overview;
  onChanged: (message: string) => void; onEditCopy: (d: Draft) => void;
}): JSX.Element {
  const draft = useAsync((signal) => get<Draft>(`${props.scope}/policy/drafts/${props.id}`, undefined, signal), [props.scope, props.id]);
  const [comment, setComment] = useState('');
  const action = useAction();
  const base = `${props.scope}/policy/drafts/${props.id}`;
  const act = async (verb: string, body?: unknown, message?: string) => {
    const r = await action.run(() => post<Draft | { version: Version }>(`${base}/${verb}`, body));
    if (r) { setComment(''); draft.reload(); props.onChanged(message ?? `Draft #${props.id}: ${verb} done.`); }
    return r;
  };
  const publish = async () => {
    const r = await action.run(() => post<{ version: Version }>(`${base}/publish`));
    if (r) { draft.reload(); props.onChanged(`Published as version ${r.version.version}. Every gateway switches within a second.`); }
  };
  const stopShadow = async () => {
    if (await action.run(async () => { await del(`${props.scope}/policy/shadow`); return true; })) props.onChanged('Shadow evaluation stopped.');
  };

  return (
    <AsyncView state={draft} what={`draft #${props.id}`}>
      {(d) => {
        const mine = d.author.user_id !== null && d.author.user_id === props.meId;
        const can = (a: PolicyAction) => props.rights.has(a);
        const shadowed = props.overview.shadow?.draft_id === d.id;
        return (
          <section class="draft" aria-labelledby="draft-title">
            <h3 id="draft-title">Draft #{d.id} <span class={`tag status-${d.status}`}>{d.status}</span></h3>
            <dl class="facts">
              <dt>Author</dt><dd>{d.author.label}</dd>
              <dt>Based on</dt><dd>version {d.base_version}{props.overview.published && props.overview.published.version !== d.base_version ? ` (version ${props.overview.published.version} is now in force: publishing will be refused as stale)` : ''}</dd>
              <dt>Note</dt><dd>{d.note ?? '—'}</dd>
              {d.submitted_at && <><dt>Submitted</dt><dd>{formatDate(d.submitted_at)}</dd></>}
              {d.reviewed_by && <><dt>Reviewed by</dt><dd>{d.reviewed_by.label}, {formatDate(d.reviewed_at)}{d.review_comment ? `: “${d.review_comment}”` : ''}</dd></>}
              {d.published_version !== null && <><dt>Published as</dt><dd>version {d.published_version}</dd></>}
            </dl>
            {d.validation && <ValidationSummary state={{ result: normalise(d.validation), syntax: null, pending: false, error: null }} />}
            {action.error && <Notice kind="error">{action.error}</Notice>}
            <div class="row actions" role="group" aria-label="Draft actions">
              {d.status === 'draft' && can('update') && <Button variant="primary" busy={action.busy} onClick={() => { void act('submit', {}, `Draft #${d.id} submitted for review.`); }}>Submit for review</Button>}
              {d.status === 'submitted' && can('approve') && (
                mine ? <span class="muted">You wrote this draft: another approver must review it.</span> : <>
                  <Field label="Review comment" value={comment} onInput={setComment} hint="required to reject" />
                  <Button variant="primary" busy={action.busy} onClick={() => { void act('approve', comment.trim() ? { comment: comment.trim() } : {}, `Draft #${d.id} approved.`); }}>Approve</Button>
                  <Button variant="danger" busy={action.busy} disabled={!comment.trim()} onClick={() => { void act('reject', { comment: comment.trim() }, `Draft #${d.id} rejected.`); }}>Reject</Button>
                </>
              )}
              {d.status === 'approved' && can('publish') && <Button variant="primary" busy={action.busy} onClick={() => { void publish(); }}>Publish</Button>}
              {props.workspace && (d.status === 'approved' || d.status === 'submitted') && can('publish') && !shadowed &&
                <Button busy={action.busy} onClick={() => { void act('shadow', {}, `Draft #${d.id} now runs in shadow: decisions are logged, not enforced.`); }}>Run in shadow</Button>}
              {shadowed && can('publish') && <Button onClick={() => { void stopShadow(); }}>Stop shadow</Button>}
              {(d.status === 'draft' || d.status === 'submitted') && can('update') && <Button variant="danger" busy={action.busy} onClick={() => { void act('withdraw', {}, `Draft #${d.id} withdrawn.`); }}>Withdraw</Button>}
              {can('create') && <Button onClick={() => props.onEditCopy(d)}>Edit a copy</Button>}
            </div>
            <h4>Changes against the version in force</h4>
            {d.diff ? <ServerDiff diff={d.diff} /> : <p class="muted">No diff.</p>}
            <details>
              <summary>Simulate this draft</summary>
              <SimulatePanel scope={props.scope} subject={{ draft_id: d.id }} orgScope={!props.workspace} />
            </details>
          </section>
        );
      }}
    </AsyncView>
  );
}
