import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, post, scopePath } from '../api';
import { AsyncView, Button, Field, Link, Notice, PageTitle, formatDate, useAction, useAsync } from '../components/ui';
import { navigate } from '../router';
import { isOwner, rolesIn, useMe, type Org, type Workspace } from '../session';

/** The organisations the user can see; with exactly one, it opens directly. */
export function OrgPicker(): JSX.Element {
  const orgs = useAsync((signal) => get<{ data: Org[] }>('/admin/v1/orgs', undefined, signal), []);
  useEffect(() => {
    if (orgs.data?.data.length === 1) navigate(`/o/${orgs.data.data[0].slug}`, true);
  }, [orgs.data]);
  return (
    <>
      <PageTitle>Organisations</PageTitle>
      <AsyncView state={orgs} what="organisations">
        {(d) => d.data.length === 0 ? <Notice kind="info">You do not belong to any organisation yet.</Notice> : (
          <ul class="cards">
            {d.data.map((o) => <li><Link to={`/o/${o.slug}`}><strong>{o.name}</strong> <span class="muted">{o.slug}</span></Link></li>)}
          </ul>
        )}
      </AsyncView>
    </>
  );
}

/** Workspaces of an organisation (a picker) and, for owners, creating one. */
export function OrgHome(props: { org: string }): JSX.Element {
  const me = useMe();
  const org = useAsync((signal) => get<Org>(scopePath(props.org), undefined, signal), [props.org]);
  const list = useAsync((signal) => get<{ data: Workspace[] }>(`${scopePath(props.org)}/workspaces`, undefined, signal), [props.org]);
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const create = useAction();
  const owner = org.data ? isOwner(me, org.data.id) : false;

  const submit = async (e: Event) => {
    e.preventDefault();
    const ws = await create.run(() => post<Workspace>(`${scopePath(props.org)}/workspaces`, { slug, name }));
    if (ws) { setSlug(''); setName(''); list.reload(); }
  };

  return (
    <>
      <PageTitle sub={org.data ? `Organisation ${org.data.slug}` : undefined}>{org.data?.name ?? props.org}</PageTitle>
      <section aria-labelledby="ws-title">
        <h2 id="ws-title">Workspaces</h2>
        <AsyncView state={list} what="workspaces">
          {(d) => d.data.length === 0 ? <Notice kind="info">No workspace you can see.</Notice> : (
            <table class="table">
              <caption class="visually-hidden">Workspaces</caption>
              <thead><tr><th scope="col">Workspace</th><th scope="col">Name</th><th scope="col">Your roles</th><th scope="col">Created</th></tr></thead>
              <tbody>
                {d.data.map((w) => (
                  <tr>
                    <td><Link to={`/o/${props.org}/w/${w.slug}`}>{w.slug}</Link></td>
                    <td>{w.name}</td>
                    <td>{org.data ? [...rolesIn(me, org.data.id, w.id)].join(', ') || '—' : ''}</td>
                    <td>{formatDate(w.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </AsyncView>
      </section>
      {owner && (
        <section aria-labelledby="new-ws">
          <h2 id="new-ws">New workspace</h2>
          {create.error && <Notice kind="error">{create.error}</Notice>}
          <form class="inline-form" onSubmit={(e) => { void submit(e); }}>
            <Field label="Slug" value={slug} onInput={setSlug} hint="lower-case letters, digits and dashes" required />
            <Field label="Name" value={name} onInput={setName} required />
            <Button type="submit" variant="primary" busy={create.busy}>Create workspace</Button>
          </form>
        </section>
      )}
    </>
  );
}

/** One workspace: where to go next. */
export function WorkspaceHome(props: { org: string; ws: string }): JSX.Element {
  const me = useMe();
  const ws = useAsync((signal) => get<Workspace>(`${scopePath(props.org, props.ws)}`, undefined, signal), [props.org, props.ws]);
  const org = useAsync((signal) => get<Org>(scopePath(props.org), undefined, signal), [props.org]);
  const roles = org.data && ws.data ? [...rolesIn(me, org.data.id, ws.data.id)] : [];
  const base = `/o/${props.org}/w/${props.ws}`;
  return (
    <>
      <PageTitle sub={roles.length ? `Your roles: ${roles.join(', ')}` : undefined}>{ws.data?.name ?? props.ws}</PageTitle>
      {ws.error && <Notice kind="error">{ws.error}</Notice>}
      <ul class="cards">
        <li><Link to={`${base}/members`}><strong>Members</strong><span class="muted">grant and withdraw roles</span></Link></li>
        <li><Link to={`${base}/keys`}><strong>API keys</strong><span class="muted">create, rotate, revoke</span></Link></li>
        <li><Link to={`${base}/spend`}><strong>Spend</strong><span class="muted">per user and key</span></Link></li>
        <li><Link to={`${base}/policy`}><strong>Policy</strong><span class="muted">edit, review, publish</span></Link></li>
      </ul>
    </>
  );
}
