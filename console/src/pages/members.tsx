import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { del, enc, get, post, scopePath } from '../api';
import { AsyncView, Button, Field, Notice, PageTitle, Select, useAction, useAsync } from '../components/ui';

interface Member { user_id: string; email: string; display_name: string | null; active: boolean; role: string; sources: string[] }

const WORKSPACE_ROLES = ['admin', 'policy_author', 'policy_approver', 'auditor', 'developer'];

/** Workspace members: grant a role (the user is created if needed), withdraw one. */
export function MembersPage(props: { org: string; ws: string }): JSX.Element {
  const base = `${scopePath(props.org, props.ws)}/members`;
  const list = useAsync((signal) => get<{ data: Member[] }>(base, undefined, signal), [base]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('developer');
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);

  const grant = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const r = await action.run(() => post<{ email: string; role: string }>(base, { email, role }));
    if (r) { setDone(`${r.email} is now ${r.role}.`); setEmail(''); list.reload(); }
  };
  const withdraw = async (m: Member) => {
    if (!confirm(`Withdraw ${m.role} from ${m.email}?`)) return;
    setDone(null);
    const ok = await action.run(async () => { await del(`${base}/${enc(m.user_id)}/roles/${enc(m.role)}`); return true; });
    if (ok) { setDone(`${m.role} withdrawn from ${m.email}.`); list.reload(); }
  };

  return (
    <>
      <PageTitle sub={`Workspace ${props.ws}`}>Members</PageTitle>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {done && <Notice kind="success">{done}</Notice>}
      <AsyncView state={list} what="members">
        {(d) => d.data.length === 0 ? <Notice kind="info">No members yet.</Notice> : (
          <table class="table">
            <caption class="visually-hidden">Members and their roles</caption>
            <thead><tr><th scope="col">E-mail</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Granted by</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {d.data.map((m) => (
                <tr>
                  <td>{m.email}</td>
                  <td>{m.display_name ?? '—'}</td>
                  <td><span class="tag">{m.role}</span></td>
                  <td>{m.sources.join(', ')}</td>
                  <td>{m.active ? 'active' : 'deactivated'}</td>
                  <td><Button variant="danger" onClick={() => { void withdraw(m); }} aria-label={`Withdraw ${m.role} from ${m.email}`}>Withdraw</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
      <section aria-labelledby="grant-title">
        <h2 id="grant-title">Grant a role</h2>
        <p class="muted">Roles that come from identity-provider groups are set again at each sign-in; grant by hand only what the IdP does not.</p>
        <form class="inline-form" onSubmit={(e) => { void grant(e); }}>
          <Field label="E-mail" type="email" value={email} onInput={setEmail} required />
          <Select label="Role" value={role} options={WORKSPACE_ROLES} onChange={setRole} />
          <Button type="submit" variant="primary" busy={action.busy}>Grant</Button>
        </form>
      </section>
    </>
  );
}
