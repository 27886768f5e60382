/** The small IPC protocol between the benchmark and its child processes (mock provider, gateway). */

export type ChildMessage = { type: 'ready'; url: string } | { type: 'error'; message: string } | { type: 'closed' };
export type ParentMessage = { type: 'shutdown' };

export interface ChildService {
  url: string;
  close(): Promise<void>;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Starts the service, reports readiness, and exits cleanly (so `--cpu-prof` writes its profile) on shutdown. */
export function serveChild(start: () => Promise<ChildService>): void {
  if (!process.send) {
    process.stderr.write('this script is started by test/bench/gateway.bench.ts over IPC\n');
    process.exit(2);
  }
  let service: ChildService | null = null;
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      try {
        await service?.close();
      } catch (err) {
        process.stderr.write(`close failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      if (process.connected) send({ type: 'closed' });
    }
    process.exit(code);
  };
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'shutdown') void stop(0);
  });
  // The parent died or closed the channel: never linger as an orphan holding a port.
  process.on('disconnect', () => void stop(0));
  start().then(
    (s) => {
      service = s;
      send({ type: 'ready', url: s.url });
    },
    (err: unknown) => {
      send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
      process.exit(1);
    },
  );
}
