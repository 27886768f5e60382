/**
 * The chaos suite's own Redis and PostgreSQL, on spare ports, started as child processes of the test so they can
 * be killed, paused and restarted. The shared instances (6379, 5432) are never touched.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${ms} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

// Whatever happens to the test, its servers do not outlive it.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
  }
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export interface ChaosRedis {
  url: string;
  port: number;
  /** kill -9, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data directory (its append-only file); no-op while up. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers (a stalled server, not a dead one). */
  pause(): void;
  resume(): void;
  /** Deletes what it persisted (only while it is down): the next start() is an empty Redis, as after a disk loss. */
  wipe(): void;
  stop(): Promise<void>;
}

/**
 * A redis-server with an fsync-always append-only file — what the audit README requires of production, since the
 * audit queue lives in Redis: an acknowledged event must survive a crash.
 */
export async function startChaosRedis(dir: string): Promise<ChaosRedis> {
  const port = await freePort();
  const dataDir = path.join(dir, 'redis');
  mkdirSync(dataDir, { recursive: true });
  let child: ChildProcess | null = null;
  const api: ChaosRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return; // already up
      child = track(spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
        '--dir', dataDir, '--daemonize', 'no', '--loglevel', 'warning',
      ], { stdio: 'ignore' }));
      await waitFor(async () => {
        try {
          return execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG';
        } catch {
          return false;
        }
      }, `redis on port ${port}`);
    },
    async kill() {
      const c = child;
      child = null;
      if (!c) return;
      c.kill('SIGKILL');
      await exited(c);
    },
    stop: () => api.kill(),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    wipe() {
      if (child) throw new Error('wipe() needs Redis to be down');
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
    },
  };
  await api.start();
  return api;
}

export interface ChaosPostgres {
  /** Server URL (maintenance database `postgres`). */
  url: string;
  port: number;
  /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

function pgBinary(name: string): string {
  const versioned = `/usr/lib/postgresql/15/bin/${name}`;
  return existsSync(versioned) ? versioned : name;
}

/** uid/gid of the `postgres` OS user when we are root (PostgreSQL refuses to run as root). */
function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Pids whose parent is `pid` (from /proc; PostgreSQL backends put themselves in process groups of their own). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * A throw-away cluster: initdb (trust auth, no fsync) and the postmaster spawned directly, so its pid is known:
 * pausing stops it first (no new backends can be forked) and then each of its children.
 */
export async function startChaosPostgres(dir: string): Promise<ChaosPostgres> {
  const port = await freePort();
  const root = path.join(dir, 'pg');
  mkdirSync(root, { recursive: true });
  chmodSync(dir, 0o755);
  const user = postgresUser();
  if (user) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, root]);
  const data = path.join(root, 'data');
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(pgBinary('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { stdio: 'ignore', ...asUser });
  const child = track(spawn(pgBinary('postgres'), [
    '-D', data, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
    '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
  ], { stdio: 'ignore', detached: true, ...asUser }));
  await waitFor(() => listening(port), `postgres on port ${port}`);
  // Listening comes before accepting logins; a query proves it is ready.
  await waitFor(() => {
    try {
      execFileSync(pgBinary('pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }, `postgres on port ${port} accepting connections`);
  const postmaster = child.pid!;
  const signalChildren = (signal: NodeJS.Signals): void => {
    for (const pid of childrenOf(postmaster)) {
      try {
        process.kill(pid, signal);
      } catch {
        // exited meanwhile
      }
    }
  };
  const group = (signal: NodeJS.Signals): void => {
    process.kill(-postmaster, signal);
    signalChildren(signal);
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    pause() {
      process.kill(postmaster, 'SIGSTOP');
      signalChildren('SIGSTOP');
    },
    resume() {
      signalChildren('SIGCONT');
      process.kill(postmaster, 'SIGCONT');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      group('SIGCONT');
      child.kill('SIGQUIT'); // immediate shutdown
      const timer = setTimeout(() => group('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
