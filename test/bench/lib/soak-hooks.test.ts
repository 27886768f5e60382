/** What the soak and comparison need from the toolkit: per-answer callbacks, a connection cap, stats over IPC. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pacedLoop, startService, type ServiceProcess } from './index';

describe('paced loop hooks', () => {
  let server: Server;
  let origin: string;
  const sockets = new Set<unknown>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(req.socket);
      req.resume();
      req.on('end', () => {
        const fail = req.headers['x-fail'] === '1';
        res.writeHead(fail ? 500 : 200, { 'content-type': 'application/json' });
        res.end('{"choices":[]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it('reports every answer once, with its latency when it succeeded, over at most the connections allowed', async () => {
    sockets.clear();
    const seen = { ok: 0, non2xx: 0, error: 0, latencies: 0 };
    const r = await pacedLoop({ origin, path: '/', headers: {}, body: '{}' }, {
      rate: 200, durationS: 0.5, connections: 2,
      onAnswer: (outcome, latency) => {
        seen[outcome]++;
        if (latency !== null) seen.latencies++;
      },
    });
    expect(r.ok).toBe(100);
    expect(seen).toEqual({ ok: 100, non2xx: 0, error: 0, latencies: 100 });
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('reports failures without a latency', async () => {
    const outcomes: string[] = [];
    const r = await pacedLoop({ origin, path: '/', headers: { 'x-fail': '1' }, body: '{}' }, {
      rate: 100, durationS: 0.1, onAnswer: (outcome, latency) => outcomes.push(`${outcome}:${latency}`),
    });
    expect(r.non2xx).toBe(10);
    expect(outcomes).toEqual(Array(10).fill('non2xx:null'));
  });
});

describe('child stats over IPC', () => {
  const app = path.resolve(__dirname, '..', '..', '..', 'src');
  const children: ServiceProcess[] = [];
  afterAll(async () => {
    for (const c of children) await c.stop();
  });

  it('answers from inside the child, after a real GC only when the child can run one', async () => {
    const plain = await startService({ entry: 'mock-entry.ts', env: { GATEHOUSE_BENCH_APP: app } });
    children.push(plain);
    const withGc = await startService({ entry: 'mock-entry.ts', env: { GATEHOUSE_BENCH_APP: app }, nodeFlags: ['--expose-gc'] });
    children.push(withGc);
    const a = await plain.stats({ gc: true });
    expect(a.afterGc).toBe(false);
    expect(a.rssBytes).toBeGreaterThan(0);
    expect(a.resourcesByKind.TCPServerWrap).toBe(1);
    expect(a.eventLoopDelayMs).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the monitor samples every 10 ms
    expect((await plain.stats()).eventLoopDelayMs).not.toBeNull();
    expect((await withGc.stats({ gc: true })).afterGc).toBe(true);
  }, 60_000);
});
