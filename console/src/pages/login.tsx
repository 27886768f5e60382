import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Button, Field, Notice } from '../components/ui';

/** Only same-site console paths are followed after sign-in (never an open redirect). */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next && /^\/console(\/[^\s]*)?$/.test(next) && !next.startsWith('/console/login') ? next : '/console';
}

/**
 * Sign-in: single sign-on by organisation slug or work e-mail (the server starts OIDC/SAML at
 * /auth/login and comes back to `next`), or break-glass administrator login.
 */
export function LoginPage(props: { signedIn: boolean }): JSX.Element {
  const [who, setWho] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [showLocal, setShowLocal] = useState(false);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);

  const sso = (e: Event) => {
    e.preventDefault();
    const value = who.trim().toLowerCase();
    if (!value) return setError('Enter your organisation (e.g. acme) or your work e-mail.');
    const param = value.includes('@') ? `email=${encodeURIComponent(value)}` : /^[a-z0-9][a-z0-9-]{0,62}$/.test(value) ? `org=${value}` : null;
    if (!param) return setError('An organisation is lower-case letters, digits and dashes.');
    const url = `/auth/login?${param}&return_to=${encodeURIComponent(nextPath())}`;
    setBusy(true);
    setError(null);
    // Asked first without following the redirect: an unknown organisation or domain, or an IdP that
    // cannot be reached, is explained here instead of leaving the user on a JSON error page.
    fetch(url, { redirect: 'manual', credentials: 'same-origin', headers: { accept: 'application/json' } }).then(async (res) => {
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) return location.assign(url);
      const body = await res.json().catch(() => null) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `Single sign-on could not start (${res.status}).`);
      setBusy(false);
    }, () => { setError('The gateway could not be reached.'); setBusy(false); });
  };

  const local = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/auth/local', { body: { username: user, password, ...(totp ? { totp } : {}) }, quiet401: true });
      location.assign(nextPath());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <div class="card">
        <h1 tabIndex={-1} ref={heading}>Sign in to Gatehouse</h1>
        {props.signedIn && <Notice kind="info">You are already signed in. <a href="/console">Go to the console</a>.</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <form onSubmit={sso} aria-label="Single sign-on">
          <Field label="Organisation or work e-mail" value={who} onInput={setWho} name="who" autoComplete="username"
            hint="Your organisation's identity provider will ask for your password." required />
          <Button type="submit" variant="primary" busy={busy}>Continue with single sign-on</Button>
        </form>
        <details open={showLocal} onToggle={(e) => setShowLocal((e.currentTarget as HTMLDetailsElement).open)}>
          <summary>Break-glass administrator</summary>
          <form onSubmit={(e) => { void local(e); }} aria-label="Break-glass sign-in">
            <Field label="User name" value={user} onInput={setUser} autoComplete="username" required />
            <Field label="Password" type="password" value={password} onInput={setPassword} autoComplete="current-password" required />
            <Field label="TOTP code (if enrolled)" value={totp} onInput={setTotp} autoComplete="one-time-code" />
            <Button type="submit" busy={busy}>Sign in</Button>
          </form>
        </details>
      </div>
    </main>
  );
}
