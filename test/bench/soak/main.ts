/**
 * `npm run bench:soak`: Gatehouse with everything on (the comparison's `gatehouse_full` set-up) under a steady,
 * evenly paced load for minutes, sampled every ~10 s from inside the gateway process over the bench's IPC stats
 * channel (nothing is exposed on its public port): rss, heap (after a forced full GC: the process runs with
 * --expose-gc), active handles, event-loop delay, plus req/s, errors and latency of the window from the load
 * generator. Prints the curve as it goes, draws it as a PNG and gives a verdict on growth after warm-up.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_REDIS_URL } from '../../../src/config';
import { dropDatabase } from '../../../src/db';
import {
  SampleBuffer, acquireRunLock, checkTarget, cpuSnapshot, deleteRedisPrefix, governedChatPayload, lineChartSvg, looksComplete,
  pacedLoop, prepareApp, startService, writeChart, type ChildStats, type ServiceProcess, type Target,
} from '../lib';
import { prepareGatehouse, startGatehouse } from '../compare';
import { judge, type SoakSample } from './analysis';
import { SOAK_USAGE, parseSoakOptions, type SoakOptions } from './options';
import { CURVE_HEADER, curveRow, formatCurveLine, formatVerdict, soakChart } from './report';

const MiB = 1024 * 1024;
const log = (line: string): void => void process.stdout.write(line + '\n');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function commitId(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const sockets = (s: ChildStats): number => s.resourcesByKind.TCPSocketWrap ?? 0;

/** The load runs while this samples the gateway every interval; each window's answers are counted apart. */
async function soak(opts: SoakOptions, gateway: ServiceProcess, t: Target): Promise<{ samples: SoakSample[]; total: Awaited<ReturnType<typeof pacedLoop>> }> {
  let window = { ok: 0, errors: 0, non2xx: 0, latency: new SampleBuffer() };
  const samples: SoakSample[] = [];
  const started = performance.now();
  let lastAt = started;
  let last = cpuSnapshot(gateway);
  let sampling = Promise.resolve();
  const take = async (): Promise<void> => {
    const stats = await gateway.stats({ gc: opts.gc });
    const now = performance.now();
    const cpu = cpuSnapshot(gateway);
    const w = window;
    window = { ok: 0, errors: 0, non2xx: 0, latency: new SampleBuffer() };
    const lat = w.latency.size ? w.latency.summary() : null;
    const elapsedS = (now - lastAt) / 1000;
    const sample: SoakSample = {
      t: (now - started) / 1000, rssMiB: stats.rssBytes / MiB, heapUsedMiB: stats.heapUsedBytes / MiB,
      heapTotalMiB: stats.heapTotalBytes / MiB, externalMiB: stats.externalBytes / MiB, afterGc: stats.afterGc,
      activeResources: stats.activeResources, sockets: sockets(stats),
      eventLoopDelayP50Ms: stats.eventLoopDelayMs?.p50 ?? null, eventLoopDelayP99Ms: stats.eventLoopDelayMs?.p99 ?? null,
      rps: w.ok / elapsedS, errors: w.errors, non2xx: w.non2xx, latencyP50Ms: lat?.p50 ?? null, latencyP99Ms: lat?.p99 ?? null,
      cpuPct: ((cpu.onCpu - last.onCpu) / (now - lastAt)) * 100,
      cpuWaitPct: cpu.waiting !== null && last.waiting !== null ? ((cpu.waiting - last.waiting) / (now - lastAt)) * 100 : null,
      loadAverage1m: os.loadavg()[0]!,
    };
    lastAt = now;
    last = cpu;
    samples.push(sample);
    log(formatCurveLine(curveRow(sample)));
  };
  const timer = setInterval(() => { sampling = sampling.then(take, take); }, opts.intervalS * 1000);
  let total;
  try {
    total = await pacedLoop(t, {
      rate: opts.rate, durationS: opts.minutes * 60, connections: opts.connections, validate: looksComplete(opts.mode === 'stream'),
      onAnswer: (outcome, latencyMs) => {
        if (outcome === 'ok') {
          window.ok++;
          window.latency.add(latencyMs!);
        } else if (outcome === 'non2xx') window.non2xx++;
        else window.errors++;
      },
    });
  } finally {
    clearInterval(timer);
  }
  await sampling;
  return { samples, total };
}

async function main(): Promise<void> {
  const opts = parseSoakOptions(process.argv.slice(2));
  if (!opts) return void process.stdout.write(SOAK_USAGE);
  acquireRunLock();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-soak-'));
  const loadBefore = os.loadavg();
  const commit = commitId(); // once: others may commit while this runs
  log(`Gatehouse soak — ${opts.minutes} min at ${opts.rate} req/s (${opts.mode === 'json' ? 'non-streaming' : 'streaming'}), a sample every ${opts.intervalS} s; `
    + `node ${process.version}, ${os.cpus().length} CPUs, load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}; logs in ${workDir}`);
  const app = prepareApp('dist', workDir, opts.worktree ? 'worktree' : 'head');
  log(`Gatehouse runs ${opts.worktree ? 'the working tree' : `commit ${commit ?? '?'}`}, everything on (PII tokenization, Rego, spend caps, audit)`);

  const mock = await startService({ entry: 'mock-entry.ts', logFile: path.join(workDir, 'mock.log'), env: { GATEHOUSE_BENCH_APP: app } });
  const redisPrefix = `ghbench:${process.pid}:`;
  let databaseUrl: string | null = null;
  let gateway: ServiceProcess | null = null;
  let result!: Awaited<ReturnType<typeof soak>>;
  let idle!: { before: ChildStats; after: ChildStats };
  try {
    const db = await prepareGatehouse(app, workDir, mock.url);
    databaseUrl = db.databaseUrl;
    gateway = await startGatehouse(app, workDir, 'soak', db.databaseUrl, `${redisPrefix}soak:`, opts.gc ? ['--expose-gc'] : []);
    const payload = governedChatPayload(opts.mode === 'stream');
    const t: Target = { origin: gateway.url, path: '/v1/chat/completions', headers: { authorization: `Bearer ${db.fullKey}`, 'content-type': 'application/json' }, body: payload.body };
    await checkTarget('the gateway', t, opts.mode === 'stream');
    const before = await gateway.stats({ gc: opts.gc }); // also starts the event-loop delay monitor
    log(`gateway ${gateway.url} (pid ${gateway.pid}); idle before: rss ${(before.rssBytes / MiB).toFixed(1)} MiB, heap ${(before.heapUsedBytes / MiB).toFixed(2)} MiB, `
      + `${before.activeResources} handles (${JSON.stringify(before.resourcesByKind)})\n`);
    log(formatCurveLine(CURVE_HEADER));
    result = await soak(opts, gateway, t);
    await sleep(5_000); // let keep-alive sockets close and the audit writer drain
    const after = await gateway.stats({ gc: opts.gc });
    idle = { before, after };
  } finally {
    await gateway?.stop();
    await mock.stop();
    if (!opts.keepDb) {
      if (databaseUrl) await dropDatabase(databaseUrl).catch(() => undefined);
      await deleteRedisPrefix(process.env.REDIS_URL || DEFAULT_REDIS_URL, redisPrefix).catch(() => undefined);
    }
  }

  const { samples, total } = result;
  const verdict = judge(samples, opts.warmupS, opts.rate, {
    before: { heapMiB: idle.before.heapUsedBytes / MiB, handles: idle.before.activeResources },
    after: { heapMiB: idle.after.heapUsedBytes / MiB, handles: idle.after.activeResources },
  });
  const loadAfter = os.loadavg();
  log(`\nwhole run: ${total.ok} ok, ${total.errors} errors, ${total.non2xx} non-2xx; ${total.rps.toFixed(0)} req/s; latency p50 ${total.latency.p50.toFixed(2)} / p99 ${total.latency.p99.toFixed(2)} / max ${total.latency.max.toFixed(0)} ms; `
    + `generator send lag p99 ${total.sendLag?.p99.toFixed(2) ?? '-'} ms`);
  log(`idle before → after the load: rss ${(idle.before.rssBytes / MiB).toFixed(1)} → ${(idle.after.rssBytes / MiB).toFixed(1)} MiB, heap ${(idle.before.heapUsedBytes / MiB).toFixed(2)} → ${(idle.after.heapUsedBytes / MiB).toFixed(2)} MiB, `
    + `handles ${idle.before.activeResources} → ${idle.after.activeResources} (${JSON.stringify(idle.after.resourcesByKind)})`);
  log(formatVerdict(verdict, opts.warmupS, opts.gc));
  log(`load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')} (the machine may be shared)`);

  mkdirSync(path.dirname(opts.chartFile), { recursive: true });
  const chart = writeChart(lineChartSvg(soakChart(samples,
    `Gatehouse soak: ${opts.minutes} min at ${opts.rate} req/s, everything on — ${verdict.outcome.toUpperCase()}`,
    `${new Date().toISOString().slice(0, 16)}Z, ${opts.worktree ? 'working tree of' : 'commit'} ${commit ?? '?'}, ${os.cpus().length} CPUs, load average ${loadBefore[0]!.toFixed(2)} → ${loadAfter[0]!.toFixed(2)}; heap ${opts.gc ? 'after a forced full GC' : 'as read'}; warm-up ${opts.warmupS.toFixed(0)} s`)), opts.chartFile);
  log(`chart: ${chart.png} (and ${path.basename(chart.svg)})`);
  if (opts.jsonFile) {
    mkdirSync(path.dirname(opts.jsonFile), { recursive: true });
    writeFileSync(opts.jsonFile, JSON.stringify({
      meta: { date: new Date().toISOString(), commit, worktree: opts.worktree, node: process.version, cpus: os.cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, options: opts },
      total: { ok: total.ok, errors: total.errors, non2xx: total.non2xx, rps: total.rps, latency: total.latency, sendLag: total.sendLag },
      idle, verdict, samples,
    }, null, 2) + '\n');
    log(`samples written to ${opts.jsonFile}`);
  }
  if (verdict.outcome === 'growing') process.exitCode = 3;
}

process.on('SIGINT', () => process.exit(130));
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`bench:soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
