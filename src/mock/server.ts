/**
 * The mock LLM provider: one node:http server that speaks OpenAI, Azure OpenAI, Anthropic and Gemini on any base
 * path prefix (so one mock acts as several endpoints), records what it receives and injects faults on demand.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMessages } from './anthropic';
import { FaultSpecError, parseFaultMap, resolveFault, type FaultMap, type FaultSpec } from './faults';
import { geminiBatchEmbed, geminiGenerate } from './gemini';
import { openAIChat, openAIEmbeddings, openAIModels } from './openai';
import { RequestRecorder, type RecordedRequest } from './recorder';
import { sendError, sendJson, sleep, type Protocol } from './respond';

export interface MockProviderOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** When set, requests must carry this key (Bearer, x-api-key, api-key or x-goog-api-key); otherwise any key passes. */
  expectedApiKey?: string;
  /** Initial fault map (base path prefix → fault). */
  faults?: FaultMap;
  /** Largest request body accepted (default 32 MiB). */
  maxBodyBytes?: number;
}

export interface MockProviderStats {
  /** Requests received (admin routes excluded). */
  received: number;
  /** Requests whose client closed the connection before the response ended. */
  clientClosed: number;
  /** Requests being served right now. */
  inFlight: number;
}

export interface MockProvider {
  /** Root URL, e.g. `http://127.0.0.1:8081` (OpenAI base URL: `${url}/v1`). */
  url: string;
  port: number;
  requests(): RecordedRequest[];
  clearRequests(): void;
  setFaults(faults: FaultMap): void;
  stats(): MockProviderStats;
  close(): Promise<void>;
}

type Route =
  | { protocol: 'openai'; op: 'chat' | 'embeddings' | 'models'; deployment: string | null }
  | { protocol: 'anthropic'; op: 'messages' }
  | { protocol: 'gemini'; op: 'generate' | 'stream' | 'embed'; model: string };

/** Recognises the API operation from the end of the path, whatever prefix precedes it. */
function routeFor(path: string): Route | null {
  const colon = path.lastIndexOf(':');
  if (colon !== -1) {
    const method = path.slice(colon + 1);
    const models = path.lastIndexOf('/models/', colon);
    if (models === -1) return null;
    const model = decodeURIComponent(path.slice(models + 8, colon));
    if (method === 'generateContent') return { protocol: 'gemini', op: 'generate', model };
    if (method === 'streamGenerateContent') return { protocol: 'gemini', op: 'stream', model };
    if (method === 'batchEmbedContents') return { protocol: 'gemini', op: 'embed', model };
    return null;
  }
  const deployment = deploymentOf(path);
  if (path.endsWith('/chat/completions')) return { protocol: 'openai', op: 'chat', deployment };
  if (path.endsWith('/embeddings')) return { protocol: 'openai', op: 'embeddings', deployment };
  if (path.endsWith('/messages')) return { protocol: 'anthropic', op: 'messages' };
  if (path.endsWith('/models')) return { protocol: 'openai', op: 'models', deployment: null };
  return null;
}

/** Azure: `/openai/deployments/{deployment}/...`. */
function deploymentOf(path: string): string | null {
  const i = path.indexOf('/openai/deployments/');
  if (i === -1) return null;
  const start = i + 20;
  const end = path.indexOf('/', start);
  return end === -1 ? null : decodeURIComponent(path.slice(start, end));
}

function presentedKey(req: IncomingMessage, query: string): string | undefined {
  const h = req.headers;
  const auth = h.authorization;
  if (typeof auth === 'string') return auth.startsWith('Bearer ') ? auth.slice(7) : auth;
  for (const name of ['x-api-key', 'api-key', 'x-goog-api-key'] as const) {
    const v = h[name];
    if (typeof v === 'string') return v;
  }
  const m = /(?:^|&)key=([^&]*)/.exec(query);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const recorder = new RequestRecorder(100);
  let faults: FaultMap = options.faults ?? {};
  const faultUses = new Map<string, number>();
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const stats: MockProviderStats = { received: 0, clientClosed: 0, inFlight: 0 };

  function admin(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer | null): void {
    if (path === '/__mock/requests') {
      if (req.method === 'GET') return sendJson(res, 200, { requests: recorder.list() });
      if (req.method === 'DELETE') {
        recorder.clear();
        return sendJson(res, 200, { cleared: true });
      }
    } else if (path === '/__mock/faults') {
      if (req.method === 'GET') return sendJson(res, 200, { faults });
      if (req.method === 'DELETE') {
        faults = {};
        faultUses.clear();
        return sendJson(res, 200, { faults });
      }
      if (req.method === 'POST' || req.method === 'PUT') {
        try {
          faults = parseFaultMap(JSON.parse(body?.toString('utf8') || 'null'));
          faultUses.clear();
          return sendJson(res, 200, { faults });
        } catch (err) {
          return sendJson(res, 400, { error: { message: err instanceof Error ? err.message : String(err) } });
        }
      }
    } else if (path === '/__mock/stats' && req.method === 'GET') {
      return sendJson(res, 200, stats);
    } else if (path === '/__mock/health') {
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: { message: `no mock admin route ${req.method} ${path}` } });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = q === -1 ? '' : rawUrl.slice(q + 1);
    const raw = await readBody(req, maxBody);
    if (path.startsWith('/__mock/')) return admin(req, res, path, raw);
    const route = routeFor(path);
    const protocol: Protocol = route?.protocol ?? 'openai';
    if (raw === null) return sendError(res, protocol, 413, 'request entity too large');
    let body: unknown = null;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        badJson = true;
        body = raw.toString('utf8');
      }
    }
    stats.received++;
    stats.inFlight++;
    const rec = recorder.add(req.method ?? 'GET', path, query, req.headers, body);
    res.on('close', () => {
      stats.inFlight--;
      if (!res.writableFinished && rec.outcome !== 'cut') {
        rec.outcome = 'client_closed';
        stats.clientClosed++;
      } else if (rec.outcome === 'pending') rec.outcome = 'completed';
    });

    let fault: FaultSpec | null;
    try {
      const found = resolveFault(path, typeof req.headers['x-mock-fault'] === 'string' ? req.headers['x-mock-fault'] : undefined, faults);
      fault = found.fault;
      if (fault?.times !== undefined && found.key !== null) {
        const used = faultUses.get(found.key) ?? 0;
        faultUses.set(found.key, used + 1);
        if (used >= fault.times) fault = null;
      }
    } catch (err) {
      if (err instanceof FaultSpecError) return sendError(res, protocol, 400, `bad x-mock-fault: ${err.message}`);
      throw err;
    }

    const key = presentedKey(req, query);
    if (key === undefined || key === '') return sendError(res, protocol, 401, 'Missing API key (send Authorization: Bearer …, x-api-key, api-key or x-goog-api-key).');
    if (options.expectedApiKey !== undefined && key !== options.expectedApiKey) return sendError(res, protocol, 401, 'Incorrect API key provided.');

    if (fault?.hang) {
      rec.outcome = 'hung';
      return; // never answer; the socket stays open until the caller gives up or the mock closes
    }
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (res.destroyed) return;
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = {};
      const retryAfter = fault.retryAfterSec ?? (fault.status === 429 ? 1 : undefined);
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
      return sendError(res, protocol, fault.status, `mock fault: injected HTTP ${fault.status}`, null, headers);
    }
    if (!route) return sendError(res, protocol, 404, `mock provider has no route for ${req.method} ${path}`);
    if (route.op === 'models') return openAIModels(res, req.headers['anthropic-version'] !== undefined);
    if (req.method !== 'POST') return sendError(res, protocol, 405, `${req.method} not allowed on ${path}`);
    if (badJson || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(res, protocol, 400, 'We could not parse the JSON body of your request.');
    }
    const obj = body as Record<string, unknown>;
    switch (route.protocol) {
      case 'openai':
        if (route.deployment !== null && !/(?:^|&)api-version=/.test(query)) {
          return sendError(res, 'openai', 400, 'Missing required query parameter: api-version', 'api-version');
        }
        if (route.op === 'chat') return openAIChat(res, obj, route.deployment, fault, rec);
        return openAIEmbeddings(res, obj, route.deployment, fault, rec);
      case 'anthropic': {
        const version = req.headers['anthropic-version'];
        return anthropicMessages(res, obj, typeof version === 'string' ? version : undefined, fault, rec);
      }
      case 'gemini':
        if (route.op === 'embed') return geminiBatchEmbed(res, obj, fault, rec);
        if (route.op === 'stream' && !/(?:^|&)alt=sse(?:&|$)/.test(query)) {
          return sendError(res, 'gemini', 400, 'the mock streams Gemini responses only with alt=sse');
        }
        return geminiGenerate(res, route.model, route.op === 'stream', obj, fault, rec);
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `mock provider failure: ${err instanceof Error ? err.message : String(err)}` } });
      else res.destroy();
    });
  });
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // hung-request faults must be able to outlive any default

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`,
    port: address.port,
    requests: () => recorder.list(),
    clearRequests: () => recorder.clear(),
    setFaults(map: FaultMap) {
      faults = parseFaultMap(map);
      faultUses.clear();
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
