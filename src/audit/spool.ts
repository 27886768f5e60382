import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, unlink, access, constants, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

/**
 * A local, append-only, fsync'd spool for audit events that Redis could not take.
 *
 * Files are segments named `audit-<pid>-<instance>-<n>.spool`, one JSON envelope per line.
 * Appends are group-committed: every append waiting while a write+fdatasync is in flight goes
 * into the next single write+fdatasync, so a burst costs one disk flush, not one per event.
 *
 * Replay claims a segment by renaming it (atomic) to `….spool.replaying-<pid>-<instance>`,
 * streams it to the sink in chunks, and deletes it only after the sink accepted every chunk.
 * Replay takes this spool's closed segments, segments of processes that are gone (crash), and
 * half-replayed claims of processes that are gone; a live process's active segment is never
 * touched. Replaying a segment twice is harmless: the queue and the writer drop duplicate ids.
 */

export interface SpoolLogger {
  warn(obj: object, msg: string): void;
}

interface PendingAppend { data: string; lines: number; resolve: () => void; reject: (err: Error) => void }

const SEGMENT_RE = /^audit-(\d+)-([0-9a-f]+)-(\d+)\.spool(?:\.replaying-(\d+)-([0-9a-f]+))?$/;

function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DurableSpool {
  private readonly instance = randomBytes(4).toString('hex');
  private active: { handle: FileHandle; name: string; bytes: number } | null = null;
  private segment = 0;
  private queue: PendingAppend[] = [];
  private writing = false;
  private ownBacklog = false;
  private closed = false;
  /** False after a failed write or when the directory is unusable; a later success resets it. */
  healthy = true;
  /** Events written to the spool since start. */
  appended = 0;

  constructor(readonly dir: string, private readonly logger?: SpoolLogger) {}

  /** Creates the directory and checks it is writable (sets `healthy`). */
  async init(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await access(this.dir, constants.W_OK);
      this.healthy = true;
    } catch (err) {
      this.healthy = false;
      this.logger?.warn({ err, dir: this.dir }, 'audit spool directory is not usable');
    }
  }

  /** Appends lines (no newlines inside); resolves once they are on disk (fdatasync). */
  append(lines: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit spool is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ data: lines.join('\n') + '\n', lines: lines.length, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const handle = await this.activeHandle();
        const data = Buffer.from(batch.map((p) => p.data).join(''), 'utf8');
        await handle.handle.write(data);
        await handle.handle.datasync();
        handle.bytes += data.length;
        this.ownBacklog = true;
        this.healthy = true;
        for (const p of batch) {
          this.appended += p.lines;
          p.resolve();
        }
      } catch (err) {
        this.healthy = false;
        // The segment may hold a partial line now: start a fresh one for the next attempt.
        await this.closeActive().catch(() => undefined);
        for (const p of batch) p.reject(err as Error);
      }
    }
    this.writing = false;
  }

  private async activeHandle(): Promise<{ handle: FileHandle; name: string; bytes: number }> {
    if (this.active) return this.active;
    await mkdir(this.dir, { recursive: true });
    this.segment += 1;
    const name = `audit-${process.pid}-${this.instance}-${Date.now()}${String(this.segment).padStart(4, '0')}.spool`;
    const handle = await open(path.join(this.dir, name), 'a');
    await this.syncDir(); // make the new directory entry itself durable
    this.active = { handle, name, bytes: 0 };
    return this.active;
  }

  private async closeActive(): Promise<void> {
    const active = this.active;
    this.active = null;
    if (active) await active.handle.close();
  }

  private async syncDir(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** True when this spool wrote something not yet replayed (other processes' leftovers are found by replay()). */
  get hasBacklog(): boolean {
    return this.ownBacklog;
  }

  private async waitIdle(): Promise<void> {
    while (this.writing) await new Promise((r) => setImmediate(r));
  }

  private replayable(name: string): boolean {
    const m = SEGMENT_RE.exec(name);
    if (!m) return false;
    const [, pid, instance, , claimPid, claimInstance] = m;
    if (claimPid !== undefined) return (claimInstance === this.instance && Number(claimPid) === process.pid) || !pidAlive(Number(claimPid));
    if (this.active?.name === name) return false;
    if (instance === this.instance && Number(pid) === process.pid) return true;
    return !pidAlive(Number(pid));
  }

  /**
   * Streams every replayable segment to `sink` in chunks of `chunkSize` lines and deletes each
   * segment once all its chunks were accepted. Stops at the first sink failure (the claimed
   * segment stays and is retried next time). Returns the number of lines handed over.
   */
  async replay(sink: (lines: string[]) => Promise<void>, chunkSize = 500): Promise<number> {
    await this.waitIdle();
    // Close the active segment so what it holds can be replayed; new appends open a new one.
    if (this.active && this.active.bytes > 0 && !this.writing) await this.closeActive();
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => this.replayable(n)).sort();
    } catch {
      return 0;
    }
    let total = 0;
    for (const name of names) {
      const m = SEGMENT_RE.exec(name)!;
      const base = name.slice(0, name.indexOf('.spool') + '.spool'.length);
      const claimed = `${base}.replaying-${process.pid}-${this.instance}`;
      if (m[4] === undefined || claimed !== name) {
        try {
          await rename(path.join(this.dir, name), path.join(this.dir, claimed));
        } catch {
          continue; // claimed by another process first
        }
      }
      total += await this.replayFile(path.join(this.dir, claimed), sink, chunkSize);
      await unlink(path.join(this.dir, claimed));
      await this.syncDir();
    }
    if (!this.active) this.ownBacklog = (await this.listOwn()).length > 0;
    return total;
  }

  private async listOwn(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => n.includes(`-${this.instance}-`));
    } catch {
      return [];
    }
  }

  private async replayFile(file: string, sink: (lines: string[]) => Promise<void>, chunkSize: number): Promise<number> {
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let chunk: string[] = [];
    let total = 0;
    for await (const line of lines) {
      if (line.length === 0) continue;
      chunk.push(line);
      if (chunk.length >= chunkSize) {
        await sink(chunk);
        total += chunk.length;
        chunk = [];
      }
    }
    if (chunk.length > 0) {
      await sink(chunk);
      total += chunk.length;
    }
    return total;
  }

  /**
   * Stops accepting appends. Segments that still hold events are renamed to pid 0 ("owner
   * gone"), so the next spool opened on this directory — even in this same process — replays them.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.waitIdle();
    await this.closeActive().catch(() => undefined);
    for (const name of await this.listOwn()) {
      const m = SEGMENT_RE.exec(name);
      if (!m) continue;
      const base = name.slice(0, name.indexOf('.spool') + '.spool'.length).replace(/^audit-\d+-/, 'audit-0-');
      await rename(path.join(this.dir, name), path.join(this.dir, base)).catch(() => undefined);
    }
  }
}
