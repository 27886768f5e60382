import type { Command } from 'commander';
import { findWorkspace, listKeys, revokeKey } from '../../db';
import { createApiKey } from '../../identity';
import { broadcastKeyChange, withDatabase } from '../context';

function parseDuration(text: string): Date {
  const m = /^(\d+)([hdw])$/.exec(text);
  if (!m) throw new Error(`--expires-in takes a duration like 12h, 30d or 8w, got "${text}"`);
  const hours = Number(m[1]) * (m[2] === 'h' ? 1 : m[2] === 'd' ? 24 : 168);
  return new Date(Date.now() + hours * 3_600_000);
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('Manage data-plane API keys');

  keys.command('create')
    .description('Create an API key (printed once; only its hash is stored)')
    .requiredOption('--workspace <slug>', 'workspace slug (or org/workspace)')
    .option('--name <name>', 'a label for the key', 'api key')
    .option('--models <list>', 'comma-separated models (globs allowed) the key may use')
    .option('--expires-in <duration>', 'expiry such as 12h, 30d, 8w')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace: string; name: string; models?: string; expiresIn?: string; json?: boolean }) => {
      await withDatabase(async (pool, config) => {
        const workspace = await findWorkspace(pool, opts.workspace);
        const created = await createApiKey(pool, {
          workspace, name: opts.name,
          allowedModels: opts.models ? opts.models.split(',').map((m) => m.trim()).filter(Boolean) : null,
          expiresAt: opts.expiresIn ? parseDuration(opts.expiresIn) : null,
        });
        await broadcastKeyChange(config, created.record.lookupId).catch(() => undefined);
        const out = {
          id: created.record.id, key: created.key, name: created.record.name,
          workspace: `${workspace.orgSlug}/${workspace.slug}`, allowed_models: created.record.allowedModels,
          expires_at: created.record.expiresAt ? new Date(created.record.expiresAt).toISOString() : null,
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
        process.stdout.write(`Revoked ${ref}.\n`);
      });
    });
}
