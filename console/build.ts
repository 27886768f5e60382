/**
 * Builds the web console: console/src → dist/console (index.html + content-hashed assets).
 * Run by `npm run build:console` (and by `prepare`/`pretest`, so `npm ci` and `npm test` produce it).
 * `--watch` rebuilds on change.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'dist', 'console');
const production = process.env.NODE_ENV !== 'development';

/**
 * codemirror-rego is a CodeMirror 5 mode (`require('codemirror').defineMode(...)`); its
 * `codemirror` import is pointed at a shim that hands the mode to CodeMirror 6's StreamLanguage.
 */
const cm5Shim: esbuild.Plugin = {
  name: 'cm5-shim',
  setup(build) {
    build.onResolve({ filter: /^codemirror$/ }, (args) =>
      args.importer.includes(`${path.sep}codemirror-rego${path.sep}`) ? { path: path.join(__dirname, 'src', 'editor', 'cm5-shim.ts') } : undefined);
  },
};

function indexHtml(js: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="gatehouse-style-nonce" content="__GATEHOUSE_STYLE_NONCE__">
<title>Gatehouse console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/${css}">
<script defer src="/console/assets/${js}"></script>
</head>
<body>
<noscript>The Gatehouse console needs JavaScript. The admin API is documented at /admin/v1/openapi.json.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

async function build(): Promise<void> {
  // Built beside the live folder and swapped in at the end: a gateway serving it, or a build running
  // in parallel (two test workers), never meets a half-written console (at worst, for an instant, none).
  const staging = `${outdir}-build-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(path.join(staging, 'assets'), { recursive: true });
  const options: esbuild.BuildOptions = {
    entryPoints: { console: path.join(__dirname, 'src', 'main.tsx') },
    outdir: path.join(staging, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: production,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    plugins: [cm5Shim],
  };
  const result = await esbuild.build(options);
  const outputs = Object.keys(result.metafile!.outputs).map((p) => path.basename(p));
  const js = outputs.find((f) => /^console-.*\.js$/.test(f));
  const css = outputs.find((f) => /^console-.*\.css$/.test(f));
  if (!js || !css) throw new Error(`unexpected build outputs: ${outputs.join(', ')}`);
  await writeFile(path.join(staging, 'index.html'), indexHtml(js, css));
  const size = (f: string) => (result.metafile!.outputs[path.relative(root, path.join(staging, 'assets', f))]?.bytes ?? 0);
  process.stdout.write(`console built: dist/console/assets/${js} (${Math.round(size(js) / 1024)} KiB), ${css}\n`);
  for (let attempt = 0; ; attempt += 1) {
    await rm(outdir, { recursive: true, force: true });
    try {
      await rename(staging, outdir);
      return;
    } catch (err) {
      // Another build renamed its folder in between: try again (both hold the same files).
      if (attempt >= 5) throw err;
    }
  }
}

build().catch((err: unknown) => {
  process.stderr.write(`console build failed: ${(err as Error).message}\n`);
  process.exit(1);
});
