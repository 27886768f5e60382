/**
 * The gateway and the audit worker as child processes of the suite (each on its own event loop, as in
 * production), so the worker can be killed -9 and the gateway's memory read without the test's own allocations.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { ChildReply, ParentRequest, ProbeReply } from './protocol';

// TypeScript entries run through tsx's CommonJS hook, in the same process (no wrapper a signal would stop at).
const TSX_CJS_HOOK = require.resolve('tsx/cjs');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function logTo(child: ChildProcess, log: WriteStream): void {
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
}

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Heap after full GCs, requests in flight, audit producer state. */
  probe(): Promise<ProbeReply>;
  /** Graceful shutdown (drains in-flight requests); SIGKILL if it takes too long. */
  stop(): Promise<void>;
}

export async function startGatewayProcess(env: NodeJS.ProcessEnv, logFile: string): Promise<GatewayProcess> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = fork(path.join(__dirname, 'gateway-child.ts'), [], {
    execArgv: ['--expose-gc', '--require', TSX_CJS_HOOK],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  logTo(child, log);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`gateway not ready after 90 s; see ${logFile}`)), 90_000);
    const onMessage = (m: ChildReply): void => {
      if (m.type === 'ready') done(() => resolve(m.url));
      else if (m.type === 'error') fail(new Error(`gateway failed to start: ${m.message}`));
    };
    const onExit = (code: number | null): void => fail(new Error(`gateway exited during start (${code}); see ${logFile}`));
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
  const send = (m: ParentRequest): void => {
    child.send(m);
  };
  return {
    url,
    pid: child.pid!,
    probe: () => new Promise<ProbeReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error('the gateway did not answer a probe within 30 s'));
      }, 30_000);
      const onMessage = (m: ChildReply): void => {
        if (m.type !== 'probe') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      send({ type: 'probe' });
    }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited(child);
      clearTimeout(timer);
      log.end();
    },
  };
}

export interface WorkerProcess {
  pid: number;
  /** kill -9 mid-work: the jobs it held stay active in Redis until their locks expire. */
  kill(): Promise<void>;
  /** SIGTERM: the command's own graceful stop. */
  stop(): Promise<void>;
}

/** `gatehouse worker` (the audit writer) as a process of its own; resolves once it logged that it runs. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, logFile: string): Promise<WorkerProcess> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--require', TSX_CJS_HOOK, path.join(__dirname, 'worker-child.ts')], {
    // info: the readiness line is logged at that level.
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  logTo(child, log);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`audit worker not running after 90 s; see ${logFile}`)), 90_000);
    const onData = (d: Buffer): void => {
      seen = (seen + d.toString('utf8')).slice(-4096);
      if (seen.includes('audit worker running')) done(resolve);
    };
    const onExit = (code: number | null): void => fail(new Error(`audit worker exited during start (${code}); see ${logFile}`));
    const done = (then: () => void): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      then();
    };
    const fail = (err: Error): void => done(() => {
      child.kill('SIGKILL');
      reject(err);
    });
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited(child);
    clearTimeout(timer);
    log.end();
  };
  return { pid: child.pid!, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
