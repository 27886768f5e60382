import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { del, enc, get, put, scopePath } from '../api';
import { AsyncView, Button, Field, Notice, PageTitle, useAction, useAsync } from '../components/ui';
import { isOwner, useMe, type Org } from '../session';

interface Endpoint {
  id: string; provider: string; displayName: string; baseUrl: string; priority?: number; enabled?: boolean; shared: boolean;
  governance: { jurisdiction: string | null; dataRegions: string[] | null; zeroDataRetention: boolean | null; trainsOnData: boolean | null; retentionDays: number | null; certifications: string[] | null };
  models: Array<{ model: string; kind: string; pricing: { inputPerMTok: number | null; outputPerMTok: number | null } }>;
}

/** Unknown governance facts stay "unknown": never shown as compliant. */
const yesNo = (v: boolean | null): string => (v === null ? 'unknown' : v ? 'yes' : 'no');
const list = (v: string[] | null): string => (v === null ? 'unknown' : v.join(', ') || 'none');

const EXAMPLE = JSON.stringify({
  provider: 'openai_compatible', display_name: 'Our vLLM', base_url: 'https://llm.internal.example/v1', credentials_ref: 'env:VLLM_KEY',
  jurisdiction: 'DE', data_regions: ['eu'], zero_data_retention: true, trains_on_data: false, priority: 50,
  models: [{ model: 'llama-3-70b', kind: 'chat', input_per_mtok: 0.5, output_per_mtok: 1.5 }],
}, null, 2);

/** Catalog endpoints with their governance attributes; owners add, replace and delete their organisation's own. */
export function CatalogPage(props: { org: string }): JSX.Element {
  const me = useMe();
  const base = scopePath(props.org);
  const org = useAsync((signal) => get<Org>(base, undefined, signal), [base]);
  const catalog = useAsync((signal) => get<{ data: Endpoint[] }>(`${base}/catalog`, undefined, signal), [base]);
  const owner = org.data ? isOwner(me, org.data.id) : false;
  const [id, setId] = useState('');
  const [json, setJson] = useState(EXAMPLE);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const action = useAction();

  const save = async (e: Event) => {
    e.preventDefault();
    let body: unknown;
    try { body = JSON.parse(json); setJsonError(null); } catch (err) { setJsonError(`Not valid JSON: ${(err as Error).message}`); return; }
    if (await action.run(() => put(`${base}/catalog/endpoints/${enc(id)}`, body))) catalog.reload();
  };
  const remove = async (ep: Endpoint) => {
    if (!confirm(`Delete endpoint ${ep.id}?`)) return;
    if (await action.run(async () => { await del(`${base}/catalog/endpoints/${enc(ep.id)}`); return true; })) catalog.reload();
  };

  return (
    <>
      <PageTitle sub="Where requests may go, and what each provider does with the data">Catalog endpoints</PageTitle>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <AsyncView state={catalog} what="catalog">
        {(d) => (
          <table class="table">
            <caption class="visually-hidden">Catalog endpoints</caption>
            <thead><tr>
              <th scope="col">Endpoint</th><th scope="col">Provider</th><th scope="col">Models</th><th scope="col">Jurisdiction</th>
              <th scope="col">Regions</th><th scope="col">Zero retention</th><th scope="col">Trains on data</th><th scope="col">Certifications</th>
              <th scope="col">Priority</th><th scope="col">Owner</th><th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr></thead>
            <tbody>
              {d.data.map((ep) => (
                <tr class={ep.enabled === false ? 'disabled' : undefined}>
                  <td><strong>{ep.id}</strong><div class="muted">{ep.displayName}{ep.enabled === false ? ' (disabled)' : ''}</div></td>
                  <td>{ep.provider}</td>
                  <td>{ep.models.map((m) => <div>{m.model} <span class="muted">{m.kind}{m.pricing.inputPerMTok !== null ? ` · $${m.pricing.inputPerMTok}/$${m.pricing.outputPerMTok ?? '?'} per Mtok` : ''}</span></div>)}</td>
                  <td>{ep.governance.jurisdiction ?? 'unknown'}</td>
                  <td>{list(ep.governance.dataRegions)}</td>
                  <td>{yesNo(ep.governance.zeroDataRetention)}</td>
                  <td>{yesNo(ep.governance.trainsOnData)}</td>
                  <td>{list(ep.governance.certifications)}</td>
                  <td>{ep.priority ?? 100}</td>
                  <td>{ep.shared ? 'shared' : 'this organisation'}</td>
                  <td>{owner && !ep.shared && <Button variant="danger" onClick={() => { void remove(ep); }} aria-label={`Delete ${ep.id}`}>Delete</Button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
      {owner && (
        <section aria-labelledby="ep-edit">
          <h2 id="ep-edit">Add or replace an endpoint of this organisation</h2>
          <form onSubmit={(e) => { void save(e); }}>
            <Field label="Endpoint id" value={id} onInput={setId} hint="letters, digits, '.', '_' or '-'" required />
            <div class="field">
              <label for="ep-json">Endpoint (JSON, as PUT /catalog/endpoints/:id takes it)</label>
              <textarea id="ep-json" class="mono" rows={14} value={json} aria-invalid={jsonError ? 'true' : undefined} aria-describedby={jsonError ? 'ep-json-err' : undefined}
                onInput={(e) => setJson((e.currentTarget as HTMLTextAreaElement).value)} />
              {jsonError && <div class="error-text" id="ep-json-err">{jsonError}</div>}
            </div>
            <Button type="submit" variant="primary" busy={action.busy}>Save endpoint</Button>
          </form>
        </section>
      )}
    </>
  );
}
