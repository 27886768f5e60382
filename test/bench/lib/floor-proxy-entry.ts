/**
 * Child-process entry: the floor any Node.js gateway pays on this machine — a bare `node:http` server that reads
 * the JSON request, parses and re-serialises it, forwards it with an undici keep-alive pool (as the gateway does)
 * and relays the answer (parsed and re-serialised; streams relayed chunk by chunk). No auth, policy, routing,
 * metrics or logs. Measured next to the gateway, it separates Gatehouse's own cost from the platform's.
 * Upstream: GATEHOUSE_BENCH_UPSTREAM (the mock's root URL).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { serveChild } from './child-protocol';

const upstream = process.env.GATEHOUSE_BENCH_UPSTREAM;
const UPSTREAM_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer mock-demo-key' };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: { message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function relay(pool: Pool, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = JSON.parse(await readBody(req)) as { stream?: boolean };
  const upstreamRes = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: UPSTREAM_HEADERS, body: JSON.stringify(request) });
  if (request.stream === true) {
    res.writeHead(upstreamRes.statusCode, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for await (const chunk of upstreamRes.body) res.write(chunk as Buffer);
    res.end();
    return;
  }
  const body = JSON.stringify(await upstreamRes.body.json());
  res.writeHead(upstreamRes.statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

serveChild(async () => {
  if (!upstream) throw new Error('GATEHOUSE_BENCH_UPSTREAM is not set');
  const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 60_000 });
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return fail(res, 404, 'unknown route');
    relay(pool, req, res).catch((err: unknown) => fail(res, 502, err instanceof Error ? err.message : String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
    },
  };
});
