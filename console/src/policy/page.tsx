import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { get, scopePath } from '../api';
import { Tabs } from '../components/tabs';
import { Loading, Notice, PageTitle, formatDate, useAsync } from '../components/ui';
import { policyRights, useMe, type Org, type Workspace } from '../session';
import { DraftList, DraftView } from './drafts';
import { PolicyEditor, type EditorSource } from './editor';
import { History } from './history';
import type { Draft, Overview, Version } from './types';

/** The policy of an organisation (its defaults) or of a workspace: edit, review, publish, history. */
export function PolicyPage(props: { org: string; ws: string | null }): JSX.Element {
  const me = useMe();
  const scope = scopePath(props.org, props.ws);
  const ids = useAsync(async (signal) => {
    const org = await get<Org>(scopePath(props.org), undefined, signal);
    const ws = props.ws ? await get<Workspace>(scope, undefined, signal) : null;
    return { org, ws };
  }, [props.org, props.ws]);
  const [refresh, setRefresh] = useState(0);
  const overview = useAsync((signal) => get<Overview>(`${scope}/policy`, undefined, signal), [scope, refresh]);
  const [tab, setTab] = useState('edit');
  const [selected, setSelected] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [source, setSource] = useState<EditorSource | null>(null);

  const rights = ids.data ? policyRights(me, ids.data.org.id, ids.data.ws?.id ?? null) : new Set<never>();
  const published = overview.data?.published ?? null;
  // Start from the version in force unless the user picked another starting point.
  const start = useMemo<EditorSource | null>(() => source ?? (overview.data ? {
    label: published ? `version ${published.version} (in force)` : 'an empty policy',
    data: published?.data ?? {}, modules: published?.modules ?? [], baseVersion: published?.version ?? 0,
  } : null), [source, overview.data]);

  const changed = (m: string) => { setMessage(m); setRefresh((r) => r + 1); };
  const onSaved = (d: Draft) => { setSelected(d.id); setSource(null); changed(`Draft #${d.id} saved. Submit it for review when ready.`); setTab('review'); };
  const editFrom = (label: string, data: Draft['data'], modules: Draft['modules']) => {
    setSource({ label, data, modules, baseVersion: published?.version ?? 0 });
    setTab('edit');
  };

  const title = props.ws ? `Policy of workspace ${props.ws}` : `Organisation policy (defaults for every workspace)`;
  if (overview.error) {
    return <><PageTitle>{title}</PageTitle><Notice kind="error">{overview.error}</Notice>
      {overview.error && /not found|unknown admin route/i.test(overview.error) && <p class="muted">This gateway has no policy lifecycle API.</p>}</>;
  }
  return (
    <>
      <PageTitle sub={published ? `Version ${published.version} in force since ${formatDate(published.published_at)}${published.published_by ? ` (${published.published_by})` : ''}` : 'Nothing published in this scope'}>{title}</PageTitle>
      {message && <Notice kind="success">{message}</Notice>}
      {overview.data?.shadow && <Notice kind="info">Draft #{overview.data.shadow.draft_id} runs in shadow since {formatDate(overview.data.shadow.started_at)}: its decisions are logged next to the real ones.</Notice>}
      {!overview.data || !ids.data || !start ? <Loading what="the policy" /> : (
        <Tabs label="Policy" active={tab} onSelect={setTab} tabs={[
          { id: 'edit', title: 'Editor' },
          { id: 'review', title: `Drafts and review (${overview.data.open_drafts.length})` },
          { id: 'history', title: 'History' },
        ]}>
          {tab === 'edit' && <PolicyEditor scope={scope} source={start} published={published} canCreate={rights.has('create')} orgScope={props.ws === null} packageName={props.ws ? props.ws.replace(/-/g, '_') : 'org'} onSaved={onSaved} />}
          {tab === 'review' && (
            <>
              <DraftList drafts={overview.data.open_drafts} selected={selected} onSelect={setSelected} />
              {selected !== null && (
                <DraftView key={`${selected}-${refresh}`} scope={scope} id={selected} meId={me.id} rights={rights} workspace={props.ws !== null}
                  overview={overview.data} onChanged={changed} onEditCopy={(d) => editFrom(`draft #${d.id}`, d.data, d.modules)} />
              )}
            </>
          )}
          {tab === 'history' && (
            <History scope={scope} canPublish={rights.has('publish')} canCreate={rights.has('create')} current={published?.version ?? null} refresh={refresh}
              onChanged={changed} onEditFrom={(v: Version) => editFrom(`version ${v.version}`, v.data, v.modules)} />
          )}
        </Tabs>
      )}
    </>
  );
}

