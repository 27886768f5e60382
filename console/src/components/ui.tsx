import type { ButtonHTMLAttributes, ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { errorText } from '../api';
import { href, navigate, navigated } from '../router';

/** Small, accessible building blocks: every control has a label, messages are live regions. */

export function Link(props: { to: string; children: ComponentChildren; class?: string; current?: boolean }): JSX.Element {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return <a href={href(props.to)} class={props.class} onClick={onClick} aria-current={props.current ? 'page' : undefined}>{props.children}</a>;
}

export function Button(props: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'danger' | 'plain'; busy?: boolean }): JSX.Element {
  const { variant = 'plain', busy, children, disabled, ...rest } = props;
  return <button type="button" {...rest} class={`btn btn-${variant}`} disabled={Boolean(disabled) || busy} aria-busy={busy ? 'true' : undefined}>{children}</button>;
}

interface FieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'number' | 'password' | 'datetime-local' | 'search' | 'url';
  hint?: string;
  error?: string | null;
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
  name?: string;
  disabled?: boolean;
}

export function Field(props: FieldProps): JSX.Element {
  const id = useId();
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id} name={props.name} type={(props.type ?? 'text') as 'text'} value={props.value} required={props.required} placeholder={props.placeholder}
        autoComplete={props.autoComplete} disabled={props.disabled}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && <div class="hint" id={`${id}-hint`}>{props.hint}</div>}
      {props.error && <div class="error-text" id={`${id}-err`}>{props.error}</div>}
    </div>
  );
}

export function Select(props: { label: string; value: string; options: Array<string | { value: string; label: string }>; onChange: (v: string) => void; error?: string | null; disabled?: boolean; hideLabel?: boolean }): JSX.Element {
  const id = useId();
  return (
    <div class={`field${props.hideLabel ? ' field-inline' : ''}`}>
      <label for={id} class={props.hideLabel ? 'visually-hidden' : undefined}>{props.label}</label>
      <select id={id} value={props.value} disabled={props.disabled} aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-err` : undefined}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {props.options.map((o) => typeof o === 'string' ? <option value={o}>{o}</option> : <option value={o.value}>{o.label}</option>)}
      </select>
      {props.error && <div class="error-text" id={`${id}-err`}>{props.error}</div>}
    </div>
  );
}

export function Checkbox(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }): JSX.Element {
  const id = useId();
  return (
    <div class="field field-check">
      <input id={id} type="checkbox" checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/** A status (polite) or error (assertive) message. */
export function Notice(props: { kind: 'error' | 'info' | 'success' | 'warning'; children: ComponentChildren }): JSX.Element {
  return <div class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>{props.children}</div>;
}

export function PageTitle(props: { children: ComponentChildren; sub?: ComponentChildren }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  // Focus moves to the new page's heading after an in-app navigation, so screen readers announce it.
  useEffect(() => { if (navigated) ref.current?.focus({ preventScroll: true }); }, []);
  return (
    <header class="page-title">
      <h1 tabIndex={-1} ref={ref}>{props.children}</h1>
      {props.sub && <p class="sub">{props.sub}</p>}
    </header>
  );
}

export interface Async<T> { data: T | null; error: string | null; loading: boolean; reload: () => void }

/** Loads data when the dependencies change; `reload` fetches again. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const lastKey = useRef<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    // New inputs (another page, other filters) drop the old data; a reload keeps it on screen meanwhile.
    const key = JSON.stringify(deps);
    const fresh = key !== lastKey.current;
    lastKey.current = key;
    setState((s) => ({ data: fresh ? null : s.data, loading: true, error: null }));
    load(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, error: null, loading: false }); },
      (err: unknown) => { if (!ctl.signal.aborted) setState({ data: null, error: errorText(err), loading: false }); },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function Loading(props: { what?: string }): JSX.Element {
  return <p class="loading" role="status">Loading{props.what ? ` ${props.what}` : ''}…</p>;
}

/** Shows loading / error / content for an Async value. */
export function AsyncView<T>(props: { state: Async<T>; what?: string; children: (data: T) => ComponentChildren }): JSX.Element {
  const { state } = props;
  if (state.error) return <Notice kind="error">{state.error}</Notice>;
  if (state.data === null) return <Loading what={props.what} />;
  return <>{props.children(state.data)}</>;
}

/** Runs an action, tracking busy state and its error message. */
export function useAction(): { busy: boolean; error: string | null; run: <T>(fn: () => Promise<T>) => Promise<T | undefined>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(errorText(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

/** A secret shown once (API keys, tokens), with a copy button. */
export function SecretOnce(props: { label: string; secret: string; onDone: () => void }): JSX.Element {
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div class="secret" role="region" aria-labelledby={`${id}-t`}>
      <h2 id={`${id}-t`}>{props.label}</h2>
      <p>Copy it now: it is shown only once and stored only as a hash.</p>
      <label for={id} class="visually-hidden">{props.label}</label>
      <input id={id} class="mono" readOnly value={props.secret} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
      <div class="row">
        <Button onClick={() => { void navigator.clipboard?.writeText(props.secret).then(() => setCopied(true), () => undefined); }}>Copy</Button>
        <Button variant="primary" onClick={props.onDone}>I have saved it</Button>
        {copied && <span role="status">Copied.</span>}
      </div>
    </div>
  );
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/** Dollars: cents for ordinary amounts, four significant digits for fractions of a cent. */
export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n !== 0 && Math.abs(n) < 0.01 ? `$${Number(n.toPrecision(4))}` : `$${n.toFixed(2)}`;
}
