/**
 * `gatehouse pii scan`: JSON lines `{"id","text"}` on stdin → one line per input
 * `{"id","findings":[{"type","start","end","score"}],"redacted":"…"}`. Streams line by line (stdin is never read
 * whole); a bad line yields `{"id","error"}` for that line and processing continues.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  createPiiScanner, PII_ACTIONS, redactText, TokenVault, type PiiAction, type PiiActionMap, type PiiScanner,
} from '../../pii';

interface ScanOptions {
  entities?: string;
  regions?: string;
  operator: string;
  minScore?: string;
  hashKey?: string;
  maskKeep?: string;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

function handleLine(line: string, scanner: PiiScanner, actions: PiiActionMap, opts: ScanOptions): string | null {
  if (line.trim() === '') return null;
  let id: unknown = null;
  try {
    const input: unknown = JSON.parse(line);
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new Error('line must be a JSON object');
    const record = input as Record<string, unknown>;
    id = record.id ?? null;
    if (typeof record.text !== 'string') throw new Error('"text" must be a string');
    const result = redactText(scanner, record.text, actions, {
      hashKey: opts.hashKey,
      maskKeep: opts.maskKeep === undefined ? undefined : Number(opts.maskKeep),
      vault: new TokenVault(),
    });
    const findings = result.findings.map((f) => ({ type: f.type, start: f.start, end: f.end, score: round(f.score) }));
    return JSON.stringify({ id, findings, redacted: result.text });
  } catch (err) {
    return JSON.stringify({ id, error: (err as Error).message });
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;

async function runScan(opts: ScanOptions): Promise<void> {
  const operator = opts.operator as PiiAction;
  if (!PII_ACTIONS.includes(operator)) {
    throw new Error(`--operator must be one of ${PII_ACTIONS.join(', ')}`);
  }
  if (operator === 'hash' && !opts.hashKey) throw new Error('--operator hash needs --hash-key');
  const scanner = createPiiScanner({
    entities: list(opts.entities),
    regionHints: list(opts.regions),
    minScore: opts.minScore === undefined ? undefined : Number(opts.minScore),
  });
  const actions: PiiActionMap = { '*': operator };
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    const out = handleLine(line, scanner, actions, opts);
    if (out === null) continue;
    if (!process.stdout.write(out + '\n')) {
      await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
    }
  }
}

export function registerPiiCommands(program: Command): void {
  const pii = program.command('pii').description('PII and secrets detection');
  pii
    .command('scan')
    .description('read JSON lines {"id","text"} on stdin, write findings and the transformed text per line')
    .option('--entities <list>', 'comma-separated entity types to detect (default: all)')
    .option('--regions <list>', 'comma-separated ISO 3166 region hints for national phone formats (default: US,GB)')
    .option('--operator <action>', `operator applied to every finding: ${PII_ACTIONS.join('|')}`, 'redact')
    .option('--min-score <n>', 'minimum finding score (default 0.5)')
    .option('--hash-key <key>', 'HMAC key for --operator hash')
    .option('--mask-keep <n>', 'characters left visible by --operator mask (default 4)')
    .action(async (opts: ScanOptions) => {
      try {
        await runScan(opts);
      } catch (err) {
        process.stderr.write(`gatehouse pii scan: ${(err as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
