import type { ComponentChildren, JSX } from 'preact';
import { post } from '../api';
import { currentPath } from '../router';
import { useMe } from '../session';
import { Button, Link } from './ui';

/** Header, navigation for the current organisation / workspace, and the main landmark. */
export function Layout(props: { params: Record<string, string>; children: ComponentChildren }): JSX.Element {
  const me = useMe();
  const { org, ws } = props.params;
  const path = currentPath();
  const item = (to: string, label: string) => <li><Link to={to} current={path === to}>{label}</Link></li>;
  const signOut = async () => {
    try { await post('/auth/logout'); } finally { location.assign('/console/login'); }
  };
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <Link to="/" class="brand">Gatehouse</Link>
        <span class="crumbs" aria-label="Location">
          {org && <> / <Link to={`/o/${org}`}>{org}</Link></>}
          {ws && <> / <Link to={`/o/${org}/w/${ws}`}>{ws}</Link></>}
        </span>
        <span class="who">Signed in as <strong>{me.label}</strong></span>
        <Button onClick={() => { void signOut(); }}>Sign out</Button>
      </header>
      <div class="body">
        {org && (
          <nav class="sidenav" aria-label="Console sections">
            <h2 class="nav-title">Organisation</h2>
            <ul>
              {item(`/o/${org}`, 'Workspaces')}
              {item(`/o/${org}/catalog`, 'Catalog')}
              {item(`/o/${org}/audit`, 'Audit log')}
              {item(`/o/${org}/policy`, 'Organisation policy')}
            </ul>
            {ws && <>
              <h2 class="nav-title">Workspace {ws}</h2>
              <ul>
                {item(`/o/${org}/w/${ws}`, 'Overview')}
                {item(`/o/${org}/w/${ws}/members`, 'Members')}
                {item(`/o/${org}/w/${ws}/keys`, 'API keys')}
                {item(`/o/${org}/w/${ws}/spend`, 'Spend')}
                {item(`/o/${org}/w/${ws}/policy`, 'Policy')}
              </ul>
            </>}
          </nav>
        )}
        <main id="main" tabIndex={-1}>{props.children}</main>
      </div>
    </div>
  );
}
