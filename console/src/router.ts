import { useEffect, useState } from 'preact/hooks';

/** A tiny history router for /console/*: paths, not hashes, so deep links and reloads work. */

export const BASE = '/console';
const listeners = new Set<() => void>();

export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === '' ? '/' : p;
}

export function href(path: string): string {
  return path === '/' ? BASE : `${BASE}${path}`;
}

/** True once the app has navigated by itself (then page headings take focus; a fresh load leaves focus alone). */
export let navigated = false;

export function navigate(path: string, replace = false): void {
  if (!replace) navigated = true;
  const url = path.startsWith(BASE) ? path : href(path);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const l of listeners) l();
}

window.addEventListener('popstate', () => { navigated = true; for (const l of listeners) l(); });

/** The current path (without /console) and query; re-renders on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => { listeners.delete(l); };
  }, []);
  return { path: currentPath(), query: new URLSearchParams(location.search) };
}

/** Matches `/o/:org/w/:ws` style patterns; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i += 1) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}
