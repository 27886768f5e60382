/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and ranks where the time went: by function (self and
 * inclusive time) and by area (a src/ folder, an npm package, Node's internals, GC). Idle time is left out, so
 * percentages are shares of the time the process was actually busy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based, as V8 reports them. */
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  name: string;
  /** `path:line` (repository-relative where possible). */
  where: string;
  area: string;
  ms: number;
  /** Percent of busy time. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  profiledMs: number;
  busyMs: number;
  gcMs: number;
  selfTop: HotSpot[];
  inclusiveTop: HotSpot[];
  areas: Array<{ area: string; ms: number; pct: number }>;
}

/**
 * Maps frames of compiled JavaScript back to the TypeScript line (tsc's `.js.map` files) and shortens paths to
 * repository-relative ones, so `dist/proxy/exchange.js:40` reads `src/proxy/exchange.ts:52`.
 */
class FrameResolver {
  private readonly maps = new Map<string, { map: SourceMap; dir: string } | null>();
  private readonly cache = new Map<string, CallFrame>();

  constructor(private readonly roots: readonly string[]) {}

  resolve(frame: CallFrame): CallFrame {
    const cacheKey = `${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}\u0000${frame.functionName}`;
    let out = this.cache.get(cacheKey);
    if (!out) {
      out = this.mapped(frame);
      out = { ...out, url: this.shorten(out.url) };
      this.cache.set(cacheKey, out);
    }
    return out;
  }

  private mapped(frame: CallFrame): CallFrame {
    if (!frame.url.startsWith('file://') || !frame.url.endsWith('.js') || frame.url.includes('/node_modules/')) return frame;
    const file = fileURLToPath(frame.url);
    let entry = this.maps.get(file);
    if (entry === undefined) {
      entry = null;
      try {
        if (existsSync(`${file}.map`)) entry = { map: new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))), dir: path.dirname(file) };
      } catch {
        entry = null;
      }
      this.maps.set(file, entry);
    }
    if (!entry || frame.lineNumber < 0) return frame;
    const hit = entry.map.findEntry(frame.lineNumber, Math.max(0, frame.columnNumber));
    if (!('originalSource' in hit) || !hit.originalSource) return frame;
    const source = hit.originalSource.startsWith('file://') ? fileURLToPath(hit.originalSource) : path.resolve(entry.dir, hit.originalSource);
    return { ...frame, url: source, lineNumber: hit.originalLine, columnNumber: hit.originalColumn };
  }

  private shorten(url: string): string {
    let p = url.startsWith('file://') ? fileURLToPath(url) : url;
    for (const root of this.roots) {
      if (p.startsWith(root + '/')) {
        p = p.slice(root.length + 1);
        break;
      }
    }
    return p;
  }
}


/** The area a function belongs to: `src/<folder>`, `npm:<package>`, `node:internals`, or a V8 pseudo-frame. */
export function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 13).split('/');
    return `npm:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const src = /^src\/([^/]+)\//.exec(url);
  if (src) return `src/${src[1]}`;
  if (url.startsWith('src/')) return 'src';
  return url.split('/').slice(0, 2).join('/');
}

const keyOf = (f: CallFrame): string => `${f.functionName || '(anonymous)'}\u0000${f.url}\u0000${f.lineNumber}`;

/** The sampling interval the profile was taken with: the median gap between samples. */
function nominalIntervalUs(deltas: readonly number[]): number {
  if (deltas.length === 0) return 1000;
  const sorted = Float64Array.from(deltas).sort();
  return Math.max(1, sorted[Math.floor(sorted.length / 2)]!);
}

/** `roots`: folders stripped from paths (the compiled app's root and the repository). */
export function summariseProfile(file: string, roots: readonly string[], top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const resolver = new FrameResolver(roots);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    node.callFrame = resolver.resolve(node.callFrame);
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const selfMs = new Map<string, number>();
  const inclusiveMs = new Map<string, number>();
  const areaMs = new Map<string, number>();
  const frames = new Map<string, CallFrame>();
  let busy = 0, gc = 0, idle = 0;
  const capUs = 2 * nominalIntervalUs(profile.timeDeltas);

  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's weight is the time since the previous one, capped: a thread preempted on a busy machine gets one
    // late sample covering the whole wait, which would otherwise be charged to whatever it was doing (often writev).
    const ms = Math.min(profile.timeDeltas[i] ?? 0, capUs) / 1000;
    if (ms <= 0) continue;
    const leaf = byId.get(profile.samples[i]!);
    if (!leaf) continue;
    const fn = leaf.callFrame.functionName;
    if (fn === '(idle)') { idle += ms; continue; }
    busy += ms;
    if (fn === '(garbage collector)') gc += ms;
    const leafKey = keyOf(leaf.callFrame);
    frames.set(leafKey, leaf.callFrame);
    selfMs.set(leafKey, (selfMs.get(leafKey) ?? 0) + ms);
    const area = areaOf(leaf.callFrame);
    areaMs.set(area, (areaMs.get(area) ?? 0) + ms);
    // Inclusive: every distinct function on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)') break;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      frames.set(key, frame);
      inclusiveMs.set(key, (inclusiveMs.get(key) ?? 0) + ms);
    }
  }

  const rank = (m: Map<string, number>, filter: (f: CallFrame) => boolean = () => true): HotSpot[] =>
    [...m.entries()]
      .filter(([key]) => filter(frames.get(key)!))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => {
        const f = frames.get(key)!;
        const url = f.url;
        return {
          name: f.functionName || '(anonymous)', where: url ? `${url}:${f.lineNumber + 1}` : '', area: areaOf(f),
          ms, pct: busy ? (100 * ms) / busy : 0,
        };
      });

  return {
    file,
    profiledMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busy,
    gcMs: gc,
    selfTop: rank(selfMs),
    // Inclusive ranking of the project's own code is what points at a fix; Node internals wrap everything.
    inclusiveTop: rank(inclusiveMs, (f) => areaOf(f).startsWith('src')),
    areas: [...areaMs.entries()].sort((a, b) => b[1] - a[1]).map(([area, ms]) => ({ area, ms, pct: busy ? (100 * ms) / busy : 0 })),
  };
}

/**
 * `requests`: requests served while profiling; `cpuMs`: the process's CPU time over the same window. With both,
 * shares are also shown as CPU microseconds per request (main-thread shares applied to the whole process's time).
 */
export function formatProfileSummary(s: ProfileSummary, requests: number | null, cpuMs: number | null): string {
  const lines: string[] = [];
  const perReq = requests && cpuMs !== null ? (cpuMs * 1000) / requests : null;
  const cost = (pct: number): string => (perReq === null ? '' : `${((pct / 100) * perReq).toFixed(1).padStart(7)} µs/req`);
  lines.push(`CPU profile ${s.file}`);
  lines.push(`  window ${(s.profiledMs / 1000).toFixed(1)} s, main thread busy ${(s.busyMs / 1000).toFixed(2)} s, GC ${(s.gcMs / 1000).toFixed(2)} s (${((100 * s.gcMs) / (s.busyMs || 1)).toFixed(1)}%)`
    + (perReq !== null ? `; process CPU ${(cpuMs! / 1000).toFixed(2)} s for ${requests} requests = ${perReq.toFixed(0)} µs/req` : ''));
  lines.push('  by area (self time):');
  for (const a of s.areas.slice(0, 18)) lines.push(`    ${a.pct.toFixed(1).padStart(5)}% ${cost(a.pct)}  ${a.area}`);
  lines.push('  top functions by self time:');
  for (const h of s.selfTop) lines.push(`    ${h.pct.toFixed(1).padStart(5)}% ${cost(h.pct)}  ${h.name}  ${h.where}`);
  lines.push('  project functions by inclusive time:');
  for (const h of s.inclusiveTop) lines.push(`    ${h.pct.toFixed(1).padStart(5)}% ${cost(h.pct)}  ${h.name}  ${h.where}`);
  return lines.join('\n');
}
