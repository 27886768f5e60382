import type { JSX } from 'preact';
import { get, post } from '../api';
import { AsyncView, Button, Notice, formatDate, useAction, useAsync } from '../components/ui';
import type { Version, VersionSummary } from './types';

/** Published versions, newest first; a rollback publishes a copy of an older one as a new version. */
export function History(props: { scope: string; canPublish: boolean; canCreate: boolean; current: number | null; refresh: number; onChanged: (message: string) => void; onEditFrom: (v: Version) => void }): JSX.Element {
  const versions = useAsync((signal) => get<{ versions: VersionSummary[] }>(`${props.scope}/policy/versions`, undefined, signal), [props.scope, props.refresh]);
  const action = useAction();
  const rollback = async (v: VersionSummary) => {
    if (!confirm(`Publish a copy of version ${v.version} as the new version?`)) return;
    const r = await action.run(() => post<{ version: Version }>(`${props.scope}/policy/versions/${v.version}/rollback`, { note: `rollback to v${v.version}` }));
    if (r) { versions.reload(); props.onChanged(`Rolled back: version ${r.version.version} (a copy of ${v.version}) is in force.`); }
  };
  const editFrom = async (v: VersionSummary) => {
    const full = await action.run(() => get<Version>(`${props.scope}/policy/versions/${v.version}`));
    if (full) props.onEditFrom(full);
  };
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <AsyncView state={versions} what="versions">
        {(d) => d.versions.length === 0 ? <p class="muted">Nothing published yet.</p> : (
          <table class="table">
            <caption class="visually-hidden">Published versions</caption>
            <thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">By</th><th scope="col">Kind</th><th scope="col">From</th><th scope="col">Note</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {d.versions.map((v) => (
                <tr class={v.version === props.current ? 'selected' : undefined}>
                  <td>v{v.version}{v.version === props.current ? ' (in force)' : ''}</td>
                  <td>{formatDate(v.published_at)}</td>
                  <td>{v.published_by ?? '—'}</td>
                  <td>{v.kind}{v.module_count ? `, ${v.module_count} module${v.module_count === 1 ? '' : 's'}` : ''}</td>
                  <td>{v.rollback_of ? `rollback of v${v.rollback_of}` : v.draft_id ? `draft #${v.draft_id}` : 'direct'}</td>
                  <td>{v.note ?? '—'}</td>
                  <td class="actions">
                    {props.canCreate && <Button onClick={() => { void editFrom(v); }} aria-label={`Edit starting from version ${v.version}`}>Edit from here</Button>}
                    {props.canPublish && v.version !== props.current && <Button variant="danger" busy={action.busy} onClick={() => { void rollback(v); }} aria-label={`Roll back to version ${v.version}`}>Roll back to this</Button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
    </section>
  );
}
