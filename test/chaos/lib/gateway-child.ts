/**
 * Child-process entry: one gateway configured from the environment like production (`loadConfig`), run with
 * --expose-gc so the suite can ask for its heap after a full collection. IPC protocol: the child sends
 * `{type: 'ready', url}`; the parent sends `{type: 'probe'}` (answered with `{type: 'probe', ...}`) and
 * `{type: 'shutdown'}` (graceful close, then exit).
 */
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server';
import type { ChildReply, ParentRequest } from './protocol';

const send = (message: ChildReply): void => {
  process.send?.(message);
};

/** Several collections: one pass may leave weak references and finalizers for the next. */
async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

let gateway: Gateway | null = null;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await gateway?.close().catch((err: unknown) => process.stderr.write(`close failed: ${String(err)}\n`));
  }
  process.exit(code);
}

process.on('message', (message: ParentRequest) => {
  if (message?.type === 'shutdown') void stop(0);
  else if (message?.type === 'probe') {
    void collect().then(() => {
      const mem = process.memoryUsage();
      send({
        type: 'probe', heapUsed: mem.heapUsed, rss: mem.rss, external: mem.external, arrayBuffers: mem.arrayBuffers,
        inflight: (gateway?.services.inflight as { size?: number } | undefined)?.size ?? -1,
        auditAvailable: gateway?.services.audit?.available ?? false,
        audit: gateway?.services.audit?.stats() ?? null,
      });
    });
  }
});
// The parent died: never linger holding a port.
process.on('disconnect', () => void stop(0));

startGateway(loadConfig(process.env), { migrate: false }).then(
  (g) => {
    gateway = g;
    send({ type: 'ready', url: g.url });
  },
  (err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
    process.exit(1);
  },
);
