/**
 * The benchmark toolkit behind `npm run bench` (test/bench/gateway.bench.ts), reusable by other benchmarks:
 * load generators (closed loop via autocannon, evenly paced open loop), exact latency percentiles, child processes
 * with CPU/memory/scheduler readings, a CPU-profile summariser with source maps, the standard chat payload, the
 * report tables, a stats channel into the children (memory, handles, event-loop delay), SVG/PNG charts. The
 * `*-entry.ts` files are child-process scripts, not exports.
 */
export { closedLoop, pacedLoop, type LoadResult, type PacedOptions, type Target } from './load';
export { SampleBuffer, percentile, type LatencySummary } from './stats';
export {
  startService, cpuSnapshot, processCpuMs, processSchedMs, processRssBytes, type ChildOptions, type ServiceProcess,
} from './children';
export { summariseProfile, formatProfileSummary, areaOf, type ProfileSummary, type HotSpot } from './cpuprofile';
export { chatPayload, governedChatPayload, type BenchPayload } from './payload';
export { prepareApp, REPO_ROOT, type Runtime, type Source } from './app-build';
export { benchDatabaseUrl, newBenchKey, prepareBenchDatabase, BENCH_DATABASE_NAME } from './database';
export { MeasuredProxy } from './measured-proxy';
export { readOwnStats, type ChildStats } from './child-protocol';
export {
  barChartSvg, lineChartSvg, writeChart, logTicks, linearTicks, formatTick,
  type BarChart, type BarPanel, type BarGroup, type LineChart, type LinePanel, type LineSeries,
} from './chart';
export { snapshotBackingServices, backingCpuMs, type BackingSnapshot, type BackingService } from './backing-services';
export { deleteRedisPrefix } from './redis-cleanup';
export { acquireRunLock } from './run-lock';
export { checkTarget, looksComplete } from './sanity';
export { parseBenchOptions, USAGE, type BenchOptions, type LoadKind, type Mode } from './options';
export {
  addedLatencies, medianRuns, verdicts, formatRuns, formatPacedDetails, formatAdded, formatVerdicts, formatContentionWarnings,
  type RunRecord, type AddedLatency, type TargetVerdict,
} from './report';
