import { mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DurableSpool } from '../../../src/audit/spool';

describe('DurableSpool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gh-spool-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const drain = async (spool: DurableSpool): Promise<string[]> => {
    const got: string[] = [];
    await spool.replay(async (lines) => {
      got.push(...lines);
    }, 3);
    return got;
  };

  it('group-commits concurrent appends and replays them in order, in chunks, then deletes the segment', async () => {
    const spool = new DurableSpool(dir);
    await spool.init();
    await Promise.all(Array.from({ length: 10 }, (_, i) => spool.append([`a${i}`, `b${i}`])));
    expect(spool.appended).toBe(20);
    expect(spool.hasBacklog).toBe(true);
    const got = await drain(spool);
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => [`a${i}`, `b${i}`]).flat());
    expect(readdirSync(dir)).toEqual([]);
    expect(spool.hasBacklog).toBe(false);
    await spool.append(['after']);
    expect(await drain(spool)).toEqual(['after']);
    await spool.close();
  });

  it('keeps a segment whose replay failed and retries it later', async () => {
    const spool = new DurableSpool(dir);
    await spool.init();
    await spool.append(['x', 'y']);
    await expect(spool.replay(async () => {
      throw new Error('redis down');
    })).rejects.toThrow('redis down');
    expect(readdirSync(dir)).toHaveLength(1);
    expect(await drain(spool)).toEqual(['x', 'y']);
    await spool.close();
  });

  it('replays segments of dead processes, including a torn last line, but never a live process’s segment', async () => {
    writeFileSync(path.join(dir, 'audit-999999-aaaa-1.spool'), 'dead1\ndead2\n{"torn');
    writeFileSync(path.join(dir, 'audit-1-bbbb-1.spool'), 'init-is-alive\n'); // pid 1 is alive
    appendFileSync(path.join(dir, 'audit-0-cccc-2.spool'), 'handed-over\n'); // closed by its owner
    writeFileSync(path.join(dir, 'unrelated.txt'), 'x');
    const spool = new DurableSpool(dir);
    await spool.init();
    const got = await drain(spool);
    expect(got.sort()).toEqual(['dead1', 'dead2', 'handed-over', '{"torn'].sort()); // the consumer drops unparsable lines
    expect(readdirSync(dir).sort()).toEqual(['audit-1-bbbb-1.spool', 'unrelated.txt']);
    await spool.close();
  });

  it('hands unreplayed segments over on close, so the next spool (same process) replays them', async () => {
    const first = new DurableSpool(dir);
    await first.init();
    await first.append(['left-behind']);
    await first.close();
    await expect(first.append(['late'])).rejects.toThrow(/closed/);
    const second = new DurableSpool(dir);
    await second.init();
    expect(await drain(second)).toEqual(['left-behind']);
    await second.close();
  });

  it('reports an unusable directory as unhealthy and rejects appends', async () => {
    const spool = new DurableSpool('/etc/hostname/spool');
    await spool.init();
    expect(spool.healthy).toBe(false);
    await expect(spool.append(['x'])).rejects.toThrow(/ENOTDIR/);
  });
});
