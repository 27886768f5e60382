/**
 * What the child processes run. `dist` (default): the sources compiled by tsc, as production runs them
 * (`gatehouse serve` runs dist/), built into the benchmark's own folder so other people's concurrent
 * `npm run build` cannot swap files under a running gateway; profiles then map back to src/ via tsc's source maps.
 * The sources are the last commit (`git archive HEAD`: the figures belong to a commit id) or, with `worktree`,
 * the files on disk including uncommitted edits.
 * `tsx`: the TypeScript sources on disk directly (no build step; profile line numbers are not meaningful).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export type Runtime = 'dist' | 'tsx';
export type Source = 'head' | 'worktree';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Returns the folder the children load the gateway's modules from (`<root>/server`, `<root>/mock`, ...). */
/** The repository files a gateway needs at run time besides node_modules (taken from the commit). */
const FROM_COMMIT = ['src', 'policies', 'migrations', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

export function prepareApp(runtime: Runtime, workDir: string, source: Source = 'head'): string {
  if (runtime === 'tsx') return path.join(REPO_ROOT, 'src');
  const app = path.join(workDir, 'app');
  mkdirSync(app, { recursive: true });
  // The compiled code finds migrations/, policies/, node_modules/ relative to itself, as in the repository.
  if (source === 'head') {
    const tar = execFileSync('git', ['archive', '--format=tar', 'HEAD', ...FROM_COMMIT], { cwd: REPO_ROOT, maxBuffer: 512 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', app], { input: tar });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(app, 'node_modules'));
  } else {
    for (const entry of readdirSync(REPO_ROOT)) {
      if (entry === 'dist' || entry === '.git') continue;
      symlinkSync(path.join(REPO_ROOT, entry), path.join(app, entry));
    }
  }
  const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  try {
    execFileSync(tsc, ['-p', path.join(app, 'tsconfig.build.json'), '--outDir', path.join(app, 'dist')], {
      cwd: app, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8',
    });
  } catch (err) {
    // Type errors still emit JavaScript (noEmitOnError is off); only a missing output is fatal.
    const out = err as { stdout?: string };
    process.stderr.write(`note: tsc reported problems while building the benchmark's copy:\n${(out.stdout ?? '').split('\n').slice(0, 10).join('\n')}\n`);
  }
  const dist = path.join(app, 'dist');
  readdirSync(dist); // throws a clear ENOENT when the build produced nothing
  return dist;
}
