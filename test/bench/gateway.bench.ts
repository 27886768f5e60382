/**
 * `npm run bench`: the gateway's overhead against calling the provider directly.
 *
 * The mock provider and the gateway each run in their own process (as in production; the load generator, which
 * is this process, shares no event loop with them). The gateway gets a fresh `gatehouse_bench` database with the
 * demo catalog and a known key. Each scenario — non-streaming and streaming, N connections flat out (autocannon)
 * and a fixed rate (evenly paced open loop) — runs against the mock directly and through the gateway with the
 * same ~1 KB chat request, alternating the two so drifting machine load hits both alike.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DEFAULT_REDIS_URL } from '../../src/config';
import { dropDatabase } from '../../src/db';
import { MOCK_DEMO_KEY } from '../../src/providers';
import {
  MeasuredProxy, USAGE, acquireRunLock, addedLatencies, backingCpuMs, benchDatabaseUrl, chatPayload, checkTarget, closedLoop,
  cpuSnapshot, deleteRedisPrefix, formatAdded, formatContentionWarnings, formatPacedDetails, formatProfileSummary, formatRuns,
  formatVerdicts, looksComplete, medianRuns, newBenchKey, pacedLoop, parseBenchOptions, prepareApp, prepareBenchDatabase,
  REPO_ROOT, snapshotBackingServices, startService, verdicts,
  type BenchOptions, type BenchPayload, type LoadKind, type LoadResult, type Mode, type ProfileSummary, type RunRecord,
  type ServiceProcess, type Target,
} from './lib';

const MiB = 1024 * 1024;
const WARMUP_CONNECTIONS = 10;
const SETTLE_MS = 500;
const PROFILE_INTERVAL_US = 500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string): void => void process.stdout.write(line + '\n');

interface GatewayProcess {
  proxy: MeasuredProxy;
  logLevel: string;
  logFile: string;
  idleRssMiB: number;
}

function target(origin: string, apiKey: string, payload: BenchPayload): Target {
  return { origin, path: '/v1/chat/completions', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: payload.body };
}

/** Runs one load while sampling the proxy's memory and every process's CPU time. */
async function measure(
  opts: BenchOptions, kind: RunRecord['target'], t: Target, mode: Mode, load: LoadKind,
  mock: ServiceProcess, measured: MeasuredProxy | null, gateway: GatewayProcess | null, repeat: number,
): Promise<RunRecord> {
  const proxy = measured?.service ?? null;
  const loadAverage1m = os.loadavg()[0]!;
  let peakRss = proxy ? proxy.rssBytes() : 0;
  const sampler = proxy ? setInterval(() => { peakRss = Math.max(peakRss, proxy.rssBytes()); }, 200) : null;
  const cpu0 = { proxy: proxy ? cpuSnapshot(proxy) : null, mock: cpuSnapshot(mock), self: process.cpuUsage(), backing: snapshotBackingServices() };
  let result: LoadResult;
  try {
    result = load !== 'paced'
      ? await closedLoop(t, load === 'single' ? 1 : opts.connections, opts.durationS)
      : await pacedLoop(t, { rate: opts.rate, durationS: opts.durationS, validate: looksComplete(mode === 'stream') });
  } finally {
    if (sampler) clearInterval(sampler);
  }
  const self = process.cpuUsage(cpu0.self);
  const n = Math.max(1, result.completed);
  const backing = backingCpuMs(cpu0.backing, snapshotBackingServices());
  const proxyEnd = proxy ? cpuSnapshot(proxy) : null;
  const mockEnd = cpuSnapshot(mock);
  measured?.count(result.completed + result.errors);
  const record: RunRecord = {
    target: kind, logLevel: gateway?.logLevel ?? null, mode, load, repeat, loadAverage1m,
    loadLabel: load === 'single' ? '1 connection' : load === 'closed' ? `${opts.connections} connections` : `${opts.rate} req/s`,
    result,
    cpuMsPerRequest: {
      proxy: cpu0.proxy && proxyEnd ? (proxyEnd.onCpu - cpu0.proxy.onCpu) / n : null,
      mock: (mockEnd.onCpu - cpu0.mock.onCpu) / n,
      loadGenerator: (self.user + self.system) / 1000 / n,
      redis: backing.redis === null ? null : backing.redis / n,
      postgres: backing.postgres === null ? null : backing.postgres / n,
    },
    proxyCpuWaitMsPerRequest: cpu0.proxy?.waiting != null && proxyEnd?.waiting != null ? (proxyEnd.waiting - cpu0.proxy.waiting) / n : null,
    proxyRssMiB: proxy ? { peak: Math.max(peakRss, proxy.rssBytes()) / MiB, after: proxy.rssBytes() / MiB } : null,
  };
  const l = result.latency;
  const name = kind === 'direct' ? 'mock direct' : kind === 'floor' ? 'bare proxy' : `gateway/${gateway!.logLevel}`;
  log(`  ${mode.padEnd(6)} ${record.loadLabel.padEnd(15)} ${name.padEnd(14)} ${opts.repeat > 1 ? `#${repeat} ` : ''}`
    + `${result.rps.toFixed(0).padStart(6)} req/s  p50 ${l.p50.toFixed(2)}  p99 ${l.p99.toFixed(2)} ms  errors ${result.errors}  non-2xx ${result.non2xx}`);
  await sleep(SETTLE_MS);
  return record;
}

async function warm(opts: BenchOptions, t: Target, measured: MeasuredProxy | null): Promise<void> {
  if (opts.warmupS <= 0) return;
  const r = await closedLoop(t, WARMUP_CONNECTIONS, opts.warmupS);
  measured?.count(r.completed + r.errors);
}

async function startGatewayProcess(opts: BenchOptions, workDir: string, app: string, databaseUrl: string, logLevel: string): Promise<GatewayProcess> {
  const logFile = path.join(workDir, `gateway-${logLevel}.log`);
  const service = await startService({
    entry: 'gateway-entry.ts',
    logFile,
    env: {
      GATEHOUSE_BENCH_APP: app, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL || DEFAULT_REDIS_URL, GATEHOUSE_REDIS_PREFIX: redisPrefix(), LOG_LEVEL: logLevel,
      // The audit spool (events Redis could not take in time) stays with this run, never in a shared folder.
      GATEHOUSE_AUDIT_SPOOL_DIR: path.join(workDir, `audit-spool-${logLevel}`),
      ...opts.gatewayEnv,
    },
  });
  const profileFile = opts.cpuProf ? path.join(workDir, `gateway-${logLevel}.cpuprofile`) : null;
  return { proxy: new MeasuredProxy(service, profileFile), logLevel, logFile, idleRssMiB: service.rssBytes() / MiB };
}

/** Redis keys and channels of this run's gateways. */
const redisPrefix = (): string => `ghbench:${process.pid}:`;

function commitId(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.argv.slice(2));
  if (!opts) return void process.stdout.write(USAGE);
  acquireRunLock();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const loadBefore = os.loadavg();
  log(`Gatehouse gateway benchmark — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), `
    + `load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
  log(`runs of ${opts.durationS} s (warm-up ${opts.warmupS} s); logs and profiles in ${workDir}`);
  log('The machine may be shared: compare figures from the same run, not across runs.\n');

  const app = opts.app ?? prepareApp(opts.runtime, workDir, opts.source);
  const built = opts.source === 'head' ? `commit ${commitId() ?? '?'}` : 'the working tree';
  log(`children run ${opts.app ? app : opts.runtime === 'dist' ? `${built} compiled by tsc (${app})` : 'the TypeScript sources on disk through tsx'}`);
  const mock = await startService({ entry: 'mock-entry.ts', logFile: path.join(workDir, 'mock.log'), env: { GATEHOUSE_BENCH_APP: app } });
  const databaseUrl = benchDatabaseUrl();
  const apiKey = newBenchKey();
  await prepareBenchDatabase(app, databaseUrl, mock.url, apiKey, path.join(workDir, 'seed.log'));
  const payloads: Record<Mode, BenchPayload> = { json: chatPayload(false), stream: chatPayload(true) };
  log(`mock provider ${mock.url} (pid ${mock.pid}); database ${new URL(databaseUrl).pathname.slice(1)}; request body ${payloads.json.bytes} bytes`);

  const floor = opts.floor
    ? new MeasuredProxy(
      await startService({ entry: 'floor-proxy-entry.ts', logFile: path.join(workDir, 'floor.log'), env: { GATEHOUSE_BENCH_UPSTREAM: mock.url } }),
      opts.cpuProf ? path.join(workDir, 'floor.cpuprofile') : null)
    : null;
  if (floor) log(`bare node proxy ${floor.service.url} (pid ${floor.service.pid})`);
  const profileRoots = [path.dirname(app), REPO_ROOT];
  let floorProfile: ProfileSummary | null = null;

  const runs: RunRecord[] = [];
  const gateways: Array<{
    logLevel: string; idleRssMiB: number; logBytes: number; requests: number; profiledRequests: number; profiledCpuMs: number | null;
    profile: ProfileSummary | null;
  }> = [];
  try {
    for (const [index, logLevel] of opts.logLevels.entries()) {
      const gateway = await startGatewayProcess(opts, workDir, app, databaseUrl, logLevel);
      let profile: ProfileSummary | null = null;
      log(`gateway ${gateway.proxy.service.url} (pid ${gateway.proxy.service.pid}, log level ${logLevel}, idle RSS ${gateway.idleRssMiB.toFixed(0)} MiB)`);
      const withDirect = index === 0;
      try {
        for (const mode of opts.modes) {
          const direct = target(mock.url, MOCK_DEMO_KEY, payloads[mode]);
          const through = target(gateway.proxy.service.url, apiKey, payloads[mode]);
          const relay = floor && withDirect ? target(floor.service.url, 'none', payloads[mode]) : null;
          if (withDirect) await checkTarget('the mock provider', direct, mode === 'stream');
          if (relay) await checkTarget('the bare node proxy', relay, mode === 'stream');
          await checkTarget('the gateway', through, mode === 'stream');
          gateway.proxy.count(1);
          if (withDirect) await warm(opts, direct, null);
          if (relay) await warm(opts, relay, floor);
          await warm(opts, through, gateway.proxy);
          await gateway.proxy.startProfiling(PROFILE_INTERVAL_US);
          if (relay) await floor!.startProfiling(PROFILE_INTERVAL_US);
          for (const load of opts.loads) {
            // Repeats alternate the targets, so a burst of load from elsewhere on the machine hits them alike.
            for (let repeat = 1; repeat <= opts.repeat; repeat++) {
              if (withDirect) runs.push(await measure(opts, 'direct', direct, mode, load, mock, null, null, repeat));
              if (relay) runs.push(await measure(opts, 'floor', relay, mode, load, mock, floor, null, repeat));
              runs.push(await measure(opts, 'gateway', through, mode, load, mock, gateway.proxy, gateway, repeat));
            }
          }
        }
        profile = await gateway.proxy.stopProfiling(profileRoots);
        if (floor && withDirect) floorProfile = await floor.stopProfiling(profileRoots);
      } finally {
        await gateway.proxy.service.stop();
      }
      const p = gateway.proxy;
      gateways.push({
        logLevel, idleRssMiB: gateway.idleRssMiB, logBytes: statSync(gateway.logFile).size, requests: p.requests,
        profiledRequests: p.profiledRequests, profiledCpuMs: p.profiledCpuMs, profile,
      });
    }
  } finally {
    await floor?.service.stop();
    await mock.stop();
    if (!opts.keepDb) {
      await dropDatabase(databaseUrl).catch(() => undefined);
      await deleteRedisPrefix(process.env.REDIS_URL || DEFAULT_REDIS_URL, redisPrefix()).catch(() => undefined);
    }
  }

  const summary = opts.repeat > 1 ? medianRuns(runs) : runs;
  const added = addedLatencies(summary);
  const reference = opts.logLevels[0]!;
  const aims = verdicts(summary, added, reference, opts.rate, opts.connections);
  if (opts.repeat > 1) {
    log(`\nEvery run (${opts.repeat} repeats)`);
    log(formatRuns(runs, true));
  }
  log(`\nResults${opts.repeat > 1 ? ` (the median of ${opts.repeat} repeats: by req/s at fixed connections, by p50 at a fixed rate)` : ''}; `
    + 'latency in ms; CPU per request is the whole process: all threads, GC included; redis+pg: those servers\' CPU '
    + 'during the run, including anyone else using them');
  log(formatRuns(summary, false));
  const pacedDetails = formatPacedDetails(summary);
  if (pacedDetails) {
    log('\nPaced runs: time to first byte and the generator\'s own send lag (from each request\'s scheduled time)');
    log(pacedDetails);
  }
  const warnings = formatContentionWarnings(summary);
  if (warnings) {
    log('\nContention: these runs measured a busy machine as much as the software (compare them with care)');
    log(warnings);
  }
  log('\nGateway added latency (gateway minus mock direct, same scenario)');
  log(formatAdded(added));
  for (const g of gateways) {
    log(`gateway (${g.logLevel} logs): idle RSS ${g.idleRssMiB.toFixed(0)} MiB; wrote ${(g.logBytes / 1024).toFixed(0)} KiB of logs for ${g.requests} requests (${(g.logBytes / Math.max(1, g.requests)).toFixed(0)} B/request)`);
  }
  if (aims.length) {
    log('\nAims for this stage. For scale, Portkey\'s gateway on this machine (shared/ANCHORS.md): 1 connection 678 req/s, '
      + 'added p50 +1.1 ms; 50 connections ~1,000 req/s; 500 req/s added p50 +1.4 / p99 +34.6 ms');
    log(formatVerdicts(aims));
  }
  if (floor && floorProfile) log('\nBare node proxy ' + formatProfileSummary(floorProfile, floor.profiledRequests, floor.profiledCpuMs));
  for (const g of gateways) if (g.profile) log(`\nGateway (${g.logLevel} logs) ` + formatProfileSummary(g.profile, g.profiledRequests, g.profiledCpuMs));
  const loadAfter = os.loadavg();
  log(`\nload average after: ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`);

  if (opts.jsonFile) {
    const report = {
      meta: {
        date: new Date().toISOString(), commit: commitId(), node: process.version, cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? null, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter,
        gatewayEnv: opts.gatewayEnv, runtime: opts.runtime, source: opts.app ? opts.app : opts.runtime === 'dist' ? opts.source : 'worktree', durationS: opts.durationS, warmupS: opts.warmupS, connections: opts.connections, rate: opts.rate,
        requestBytes: { json: payloads.json.bytes, stream: payloads.stream.bytes },
      },
      runs, summary: opts.repeat > 1 ? summary : undefined, added, aims,
      gateways: gateways.map(({ profile, ...g }) => ({ ...g, profile: profile && { ...profile, selfTop: profile.selfTop.slice(0, 15), inclusiveTop: profile.inclusiveTop.slice(0, 15) } })),
    };
    writeFileSync(opts.jsonFile, JSON.stringify(report, null, 2) + '\n');
    log(`figures written to ${opts.jsonFile}`);
  }
}

process.on('SIGINT', () => process.exit(130));
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
