/**
 * The admin API from the browser: same-origin fetch with the session cookie, the CSRF token on
 * every mutation, JSON in and out, and errors as ApiError (status, code, message, details).
 */

export interface ApiErrorBody {
  error?: { message?: string; code?: string | null; param?: string | null; validation?: unknown };
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code: string | null, readonly body: ApiErrorBody | null) {
    super(message);
  }
}

let csrfToken: string | null = null;
/** Called when any request answers 401: the app goes back to the sign-in page. */
let onUnauthenticated: (() => void) | null = null;

export function setCsrfToken(token: string | null): void { csrfToken = token; }
export function setUnauthenticatedHandler(fn: () => void): void { onUnauthenticated = fn; }

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
  /** Do not go to the sign-in page on 401 (the session check itself). */
  quiet401?: boolean;
}

export function withQuery(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export async function api<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(withQuery(path, options.query), {
    method, headers, credentials: 'same-origin', signal: options.signal,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const body = (json ?? null) as ApiErrorBody | null;
    const message = body?.error?.message ?? `${res.status} ${res.statusText}`;
    if (res.status === 401 && !options.quiet401) onUnauthenticated?.();
    throw new ApiError(res.status, message, body?.error?.code ?? null, body);
  }
  return json as T;
}

export const get = <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal): Promise<T> => api<T>('GET', path, { query, signal });
export const post = <T>(path: string, body?: unknown): Promise<T> => api<T>('POST', path, { body: body ?? {} });
export const put = <T>(path: string, body: unknown): Promise<T> => api<T>('PUT', path, { body });
export const patch = <T>(path: string, body: unknown): Promise<T> => api<T>('PATCH', path, { body });
export const del = (path: string): Promise<void> => api<void>('DELETE', path);

export const enc = encodeURIComponent;
/** `/admin/v1/orgs/:org[/workspaces/:ws]` */
export const scopePath = (org: string, ws?: string | null): string =>
  `/admin/v1/orgs/${enc(org)}${ws ? `/workspaces/${enc(ws)}` : ''}`;

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
