/** The last N requests the mock received, for tests to see exactly what left the gateway. */

export type RequestOutcome = 'pending' | 'completed' | 'client_closed' | 'cut' | 'hung';

export interface RecordedRequest {
  seq: number;
  /** ISO time the request arrived. */
  at: string;
  method: string;
  path: string;
  query: string;
  /** Request headers; credentials (authorization, x-api-key, api-key, x-goog-api-key) are replaced by `[present]`. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or the raw text when it was not JSON, or null when empty. */
  body: unknown;
  /** How the exchange ended: `client_closed` means the caller dropped the connection before the response ended. */
  outcome: RequestOutcome;
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'proxy-authorization', 'cookie']);

export class RequestRecorder {
  private readonly items: RecordedRequest[] = [];
  private seq = 0;
  constructor(private readonly capacity = 100) {}

  add(method: string, path: string, query: string, rawHeaders: Record<string, string | string[] | undefined>, body: unknown): RecordedRequest {
    const headers: Record<string, string | string[] | undefined> = {};
    for (const k in rawHeaders) headers[k] = SECRET_HEADERS.has(k) ? '[present]' : rawHeaders[k];
    const rec: RecordedRequest = { seq: ++this.seq, at: new Date().toISOString(), method, path, query, headers, body, outcome: 'pending' };
    this.items.push(rec);
    if (this.items.length > this.capacity) this.items.shift();
    return rec;
  }

  list(): RecordedRequest[] {
    return this.items.slice();
  }

  clear(): void {
    this.items.length = 0;
  }
}
