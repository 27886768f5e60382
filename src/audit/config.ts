import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Audit settings from the environment. The composition root calls loadAuditConfig(process.env). */
export interface AuditConfig {
  /** AUDIT_REQUIRED (default true): refuse requests (503) when the event can be neither queued nor spooled. */
  required: boolean;
  /** Local durable spool used while Redis is unreachable. */
  spoolDir: string;
  /** Ed25519 PKCS#8 PEM for checkpoints, seals and export manifests (null: nothing is signed). */
  signingKeyPem: string | null;
  /** 32-byte base64 key for the (optional) encrypted prompt store. */
  contentKey: string | null;
  /** Sign the chain head every N events … */
  checkpointEvery: number;
  /** … or every T ms when events arrived since the last checkpoint. */
  checkpointIntervalMs: number;
  /** Max events per writer transaction. */
  writerBatchSize: number;
  /** Run the writer inside `serve`/`demo` (GATEHOUSE_AUDIT_WRITER=false to run it only as `gatehouse worker`). */
  writerInProcess: boolean;
  /** Where background exports land. */
  exportDir: string;
  /** How long the producer waits for Redis before spooling instead. */
  enqueueTimeoutMs: number;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function signingKey(env: NodeJS.ProcessEnv): string | null {
  const inline = env.GATEHOUSE_AUDIT_SIGNING_KEY;
  if (inline) return inline.includes('\\n') ? inline.replace(/\\n/g, '\n') : inline;
  const file = env.GATEHOUSE_AUDIT_SIGNING_KEY_FILE;
  if (!file) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`GATEHOUSE_AUDIT_SIGNING_KEY_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
}

export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  return {
    required: bool(env, 'AUDIT_REQUIRED', true),
    spoolDir: path.resolve(env.GATEHOUSE_AUDIT_SPOOL_DIR || '.gatehouse/audit-spool'),
    signingKeyPem: signingKey(env),
    contentKey: env.GATEHOUSE_AUDIT_CONTENT_KEY || null,
    checkpointEvery: positiveInt(env, 'GATEHOUSE_AUDIT_CHECKPOINT_EVERY', 1000),
    checkpointIntervalMs: positiveInt(env, 'GATEHOUSE_AUDIT_CHECKPOINT_INTERVAL_MS', 30_000),
    writerBatchSize: positiveInt(env, 'GATEHOUSE_AUDIT_BATCH_SIZE', 500),
    writerInProcess: bool(env, 'GATEHOUSE_AUDIT_WRITER', true),
    exportDir: path.resolve(env.GATEHOUSE_AUDIT_EXPORT_DIR || '.gatehouse/audit-exports'),
    enqueueTimeoutMs: positiveInt(env, 'GATEHOUSE_AUDIT_ENQUEUE_TIMEOUT_MS', 1000),
  };
}
