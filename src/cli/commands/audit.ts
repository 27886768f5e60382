import { chmod, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config';
import { createPool, ensureDatabase, migrate, type Pool } from '../../db';
import {
  EXPORT_FORMATS, createSigner, generateSigningKeyPem, isUuid, loadAuditConfig, loadPublicKey, runAuditedExport,
  sealAndArchive, startAuditWriter, startExportWorker, verifyAuditLog, verifyExportFile, type AuditActor, type AuditSigner, type ExportFormat,
} from '../../audit';

import { createLogger } from '../../logger';
import { withDatabase } from '../context';

/** `gatehouse audit …` (verify, export, seal, keys) and `gatehouse worker` (the audit writer). */

function cliActor(): AuditActor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return { type: 'system', id: 'cli', label: `gatehouse CLI (${name}@${process.env.HOSTNAME ?? 'host'})` };
}

function signerFromEnv(required: boolean): AuditSigner | null {
  const pem = loadAuditConfig().signingKeyPem;
  if (!pem) {
    if (required) throw new Error('no audit signing key: set GATEHOUSE_AUDIT_SIGNING_KEY_FILE (create one with `gatehouse audit keygen`)');
    return null;
  }
  return createSigner(pem);
}

async function resolveOrg(pool: Pool, org: string | undefined): Promise<string | undefined> {
  if (org === undefined || isUuid(org)) return org;
  const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM organisations WHERE slug = $1', [org]);
  if (rows.length === 0) throw new Error(`no organisation with id or slug "${org}"`);
  return rows[0].id;
}

function parseDate(flag: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new Error(`${flag} takes an ISO date/time, got "${raw}"`);
  return d;
}

function parseSeq(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} takes a positive integer, got "${raw}"`);
  return n;
}

/** A one-line progress bar on a terminal; silent when stderr is not a TTY. */
function progressBar(label: string): { update(done: number, total: number): void; finish(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${(ratio * 100).toFixed(0)}%`);
    },
    finish() {
      if (tty) process.stderr.write('\n');
    },
  };
}

async function readPublicKeyFile(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  const pem = await readFile(file, 'utf8');
  loadPublicKey(pem); // fails early with a clear message
  return pem;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The immutable audit log: verify, export, seal, signing keys');

  audit.command('keygen')
    .description('Create an Ed25519 signing key for checkpoints, seals and export manifests')
    .requiredOption('--out <file>', 'where to write the private key (PEM, mode 0600)')
    .action(async (opts: { out: string }) => {
      const { privateKeyPem, publicKeyPem } = generateSigningKeyPem();
      await writeFile(opts.out, privateKeyPem, { mode: 0o600, flag: 'wx' });
      await chmod(opts.out, 0o600);
      await writeFile(`${opts.out}.pub`, publicKeyPem, { flag: 'wx' });
      const signer = createSigner(privateKeyPem);
      process.stdout.write(`Private key: ${opts.out}\nPublic key:  ${opts.out}.pub (key id ${signer.keyId})\n`
        + `Set GATEHOUSE_AUDIT_SIGNING_KEY_FILE=${path.resolve(opts.out)} for the writer; give auditors the .pub file.\n`);
    });

  audit.command('public-key')
    .description('Print the public half of the configured signing key (PEM) and its key id')
    .action(() => {
      const signer = signerFromEnv(true)!;
      process.stdout.write(`# key id ${signer.keyId}\n${signer.publicKeyPem}`);
    });

  audit.command('verify')
    .description('Recompute the hash chains and check every signature; exits 1 naming the first bad row')
    .option('--org <id|slug>', 'only this organisation')
    .option('--from <time>', 'only rows that occurred at or after this time')
    .option('--to <time>', 'only rows that occurred before this time')
    .option('--from-seq <n>', 'only rows from this chain position')
    .option('--to-seq <n>', 'only rows up to this chain position')
    .option('--public-key <file>', 'pin the signing public key (otherwise keys recorded in the database are used)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { org?: string; from?: string; to?: string; fromSeq?: string; toSeq?: string; publicKey?: string; json?: boolean }) => {
      const pinned = await readPublicKeyFile(opts.publicKey);
      const report = await withDatabase(async (pool) => verifyAuditLog(pool, {
        org: await resolveOrg(pool, opts.org), from: parseDate('--from', opts.from), to: parseDate('--to', opts.to),
        fromSeq: parseSeq('--from-seq', opts.fromSeq), toSeq: parseSeq('--to-seq', opts.toSeq),
        trustedKeys: pinned ? [loadPublicKey(pinned)] : undefined,
      }));
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const c of report.chains) {
          process.stdout.write(`${c.ok ? 'ok  ' : 'BAD '} ${c.org}  rows ${c.rows}${c.firstSeq !== null ? ` (seq ${c.firstSeq}..${c.lastSeq})` : ''}, `
            + `${c.checkpointsVerified} checkpoint(s), ${c.sealsVerified} seal(s)\n`);
        }
        for (const p of report.problems) process.stdout.write(`FIRST BAD ROW: org ${p.org} seq ${p.seq ?? '-'}${p.id ? ` id ${p.id}` : ''}: ${p.reason}\n`);
        if (report.keySource === 'database') process.stdout.write('note: signatures checked against keys stored in the database; pin one with --public-key\n');
        process.stdout.write(report.ok ? `verified ${report.chains.length} chain(s)\n` : 'VERIFICATION FAILED\n');
      }
      if (!report.ok) process.exitCode = 1;
    });

  audit.command('verify-export')
    .description('Check an exported file offline (no database): manifest signature, file digest, every record')
    .argument('<file>', 'the exported file (its manifest is FILE.manifest.json)')
    .option('--manifest <file>', 'manifest path, if not next to the file')
    .option('--public-key <file>', 'the signing public key to trust (recommended)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { manifest?: string; publicKey?: string; json?: boolean }) => {
      const result = await verifyExportFile(file, { manifestPath: opts.manifest, publicKeyPem: await readPublicKeyFile(opts.publicKey) });
      if (opts.json) process.stdout.write(JSON.stringify({ ...result, manifest: undefined }, null, 2) + '\n');
      else {
        for (const p of result.problems) process.stdout.write(`${p}\n`);
        if (result.keySource === 'embedded') process.stdout.write('note: checked with the key embedded in the manifest; pass --public-key to prove who signed it\n');
        process.stdout.write(result.ok ? `ok: ${result.records} records verified\n` : `FAILED${result.firstBadLine ? ` (first bad line ${result.firstBadLine})` : ''}\n`);
      }
      if (!result.ok) process.exitCode = 1;
    });

  audit.command('export')
    .description('Export the audit log with chain proofs and a signed manifest (FILE.manifest.json); the export is itself audited')
    .requiredOption('--out <file>', 'output file')
    .option('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`, 'jsonl')
    .option('--org <id|slug>', 'only this organisation')
    .option('--from <time>', 'events at or after this time')
    .option('--to <time>', 'events before this time')
    .option('--type <type>', 'an event type, or a prefix like "policy.*"')
    .action(async (opts: { out: string; format: string; org?: string; from?: string; to?: string; type?: string }) => {
      if (!EXPORT_FORMATS.includes(opts.format as ExportFormat)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
      parseDate('--from', opts.from);
      parseDate('--to', opts.to);
      const signer = signerFromEnv(false);
      if (!signer) process.stderr.write('warning: no signing key configured; the manifest will not be signed\n');
      const bar = progressBar('exporting');
      const signed = await withDatabase(async (pool) => runAuditedExport(pool, {
        format: opts.format as ExportFormat, out: opts.out, signer, actor: cliActor(),
        filter: { org: await resolveOrg(pool, opts.org), from: opts.from, to: opts.to, type: opts.type },
        onProgress: (done, total) => bar.update(done, total),
      }));
      bar.finish();
      const m = signed.manifest;
      process.stdout.write(`${m.count} events → ${opts.out} (sha256 ${m.sha256})\nmanifest: ${opts.out}.manifest.json${signed.signature ? ` signed by ${m.keyId}` : ' (unsigned)'}\n`);
    });

  audit.command('seal')
    .description('Seal and archive: export, sign and record events older than --before, then remove them from the live table (needs the table owner)')
    .requiredOption('--org <id|slug>', 'organisation whose chain is sealed')
    .requiredOption('--before <time>', 'seal events that occurred before this time')
    .requiredOption('--archive-dir <dir>', 'where the archive and its manifest are written')
    .action(async (opts: { org: string; before: string; archiveDir: string }) => {
      const signer = signerFromEnv(true)!;
      const result = await withDatabase(async (pool) => sealAndArchive(pool, {
        org: (await resolveOrg(pool, opts.org))!, before: parseDate('--before', opts.before)!, archiveDir: opts.archiveDir, signer, actor: cliActor(),
      }));
      if (!result.seal) process.stdout.write('nothing to seal\n');
      else process.stdout.write(`sealed seq ${result.seal.firstSeq}..${result.seal.lastSeq} (${result.removed} rows) → ${result.archive}\n`);
    });

  program.command('worker')
    .description('Run the audit writer (queue → hash-chained table) and the background export worker')
    .option('--no-exports', 'do not process background export jobs')
    .action(async (opts: { exports: boolean }) => {
      const config = loadConfig();
      const auditConfig = loadAuditConfig();
      const logger = createLogger(config.logLevel);
      await ensureDatabase(config.databaseUrl);
      const pool = createPool(config.databaseUrl);
      await migrate(pool);
      const signer = auditConfig.signingKeyPem ? createSigner(auditConfig.signingKeyPem) : null;
      const writer = await startAuditWriter({
        pool, redisUrl: config.redisUrl, prefix: config.redisPrefix, logger, signer,
        checkpointEvery: auditConfig.checkpointEvery, checkpointIntervalMs: auditConfig.checkpointIntervalMs, batchSize: auditConfig.writerBatchSize,
      });
      const exportsWorker = opts.exports
        ? await startExportWorker({ pool, redisUrl: config.redisUrl, prefix: config.redisPrefix, exportDir: auditConfig.exportDir, signer, logger })
        : null;
      logger.info({ signing: signer?.keyId ?? null, exports: opts.exports }, 'audit worker running');
      let stopping = false;
      const stop = (): void => {
        if (stopping) process.exit(1);
        stopping = true;
        void (async () => {
          await Promise.allSettled([writer.close(), exportsWorker?.close()]);
          await pool.end();
          logger.info(writer.stats(), 'audit worker stopped');
          process.exit(0);
        })();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
