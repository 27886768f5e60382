import type { Command } from 'commander';
import { findKeyByLookupId, findWorkspace, listKeys, revokeKey } from '../../db';
import { createApiKey } from '../../identity';
import { NO_KEY_LIMITS, setKeyLimits, validateKeyLimits, type KeyLimits } from '../../spend';
import { auditCliAction, broadcastKeyChange, withDatabase } from '../context';
import type { JsonValue } from '../../audit';

function parseDuration(text: string): Date {
  const m = /^(\d+)([hdw])$/.exec(text);
  if (!m) throw new Error(`--expires-in takes a duration like 12h, 30d or 8w, got "${text}"`);
  const hours = Number(m[1]) * (m[2] === 'h' ? 1 : m[2] === 'd' ? 24 : 168);
  return new Date(Date.now() + hours * 3_600_000);
}

interface LimitOptions { budgetUsd?: string; budgetWindow?: string; budgetTokens?: string; rpm?: string; tpm?: string; maxParallel?: string }

/** Spend/rate options of `keys create` → KeyLimits (validated; throws a message naming the flag). */
function limitsFromOptions(opts: LimitOptions): KeyLimits | null {
  const number = (flag: string, raw: string | undefined): number | null => {
    if (raw === undefined) return null;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag} takes a number, got "${raw}"`);
    return n;
  };
  const limits: KeyLimits = {
    budgetUsd: number('--budget-usd', opts.budgetUsd),
    budgetWindow: (opts.budgetWindow ?? null) as KeyLimits['budgetWindow'],
    budgetTokens: number('--budget-tokens', opts.budgetTokens),
    rpm: number('--rpm', opts.rpm), tpm: number('--tpm', opts.tpm), maxParallel: number('--max-parallel', opts.maxParallel),
  };
  if (limits.budgetWindow !== null && limits.budgetUsd === null && limits.budgetTokens === null) {
    throw new Error('--budget-window needs --budget-usd or --budget-tokens');
  }
  validateKeyLimits(limits);
  if (Object.values(limits).every((v) => v === null)) return null;
  return { ...limits, budgetWindow: limits.budgetUsd !== null || limits.budgetTokens !== null ? (limits.budgetWindow ?? 'month') : null };
}

function limitsJson(l: KeyLimits): Record<string, unknown> {
  return { budget_usd: l.budgetUsd, budget_window: l.budgetWindow, budget_tokens: l.budgetTokens, rpm: l.rpm, tpm: l.tpm, max_parallel: l.maxParallel };
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('Manage data-plane API keys');

  keys.command('create')
    .description('Create an API key (printed once; only its hash is stored)')
    .requiredOption('--workspace <slug>', 'workspace slug (or org/workspace)')
    .option('--name <name>', 'a label for the key', 'api key')
    .option('--models <list>', 'comma-separated models (globs allowed) the key may use')
    .option('--expires-in <duration>', 'expiry such as 12h, 30d, 8w')
    .option('--budget-usd <usd>', 'hard spend cap of the key in USD')
    .option('--budget-window <window>', 'window of the budget: day, week, month (default) or total')
    .option('--budget-tokens <n>', 'hard cap of the key in tokens (input + output) over the same window')
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'tokens per minute (estimated at request time, settled to real usage)')
    .option('--max-parallel <n>', 'requests in flight at once')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace: string; name: string; models?: string; expiresIn?: string; json?: boolean } & LimitOptions) => {
      const limits = limitsFromOptions(opts);
      await withDatabase(async (pool, config) => {
        const workspace = await findWorkspace(pool, opts.workspace);
        const created = await createApiKey(pool, {
          workspace, name: opts.name,
          allowedModels: opts.models ? opts.models.split(',').map((m) => m.trim()).filter(Boolean) : null,
          expiresAt: opts.expiresIn ? parseDuration(opts.expiresIn) : null,
        });
        if (limits) {
          // A key must never exist without the limits asked for: revoke it if they cannot be stored.
          await setKeyLimits(pool, created.record.id, limits).catch(async (err: unknown) => {
            await revokeKey(pool, created.record.id).catch(() => undefined);
            throw err;
          });
        }
        // No key may exist unaudited: if the event cannot be recorded, the key is revoked again.
        await auditCliAction(config, {
          type: 'key.created', orgId: workspace.orgId, workspaceId: workspace.id, outcome: 'success',
          target: { type: 'api_key', id: created.record.id, label: created.record.name },
          details: { prefix: `gh_${created.record.lookupId}`, allowed_models: created.record.allowedModels, limits: limits ? (JSON.parse(JSON.stringify(limitsJson(limits))) as JsonValue) : null },
        }).catch(async (err: unknown) => {
          await revokeKey(pool, created.record.id).catch(() => undefined);
          throw new Error(`the key was not created: its audit event could not be recorded (${(err as Error).message})`);
        });
        await broadcastKeyChange(config, created.record.lookupId).catch(() => undefined);
        const out = {
          id: created.record.id, key: created.key, name: created.record.name,
          workspace: `${workspace.orgSlug}/${workspace.slug}`, allowed_models: created.record.allowedModels,
          expires_at: created.record.expiresAt ? new Date(created.record.expiresAt).toISOString() : null,
          limits: limitsJson(limits ?? NO_KEY_LIMITS),
        };
        if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
        else process.stdout.write(`Created key ${out.id} for ${out.workspace}.\n${out.key}\nStore it now: it is not shown again.\n`);
      });
    });

  keys.command('list')
    .description('List the keys of a workspace (never the keys themselves)')
    .requiredOption('--workspace <slug>', 'workspace slug (or org/workspace)')
    .option('--all', 'include revoked keys')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace: string; all?: boolean; json?: boolean }) => {
      await withDatabase(async (pool) => {
        const workspace = await findWorkspace(pool, opts.workspace);
        const rows = await listKeys(pool, workspace, opts.all === true);
        if (opts.json) return void process.stdout.write(JSON.stringify(rows) + '\n');
        for (const r of rows) {
          process.stdout.write(`${r.id}  ${r.prefix.padEnd(17)}  ${r.name}  ${r.revokedAt ? 'revoked ' + r.revokedAt : 'active'}\n`);
        }
      });
    });

  keys.command('revoke')
    .description('Revoke a key by id or prefix; every gateway instance stops accepting it at once')
    .argument('<id-or-prefix>', 'key id (uuid) or its prefix as listed (gh_XXXXXXXXXXXX)')
    .option('--workspace <slug>', 'only within this workspace')
    .action(async (ref: string, opts: { workspace?: string }) => {
      await withDatabase(async (pool, config) => {
        const workspace = opts.workspace ? await findWorkspace(pool, opts.workspace) : undefined;
        const lookupId = await revokeKey(pool, ref, workspace);
        if (!lookupId) throw new Error(`no key matches "${ref}"`);
        await broadcastKeyChange(config, lookupId);
        const record = await findKeyByLookupId(pool, lookupId);
        if (record) {
          await auditCliAction(config, {
            type: 'key.revoked', orgId: record.orgId, workspaceId: record.workspaceId, outcome: 'success',
            target: { type: 'api_key', id: record.id, label: record.name },
          });
        }
        process.stdout.write(`Revoked ${ref}.\n`);
      });
    });
}
