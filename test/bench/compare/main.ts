/**
 * `npm run bench:compare`: Gatehouse against the provider called directly and against Portkey's open-source
 * gateway, in one run on this machine (issue #10). Systems: the mock provider directly; Gatehouse with everything
 * on (PII scan of a ~2 KB prompt with tokenization, Rego decision, spend reservation and settlement, audit event);
 * Gatehouse with policies off; Portkey pointed at the same mock. Same request bytes everywhere; per mode
 * (non-streaming, streaming) a run at N connections flat out and a run at a fixed, evenly paced rate, the systems
 * taking turns so drifting machine load hits them alike. Prints a table, writes a PNG chart and optionally JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_REDIS_URL } from '../../../src/config';
import { dropDatabase } from '../../../src/db';
import {
  acquireRunLock, barChartSvg, checkTarget, closedLoop, cpuSnapshot, deleteRedisPrefix, governedChatPayload, looksComplete,
  pacedLoop, prepareApp, writeChart, type LoadResult, type Mode,
} from '../lib';
import { COMPARE_USAGE, parseCompareOptions, type CompareLoad, type CompareOptions } from './options';
import { formatCompareTable, latencyChart, scenarioKey, systemsDocument, type CompareRun } from './report';
import { startSystems, type System } from './systems';

const MiB = 1024 * 1024;
const WARMUP_CONNECTIONS = 10;
const SETTLE_MS = 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string): void => void process.stdout.write(line + '\n');

function commitId(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function measure(opts: CompareOptions, system: System, body: string, mode: Mode, load: CompareLoad): Promise<CompareRun> {
  const p = system.process;
  const loadAverage1m = os.loadavg()[0]!;
  let peak = p.rssBytes();
  const sampler = setInterval(() => { peak = Math.max(peak, p.rssBytes()); }, 200);
  const cpu0 = cpuSnapshot(p).onCpu;
  const t = system.target(body);
  let result: LoadResult;
  try {
    result = load === 'closed'
      ? await closedLoop(t, opts.connections, opts.durationS)
      : await pacedLoop(t, { rate: opts.rate, durationS: opts.durationS, validate: looksComplete(mode === 'stream') });
  } finally {
    clearInterval(sampler);
  }
  const run: CompareRun = {
    system: system.id, mode, load, loadAverage1m, result,
    loadLabel: load === 'closed' ? `${opts.connections} connections` : `${opts.rate} req/s`,
    rssMiB: Math.max(peak, p.rssBytes()) / MiB,
    cpuMsPerRequest: (cpuSnapshot(p).onCpu - cpu0) / Math.max(1, result.completed),
  };
  const l = result.latency;
  log(`  ${mode.padEnd(6)} ${run.loadLabel.padEnd(15)} ${system.label.padEnd(24)} ${result.rps.toFixed(0).padStart(6)} req/s  `
    + `p50 ${l.p50.toFixed(2)}  p99 ${l.p99.toFixed(2)} ms  errors ${result.errors}  non-2xx ${result.non2xx}  load avg ${loadAverage1m.toFixed(2)}`);
  await sleep(SETTLE_MS);
  return run;
}

async function main(): Promise<void> {
  const opts = parseCompareOptions(process.argv.slice(2));
  if (!opts) return void process.stdout.write(COMPARE_USAGE);
  acquireRunLock();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-compare-'));
  const loadBefore = os.loadavg();
  const commit = commitId(); // once: others may commit while this runs
  log(`Gatehouse vs Portkey — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
  log(`runs of ${opts.durationS} s (warm-up ${opts.warmupS} s); logs in ${workDir}`);
  log('Everything shares this machine (load generator included): compare figures from the same run, not across runs.\n');

  const app = prepareApp('dist', workDir, opts.worktree ? 'worktree' : 'head');
  log(`Gatehouse runs ${opts.worktree ? 'the working tree' : `commit ${commit ?? '?'}`} compiled by tsc (${app})`);
  const payloads: Record<Mode, ReturnType<typeof governedChatPayload>> = { json: governedChatPayload(false), stream: governedChatPayload(true) };
  log(`request body ${payloads.json.bytes} bytes, prompt text ${payloads.json.promptBytes} bytes (with an e-mail address and a phone number)`);
  const systems = await startSystems(opts.systems, app, workDir);
  for (const s of systems.list) log(`  ${s.label.padEnd(24)} ${s.process.url} (pid ${s.process.pid}, idle RSS ${(s.process.rssBytes() / MiB).toFixed(0)} MiB)`);

  const runs: CompareRun[] = [];
  try {
    for (const mode of opts.modes) {
      const body = payloads[mode].body;
      for (const s of systems.list) await checkTarget(s.label, s.target(body), mode === 'stream');
      if (opts.warmupS > 0) for (const s of systems.list) await closedLoop(s.target(body), WARMUP_CONNECTIONS, opts.warmupS);
      for (const load of opts.loads) {
        for (const s of systems.list) runs.push(await measure(opts, s, body, mode, load));
      }
    }
  } finally {
    await systems.stop();
    if (!opts.keepDb) {
      await dropDatabase(systems.databaseUrl).catch(() => undefined);
      await deleteRedisPrefix(process.env.REDIS_URL || DEFAULT_REDIS_URL, systems.redisPrefix).catch(() => undefined);
    }
  }

  const loadAfter = os.loadavg();
  log('\nResults (latency in ms from each request\'s send time — for the fixed rate, its scheduled time; added = minus the '
    + 'mock direct in the same scenario; RSS = peak of the system\'s process; CPU = that process, all threads)');
  log(formatCompareTable(runs));
  if (runs.some((r) => r.load === 'paced' && r.result.errors > 0)) {
    log('errors at the fixed rate: requests the generator skipped because 2,000 were already in flight, or that got no '
      + 'answer within 10 s — the system could not keep up with the rate on this machine at that moment');
  }
  log(`\nload average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`);

  const headline = scenarioKey({ mode: 'json', load: 'closed', loadLabel: `${opts.connections} connections` });
  const stamp = new Date().toISOString();
  mkdirSync(path.dirname(opts.chartFile), { recursive: true });
  const chart = writeChart(barChartSvg(latencyChart(runs,
    `${stamp.slice(0, 16)}Z, ${opts.worktree ? 'working tree of' : 'commit'} ${commit ?? '?'}, ${os.cpus().length} CPUs, load average ${loadBefore[0]!.toFixed(2)} → ${loadAfter[0]!.toFixed(2)}, ${opts.durationS} s per run`)), opts.chartFile);
  log(`chart: ${chart.png} (and ${path.basename(chart.svg)})`);

  if (opts.jsonFile) {
    const doc = {
      meta: {
        date: stamp, commit, worktree: opts.worktree, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null,
        loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, durationS: opts.durationS, warmupS: opts.warmupS,
        connections: opts.connections, rate: opts.rate, requestBytes: payloads.json.bytes, promptBytes: payloads.json.promptBytes,
        headlineScenario: headline, chart: chart.png,
      },
      systems: systemsDocument(runs, headline),
    };
    mkdirSync(path.dirname(opts.jsonFile), { recursive: true });
    writeFileSync(opts.jsonFile, JSON.stringify(doc, null, 2) + '\n');
    log(`figures written to ${opts.jsonFile}`);
  }
}

process.on('SIGINT', () => process.exit(130));
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:compare: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
