/**
 * The small IPC protocol between the benchmark and its child processes (mock provider, gateway), including a
 * CPU-profiling window: the parent starts the V8 profiler after warm-up and stops it after the measured runs, so
 * start-up and module loading stay out of the profile.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'error'; message: string }
  | { type: 'profile-started' }
  | { type: 'profile-written'; file: string }
  | { type: 'profile-failed'; message: string };

export type ParentMessage =
  | { type: 'shutdown' }
  | { type: 'profile-start'; intervalUs: number }
  | { type: 'profile-stop'; file: string };

export interface ChildService {
  url: string;
  close(): Promise<void>;
}

/** A module of the application under test: `<GATEHOUSE_BENCH_APP>/<name>` (compiled dist/ or the sources). */
export function appModule<T>(name: string): T {
  const root = process.env.GATEHOUSE_BENCH_APP;
  if (!root) throw new Error('GATEHOUSE_BENCH_APP is not set');
  return require(path.join(root, name)) as T;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

class ProfileWindow {
  private session: Session | null = null;

  async start(intervalUs: number): Promise<void> {
    if (this.session) throw new Error('the profiler is already running');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    this.session = session;
  }

  async stop(file: string): Promise<void> {
    const session = this.session;
    if (!session) throw new Error('the profiler is not running');
    this.session = null;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
  }
}

/** Starts the service, reports readiness, serves profiling requests, and exits cleanly on shutdown. */
export function serveChild(start: () => Promise<ChildService>): void {
  if (!process.send) {
    process.stderr.write('this script is started by test/bench/gateway.bench.ts over IPC\n');
    process.exit(2);
  }
  let service: ChildService | null = null;
  let stopping = false;
  const profiler = new ProfileWindow();
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      try {
        await service?.close();
      } catch (err) {
        process.stderr.write(`close failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    process.exit(code);
  };
  const fail = (err: unknown): void => send({ type: 'profile-failed', message: err instanceof Error ? err.message : String(err) });
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'shutdown') void stop(0);
    else if (message?.type === 'profile-start') profiler.start(message.intervalUs).then(() => send({ type: 'profile-started' }), fail);
    else if (message?.type === 'profile-stop') profiler.stop(message.file).then(() => send({ type: 'profile-written', file: message.file }), fail);
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
