/**
 * Starting the benchmark's child processes (each service on its own event loop, as in production) and reading
 * their CPU time and resident memory from /proc, so the numbers cover the whole process (GC and libuv threads too).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ChildMessage, ChildStats, ParentMessage } from './child-protocol';

export interface ChildOptions {
  /** Entry script, relative to this folder or absolute (run with tsx's require hook, so TypeScript works). */
  entry: string;
  /** Command-line arguments of the entry script. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** The child's stdout and stderr go to this file (its logs); default: discarded. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface ServiceProcess {
  url: string;
  pid: number;
  /** CPU time used so far (user + system, all threads), in milliseconds. */
  cpuMs(): number;
  /** Time on a CPU and waiting for one (null where schedstat is unavailable), in milliseconds. */
  schedMs(): { onCpu: number; waiting: number } | null;
  /** Resident set size in bytes. */
  rssBytes(): number;
  /** Starts the V8 sampling profiler inside the child. */
  profileStart(intervalUs: number): Promise<void>;
  /** Stops it and has the child write the `.cpuprofile` to `file`. */
  profileStop(file: string): Promise<void>;
  /** The child's own memory, handle and event-loop readings (`gc`: after a forced full GC, if it runs with --expose-gc). */
  stats(options?: { gc?: boolean }): Promise<ChildStats>;
  /** Asks the child to close gracefully; kills it if it has not exited in time. */
  stop(timeoutMs?: number): Promise<void>;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

// The entry scripts are TypeScript: tsx's CommonJS hook (no ESM loader thread) found from here, so any working
// directory works.
const TSX_CJS_HOOK = require.resolve('tsx/cjs');

/** utime + stime from /proc/PID/stat (fields 14 and 15, counted after the command name's closing parenthesis). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * Scheduler statistics summed over the process's threads (/proc/PID/task/TID/schedstat, nanosecond clock): time on
 * a CPU and time runnable but waiting for one. The wait shows how much a shared machine delayed the process.
 * Threads that exited are no longer counted, so take differences over a period the process kept its threads.
 */
export function processSchedMs(pid: number): { onCpu: number; waiting: number } | null {
  try {
    let run = 0, wait = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [a, b] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ');
        run += Number(a);
        wait += Number(b);
      } catch {
        // the thread ended between listing and reading
      }
    }
    return { onCpu: run / 1e6, waiting: wait / 1e6 };
  } catch {
    return null;
  }
}

/** CPU time (scheduler clock where available, else /proc/PID/stat ticks) and time spent waiting for a CPU. */
export function cpuSnapshot(p: ServiceProcess): { onCpu: number; waiting: number | null } {
  return p.schedMs() ?? { onCpu: p.cpuMs(), waiting: null };
}

export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

const live = new Set<ChildProcess>();
// Whatever happens to the benchmark, its children do not outlive it.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startService(options: ChildOptions): Promise<ServiceProcess> {
  const out = options.logFile ? openSync(options.logFile, 'w') : 'ignore';
  const child = fork(path.resolve(__dirname, options.entry), options.args ?? [], {
    execArgv: ['--require', TSX_CJS_HOOK, ...(options.nodeFlags ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', out, out, 'ipc'],
  });
  if (typeof out === 'number') closeSync(out);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${options.entry} was not ready after ${options.readyTimeoutMs ?? 60_000} ms`)), options.readyTimeoutMs ?? 60_000);
    const onMessage = (message: ChildMessage): void => {
      if (message.type === 'ready') done(() => resolve(message.url));
      else if (message.type === 'error') fail(new Error(`${options.entry} failed to start: ${message.message}`));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      fail(new Error(`${options.entry} exited during start (code ${code}, signal ${signal})${options.logFile ? `; see ${options.logFile}` : ''}`));
    const done = (then: () => void): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      then();
    };
    const fail = (err: Error): void => done(() => {
      child.kill('SIGKILL');
      reject(err);
    });
    child.on('message', onMessage);
    child.once('exit', onExit);
  });

  const pid = child.pid!;
  /** Sends a request and waits for the child's answer (or failure), bounded in time. */
  const ask = <T extends ChildMessage['type']>(message: ParentMessage, answer: T): Promise<Extract<ChildMessage, { type: T }>> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${options.entry} did not answer ${message.type}`), null), 30_000);
    const onMessage = (m: ChildMessage): void => {
      if (m.type === answer) finish(null, m as Extract<ChildMessage, { type: T }>);
      else if (m.type === 'profile-failed') finish(new Error(`${options.entry}: ${m.message}`), null);
    };
    const finish = (err: Error | null, m: Extract<ChildMessage, { type: T }> | null): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (err) reject(err);
      else resolve(m!);
    };
    child.on('message', onMessage);
    child.send(message);
  });
  return {
    url,
    pid,
    cpuMs: () => processCpuMs(pid),
    schedMs: () => processSchedMs(pid),
    rssBytes: () => processRssBytes(pid),
    profileStart: async (intervalUs) => void await ask({ type: 'profile-start', intervalUs }, 'profile-started'),
    profileStop: async (file) => void await ask({ type: 'profile-stop', file }, 'profile-written'),
    stats: async (o) => (await ask({ type: 'stats', gc: o?.gc === true }, 'stats')).stats,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'shutdown' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
