/**
 * PII quality evaluation: runs createPiiScanner() over the labelled set in
 * test/fixtures/pii-eval/dataset.jsonl and prints precision, recall and F1 per
 * entity type, language and domain, the hard-negative intact rate per kind and
 * the worst misses / false positives to guide tuning.
 *
 *   npm run pii:eval -- [--json FILE] [--examples N] [--type TYPE] [--dataset FILE] [--floors]
 *
 * `--floors` prints the measured values truncated to 0.1 percentage point in the shape of the FLOORS
 * constant of test/unit/pii-eval/quality.test.ts, for ratcheting after the engine improves.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPiiScanner } from '../../src/pii';
import { evaluate, loadDataset, type EvalReport, type ErrorCase, type Scores } from '../fixtures/pii-eval/lib';

interface Args {
  json?: string;
  floors: boolean;
  examples: number;
  type?: string;
  dataset: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { floors: false, examples: 4, dataset: join(__dirname, '../fixtures/pii-eval/dataset.jsonl') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = value();
    else if (a === '--examples') args.examples = Number(value());
    else if (a === '--type') args.type = value();
    else if (a === '--dataset') args.dataset = value();
    else if (a === '--floors') args.floors = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: pii-eval [--json FILE] [--examples N] [--type TYPE] [--dataset FILE] [--floors]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.examples) || args.examples < 0) throw new Error('--examples must be a non-negative integer');
  return args;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`.padStart(8);

function table(title: string, rows: Record<string, Scores>, sortByF1 = false): void {
  console.log(`\n${title}`);
  console.log(`  ${'name'.padEnd(20)} ${'prec'.padStart(8)} ${'recall'.padStart(8)} ${'F1'.padStart(8)} ${'TP'.padStart(6)} ${'FP'.padStart(5)} ${'FN'.padStart(5)}`);
  const entries = Object.entries(rows);
  if (sortByF1) entries.sort(([, a], [, b]) => a.f1 - b.f1);
  for (const [name, s] of entries) {
    console.log(`  ${name.padEnd(20)} ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)} ${String(s.tp).padStart(6)} ${String(s.fp).padStart(5)} ${String(s.fn).padStart(5)}`);
  }
}

function printErrors(report: EvalReport, perType: number, only?: string): void {
  const groups = new Map<string, ErrorCase[]>();
  for (const e of report.errors) {
    if (only && e.type !== only) continue;
    const key = `${e.kind} ${e.type}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(e);
  }
  const sorted = [...groups.entries()].sort(([, a], [, b]) => b.length - a.length);
  console.log(`\nWorst misses (FN) and false positives (FP), by count`);
  if (sorted.length === 0) console.log('  none');
  for (const [key, list] of sorted) {
    const causes = new Map<string, number>();
    for (const e of list) {
      const c = e.cause.replace(/\(IoU [\d.]+\)/, '').trim();
      causes.set(c, (causes.get(c) ?? 0) + 1);
    }
    const causeText = [...causes.entries()].sort(([, a], [, b]) => b - a).map(([c, n]) => `${c} ×${n}`).join(', ');
    console.log(`  ${key}: ${list.length}  (${causeText})`);
    for (const e of list.slice(0, perType)) console.log(`      ${e.docId.padEnd(12)} ${e.cause.padEnd(24)} ${e.snippet}`);
  }
}

/** Truncate (never round up) to 0.1 percentage point, so a floor never exceeds the measured value. */
const floor3 = (x: number): number => Math.floor(x * 1000 + 1e-9) / 1000;

function printFloors(report: EvalReport): void {
  const pick = (rows: Record<string, Scores>, field: 'f1' | 'recall' = 'f1'): string =>
    Object.entries(rows).map(([k, s]) => `${k}: ${floor3(s[field])}`).join(', ');
  const o = report.overall;
  console.log('\nRatchet floors (paste into FLOORS in test/unit/pii-eval/quality.test.ts):');
  console.log(`  overall: { precision: ${floor3(o.precision)}, recall: ${floor3(o.recall)}, f1: ${floor3(o.f1)} },`);
  console.log(`  negativesIntact: ${floor3(report.negativesOverall.rate)},`);
  console.log(`  typeRecall: { ${pick(report.byType, 'recall')} },`);
  console.log(`  typeF1: { ${pick(report.byType)} },`);
  console.log(`  langF1: { ${pick(report.byLang)} },`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const docs = loadDataset(args.dataset, (p) => readFileSync(p, 'utf8'));
  const scanner = createPiiScanner();
  const report = evaluate(docs, (text) => scanner.scan(text));

  console.log('PII evaluation — createPiiScanner() with default options');
  console.log(`Dataset: ${args.dataset}`);
  console.log(`Matching rule: ${report.rule}`);
  console.log(`Documents: ${report.documents}, labels: ${report.labels}, hard negatives: ${report.negativesOverall.total}`);
  // Second, warm pass: the first includes JIT warm-up and lazy metadata loading. Informative only.
  const t0 = process.hrtime.bigint();
  for (const d of docs) scanner.scan(d.text);
  const warmMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const mbps = (ms: number): string => (report.bytes / 1e6 / (ms / 1000)).toFixed(2);
  console.log(`Scan time (informative): first pass ${report.scanMs.toFixed(1)} ms, warm pass ${warmMs.toFixed(1)} ms for ${(report.bytes / 1024).toFixed(1)} KiB in ${report.documents} short documents (${mbps(report.scanMs)} / ${mbps(warmMs)} MB/s)`);
  const o = report.overall;
  console.log(`\nOVERALL (micro): precision ${pct(o.precision).trim()}  recall ${pct(o.recall).trim()}  F1 ${pct(o.f1).trim()}  (TP ${o.tp}, FP ${o.fp}, FN ${o.fn})`);
  console.log(`Hard negatives left intact: ${pct(report.negativesOverall.rate).trim()} (${report.negativesOverall.intact}/${report.negativesOverall.total})`);
  table('Per entity type (worst F1 first)', report.byType, true);
  table('Per language', report.byLang);
  table('Per domain', report.byDomain);
  console.log('\nHard negatives left intact, per kind');
  for (const [kind, s] of Object.entries(report.negatives).sort(([, a], [, b]) => a.rate - b.rate)) {
    console.log(`  ${kind.padEnd(26)} ${pct(s.rate)}  (${s.intact}/${s.total})`);
  }
  printErrors(report, args.examples, args.type);
  if (args.floors) printFloors(report);
  if (args.json) {
    const { errors, ...numbers } = report;
    writeFileSync(args.json, JSON.stringify({ ...numbers, errorCount: errors.length }, null, 2) + '\n');
    console.log(`\nWrote ${args.json}`);
  }
}

try {
  main();
} catch (e) {
  console.error(`pii-eval: ${(e as Error).message}`);
  process.exit(1);
}
