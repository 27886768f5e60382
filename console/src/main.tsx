import { render, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { ApiError, get, setCsrfToken, setUnauthenticatedHandler } from './api';
import { Layout } from './components/layout';
import { Loading, Notice } from './components/ui';
import { AuditPage } from './pages/audit';
import { CatalogPage } from './pages/catalog';
import { KeysPage } from './pages/keys';
import { LoginPage } from './pages/login';
import { MembersPage } from './pages/members';
import { OrgHome, OrgPicker, WorkspaceHome } from './pages/orgs';
import { SpendPage } from './pages/spend';
import { PolicyPage } from './policy/page';
import { match, navigate, useLocation } from './router';
import { SessionContext, type Me } from './session';

/** Page table: pattern → component (params from the path). */
const PAGES: Array<[string, (p: Record<string, string>) => JSX.Element]> = [
  ['/', () => <OrgPicker />],
  ['/o/:org', (p) => <OrgHome org={p.org} />],
  ['/o/:org/catalog', (p) => <CatalogPage org={p.org} />],
  ['/o/:org/audit', (p) => <AuditPage org={p.org} />],
  ['/o/:org/policy', (p) => <PolicyPage org={p.org} ws={null} />],
  ['/o/:org/w/:ws', (p) => <WorkspaceHome org={p.org} ws={p.ws} />],
  ['/o/:org/w/:ws/members', (p) => <MembersPage org={p.org} ws={p.ws} />],
  ['/o/:org/w/:ws/keys', (p) => <KeysPage org={p.org} ws={p.ws} />],
  ['/o/:org/w/:ws/spend', (p) => <SpendPage org={p.org} ws={p.ws} />],
  ['/o/:org/w/:ws/policy', (p) => <PolicyPage org={p.org} ws={p.ws} />],
];

function App(): JSX.Element {
  const { path } = useLocation();
  const [me, setMe] = useState<Me | null | 'anonymous'>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setUnauthenticatedHandler(() => { setMe('anonymous'); setCsrfToken(null); });
    get<Me>('/admin/v1/me').then((m) => { setCsrfToken(m.csrf_token); setMe(m); }, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) setMe('anonymous');
      else setError((err as Error).message);
    });
  }, []);

  useEffect(() => {
    if (me === 'anonymous' && path !== '/login') navigate(`/login?next=${encodeURIComponent(location.pathname)}`, true);
  }, [me, path]);

  if (error) return <main class="center"><Notice kind="error">The console could not reach the admin API: {error}</Notice></main>;
  if (path === '/login' || me === 'anonymous') return <LoginPage signedIn={me !== null && me !== 'anonymous'} />;
  if (me === null) return <main class="center"><Loading what="your session" /></main>;
  for (const [pattern, page] of PAGES) {
    const params = match(pattern, path);
    if (params) return <SessionContext.Provider value={me}><Layout params={params}>{page(params)}</Layout></SessionContext.Provider>;
  }
  return <SessionContext.Provider value={me}><Layout params={{}}><Notice kind="error">No such page: {path}</Notice></Layout></SessionContext.Provider>;
}

render(<App />, document.getElementById('app')!);
