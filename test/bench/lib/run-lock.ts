/**
 * One benchmark at a time per machine: two would share two cores and reset each other's `gatehouse_bench`
 * database. The lock is a file holding the owner's pid; a lock left by a process that no longer exists is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LOCK_FILE = path.join(os.tmpdir(), 'gatehouse-bench.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws naming the running benchmark; returns the release function. */
export function acquireRunLock(): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(LOCK_FILE, 'utf8') === String(process.pid)) unlinkSync(LOCK_FILE);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(LOCK_FILE, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new Error(`another benchmark is running (pid ${owner}, lock ${LOCK_FILE}); wait for it to finish`);
      }
      unlinkSync(LOCK_FILE); // stale: its owner is gone
    }
  }
  throw new Error(`could not take the benchmark lock ${LOCK_FILE}`);
}
