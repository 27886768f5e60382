import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { canonicalJson } from '../canonical-json';
import { chainHash } from '../chain';
import { checkpointPayload, loadPublicKey, verifySignature, type AuditPublicKey } from '../signing';
import { manifestPathFor, type ExportChainSummary, type SignedManifest } from './manifest';
import { CSV_COLUMNS, decodeRecord, ExportRecordError, type ExportRecord } from './records';

/**
 * Offline verification of an export (no database): the manifest's signature (against a pinned
 * public key), the file's SHA-256 and size, and then every record — its hash recomputed from
 * prev_hash and the body, its ordinal, its order and link within its chain, the manifest's
 * per-chain first/last/count, and every signed checkpoint that falls on an exported row.
 * The first bad line is named (1-based line number in the file).
 */

export interface VerifyExportOptions {
  manifestPath?: string;
  /** Pinned public key (PEM). Without it the manifest's embedded key is used and the result says so. */
  publicKeyPem?: string;
}

export interface VerifyExportResult {
  ok: boolean;
  records: number;
  /** 'pinned', 'embedded' (manifest's own key: proves integrity, not origin) or 'unsigned'. */
  keySource: 'pinned' | 'embedded' | 'unsigned';
  problems: string[];
  firstBadLine: number | null;
  manifest: SignedManifest['manifest'] | null;
}

async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function verifyExportFile(file: string, options: VerifyExportOptions = {}): Promise<VerifyExportResult> {
  const result: VerifyExportResult = { ok: false, records: 0, keySource: 'unsigned', problems: [], firstBadLine: null, manifest: null };
  const lineProblem = (line: number, reason: string): void => {
    result.firstBadLine ??= line;
    result.problems.push(`line ${line}: ${reason}`);
  };

  let signed: SignedManifest;
  try {
    signed = JSON.parse(await readFile(options.manifestPath ?? manifestPathFor(file), 'utf8')) as SignedManifest;
    if (signed?.manifest?.kind !== 'gatehouse.audit.export') throw new Error('not a Gatehouse export manifest');
  } catch (err) {
    result.problems.push(`manifest: ${(err as Error).message}`);
    return result;
  }
  const m = signed.manifest;
  result.manifest = m;

  // 1. Who vouches for the manifest.
  let key: AuditPublicKey | null = null;
  try {
    if (options.publicKeyPem) {
      key = loadPublicKey(options.publicKeyPem);
      result.keySource = 'pinned';
    } else if (m.publicKey) {
      key = loadPublicKey(m.publicKey);
      result.keySource = 'embedded';
    }
  } catch (err) {
    result.problems.push(`public key: ${(err as Error).message}`);
  }
  if (!signed.signature || !m.keyId) result.problems.push('manifest is not signed');
  else if (!key) result.problems.push('no public key to check the manifest signature');
  else if (key.keyId !== m.keyId) result.problems.push(`manifest was signed by key ${m.keyId}, not by the given key ${key.keyId}`);
  else if (!verifySignature(key, m, signed.signature)) result.problems.push('manifest signature is invalid (manifest altered)');
  for (const cp of m.checkpoints ?? []) {
    if (!key || cp.keyId !== key.keyId || !verifySignature(key, checkpointPayload(cp.org, cp.seq, cp.hash, cp.signedAt, cp.keyId), cp.signature)) {
      result.problems.push(`checkpoint at ${cp.org}#${cp.seq} has no valid signature by the trusted key`);
    }
  }

  // 2. The file as a whole.
  let digest: { sha256: string; bytes: number };
  try {
    digest = await fileDigest(file);
  } catch (err) {
    result.problems.push(`file: ${(err as Error).message}`);
    return result;
  }
  if (digest.sha256 !== m.sha256) result.problems.push(`file SHA-256 ${digest.sha256} differs from the manifest's ${m.sha256}`);
  if (digest.bytes !== m.bytes) result.problems.push(`file has ${digest.bytes} bytes, the manifest says ${m.bytes}`);

  // 3. Record by record.
  const chains = new Map<string, ExportChainSummary>(m.chains.map((c) => [c.org, c]));
  const checkpointsAt = new Map<string, string[]>();
  for (const cp of m.checkpoints ?? []) {
    const k = `${cp.org}#${cp.seq}`;
    checkpointsAt.set(k, [...(checkpointsAt.get(k) ?? []), cp.hash]);
  }
  const seen = new Map<string, { count: number; seq: number; hash: string }>();
  const finished = new Set<string>();
  let currentOrg: string | null = null;
  let lineNo = 0;
  let expectN = 1;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo += 1;
    if (m.format === 'csv' && lineNo === 1) {
      if (line !== CSV_COLUMNS.join(',')) lineProblem(1, 'CSV header is not the expected one');
      continue;
    }
    if (line.length === 0) {
      lineProblem(lineNo, 'empty line');
      continue;
    }
    let r: ExportRecord;
    try {
      r = decodeRecord(m.format, line);
    } catch (err) {
      lineProblem(lineNo, err instanceof ExportRecordError ? err.message : 'unreadable record');
      continue;
    }
    result.records += 1;
    if (r.n !== expectN) lineProblem(lineNo, r.n > expectN ? `record ${r.n} found where ${expectN} was expected (records removed or reordered)` : `record ${r.n} out of order (expected ${expectN})`);
    expectN = r.n + 1;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(r.body) as Record<string, unknown>;
    } catch {
      lineProblem(lineNo, 'event is not valid JSON');
      continue;
    }
    if (canonicalJson(body) !== r.body) lineProblem(lineNo, 'event is not in canonical form');
    if (!/^[0-9a-f]{64}$/.test(r.prevHash) || chainHash(Buffer.from(r.prevHash, 'hex'), r.body).toString('hex') !== r.hash) {
      lineProblem(lineNo, `hash does not match the event (record altered), seq ${r.seq}`);
    }
    if (body.org !== r.org) lineProblem(lineNo, 'event org differs from the record org');
    const chain = chains.get(r.org);
    if (!chain) {
      lineProblem(lineNo, `organisation ${r.org} is not in the manifest`);
      continue;
    }
    if (currentOrg !== r.org) {
      if (currentOrg) finished.add(currentOrg);
      if (finished.has(r.org)) lineProblem(lineNo, `records of ${r.org} are not together (reordered)`);
      currentOrg = r.org;
    }
    const prev = seen.get(r.org);
    if (!prev) {
      if (r.seq !== chain.first.seq || r.hash !== chain.first.hash || r.prevHash !== chain.first.prevHash) lineProblem(lineNo, `first record of ${r.org} is not the one the manifest names (seq ${chain.first.seq})`);
    } else if (r.seq <= prev.seq) {
      lineProblem(lineNo, `seq ${r.seq} after seq ${prev.seq} (reordered)`);
    } else if (r.seq === prev.seq + 1 && r.prevHash !== prev.hash) {
      lineProblem(lineNo, `seq ${r.seq} does not link to seq ${prev.seq}`);
    } else if (chain.contiguous && r.seq !== prev.seq + 1) {
      lineProblem(lineNo, `seq ${prev.seq + 1}..${r.seq - 1} missing from an unfiltered export`);
    }
    const signedHashes = checkpointsAt.get(`${r.org}#${r.seq}`);
    if (signedHashes && signedHashes.some((h) => h !== r.hash)) lineProblem(lineNo, `seq ${r.seq} differs from the signed checkpoint`);
    seen.set(r.org, { count: (prev?.count ?? 0) + 1, seq: r.seq, hash: r.hash });
  }

  // 4. Totals against the manifest.
  if (result.records !== m.count) result.problems.push(`file holds ${result.records} records, the manifest says ${m.count}`);
  for (const chain of m.chains) {
    const got = seen.get(chain.org);
    if (!got) result.problems.push(`no records for ${chain.org}, the manifest lists ${chain.count}`);
    else if (got.count !== chain.count || got.seq !== chain.last.seq || got.hash !== chain.last.hash) {
      result.problems.push(`${chain.org}: ${got.count} records ending at seq ${got.seq}; the manifest says ${chain.count} ending at seq ${chain.last.seq}`);
    }
  }
  result.ok = result.problems.length === 0;
  return result;
}
