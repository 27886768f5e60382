/**
 * The small IPC protocol between the benchmark and its child processes (mock provider, gateway), including a
 * CPU-profiling window: the parent starts the V8 profiler after warm-up and stops it after the measured runs, so
 * start-up and module loading stay out of the profile; and a stats channel (memory, handles, event-loop delay) read
 * from inside the process, so a soak run can watch the gateway without it exposing anything on its public port.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'error'; message: string }
  | { type: 'profile-started' }
  | { type: 'profile-written'; file: string }
  | { type: 'profile-failed'; message: string }
  | { type: 'stats'; stats: ChildStats };

export type ParentMessage =
  | { type: 'shutdown' }
  | { type: 'profile-start'; intervalUs: number }
  | { type: 'profile-stop'; file: string }
  /** `gc`: run a full garbage collection first (needs `--expose-gc`), so heapUsed is the live heap. */
  | { type: 'stats'; gc?: boolean };

/** A child's own view of itself, read on request. Event-loop delay covers the time since the previous reading. */
export interface ChildStats {
  /** process.uptime(), seconds. */
  uptimeS: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** True when heapUsed was read right after a forced full GC. */
  afterGc: boolean;
  /** Handles and requests keeping the event loop alive (process.getActiveResourcesInfo), total and by kind. */
  activeResources: number;
  resourcesByKind: Record<string, number>;
  /** Event-loop delay since the previous reading, ms (null on the first reading: the monitor starts then). */
  eventLoopDelayMs: { mean: number; p50: number; p99: number; max: number } | null;
}

let delayMonitor: ELDHistogram | null = null;

/** Reads this process's stats; the first call starts the event-loop delay monitor (so idle children pay nothing). */
export function readOwnStats(gc: boolean): ChildStats {
  const collect = (globalThis as { gc?: () => void }).gc;
  const afterGc = gc && typeof collect === 'function';
  if (afterGc) collect!();
  const mem = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  const byKind: Record<string, number> = {};
  for (const kind of resources) byKind[kind] = (byKind[kind] ?? 0) + 1;
  let delay: ChildStats['eventLoopDelayMs'] = null;
  if (!delayMonitor) {
    delayMonitor = monitorEventLoopDelay({ resolution: 10 });
    delayMonitor.enable();
  } else if (delayMonitor.count > 0) {
    const ms = (ns: number): number => ns / 1e6;
    delay = { mean: ms(delayMonitor.mean), p50: ms(delayMonitor.percentile(50)), p99: ms(delayMonitor.percentile(99)), max: ms(delayMonitor.max) };
    delayMonitor.reset();
  }
  return {
    uptimeS: process.uptime(), rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external, arrayBuffersBytes: mem.arrayBuffers, afterGc,
    activeResources: resources.length, resourcesByKind: byKind, eventLoopDelayMs: delay,
  };
}

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
    else if (message?.type === 'stats') send({ type: 'stats', stats: readOwnStats(message.gc === true) });
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
