import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { del, enc, get, post, scopePath } from '../api';
import { AsyncView, Button, Checkbox, Field, Notice, PageTitle, SecretOnce, formatDate, useAction, useAsync } from '../components/ui';

interface ApiKey {
  id: string; name: string; prefix: string; user_id: string | null; scopes: string[] | null; allowed_models: string[] | null;
  created_at: string; expires_at: string | null; revoked_at: string | null; last_used_at: string | null;
}
interface CreatedKey extends ApiKey { key: string }

const SCOPES = ['chat', 'embeddings', 'models', 'messages'];

/** API keys: create (the secret is shown once), rotate, revoke. */
export function KeysPage(props: { org: string; ws: string }): JSX.Element {
  const base = `${scopePath(props.org, props.ws)}/keys`;
  const list = useAsync((signal) => get<{ data: ApiKey[] }>(base, undefined, signal), [base]);
  const [name, setName] = useState('');
  const [models, setModels] = useState('');
  const [days, setDays] = useState('');
  const [budget, setBudget] = useState('');
  const [scopes, setScopes] = useState<string[]>([...SCOPES]);
  const [secret, setSecret] = useState<{ label: string; key: string } | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const action = useAction();

  const create = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name, scopes };
    const allowed = models.split(',').map((m) => m.trim()).filter(Boolean);
    if (allowed.length) body.allowed_models = allowed;
    if (days.trim()) body.expires_in_days = Number(days);
    if (budget.trim()) body.limits = { budget_usd: Number(budget), budget_window: 'month' };
    const k = await action.run(() => post<CreatedKey>(base, body));
    if (k) { setSecret({ label: `New key ${k.name}`, key: k.key }); setName(''); setModels(''); setDays(''); setBudget(''); list.reload(); }
  };
  const rotate = async (k: ApiKey) => {
    if (!confirm(`Rotate ${k.name}? The current key stops working at once.`)) return;
    const r = await action.run(() => post<CreatedKey>(`${base}/${enc(k.id)}/rotate`));
    if (r) { setSecret({ label: `Rotated key ${r.name}`, key: r.key }); list.reload(); }
  };
  const revoke = async (k: ApiKey) => {
    if (!confirm(`Revoke ${k.name}? Every gateway refuses it at once.`)) return;
    if (await action.run(async () => { await del(`${base}/${enc(k.id)}`); return true; })) list.reload();
  };

  return (
    <>
      <PageTitle sub={`Workspace ${props.ws}`}>API keys</PageTitle>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {secret && <SecretOnce label={secret.label} secret={secret.key} onDone={() => setSecret(null)} />}
      <Checkbox label="Show revoked keys" checked={showRevoked} onChange={setShowRevoked} />
      <AsyncView state={list} what="keys">
        {(d) => {
          const keys = d.data.filter((k) => showRevoked || !k.revoked_at);
          return keys.length === 0 ? <Notice kind="info">No keys.</Notice> : (
            <table class="table">
              <caption class="visually-hidden">API keys</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Models</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {keys.map((k) => (
                  <tr>
                    <td>{k.name}</td>
                    <td class="mono">{k.prefix}</td>
                    <td>{k.scopes?.join(', ') ?? 'all'}</td>
                    <td>{k.allowed_models?.join(', ') ?? 'any'}</td>
                    <td>{formatDate(k.last_used_at)}</td>
                    <td>{formatDate(k.expires_at)}</td>
                    <td>{k.revoked_at ? `revoked ${formatDate(k.revoked_at)}` : 'active'}</td>
                    <td class="actions">{!k.revoked_at && <>
                      <Button onClick={() => { void rotate(k); }} aria-label={`Rotate ${k.name}`}>Rotate</Button>
                      <Button variant="danger" onClick={() => { void revoke(k); }} aria-label={`Revoke ${k.name}`}>Revoke</Button>
                    </>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </AsyncView>
      <section aria-labelledby="new-key">
        <h2 id="new-key">New key</h2>
        <form onSubmit={(e) => { void create(e); }}>
          <div class="inline-form">
            <Field label="Name" value={name} onInput={setName} required />
            <Field label="Allowed models" value={models} onInput={setModels} hint="comma-separated, globs allowed (demo-*); empty: any" />
            <Field label="Expires in days" type="number" value={days} onInput={setDays} hint="empty: never" />
            <Field label="Monthly budget (USD)" type="number" value={budget} onInput={setBudget} hint="empty: no key budget" />
          </div>
          <fieldset class="checks">
            <legend>Scopes</legend>
            {SCOPES.map((s) => <Checkbox label={s} checked={scopes.includes(s)} onChange={(on) => setScopes(on ? [...scopes, s] : scopes.filter((x) => x !== s))} />)}
          </fieldset>
          <Button type="submit" variant="primary" busy={action.busy}>Create key</Button>
        </form>
      </section>
    </>
  );
}
