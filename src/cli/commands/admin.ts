import type { Command } from 'commander';
import { findOrganisation } from '../../db';
import { createLocalAdmin, hashPassword, listLocalAdmins, SecretBox, setLocalAdminDisabled, setLocalAdminPassword } from '../../identity';
import { withDatabase, auditCliAction } from '../context';

/** The password from --password-stdin (first line of stdin) or GATEHOUSE_ADMIN_PASSWORD; never from argv (it would sit in shell history and `ps`). */
async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
    if (!line) throw new Error('no password on stdin');
    return line;
  }
  const env = process.env.GATEHOUSE_ADMIN_PASSWORD;
  if (!env) throw new Error('pass the password with --password-stdin or the GATEHOUSE_ADMIN_PASSWORD environment variable');
  return env;
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Break-glass local administrators (for when SSO is unavailable; every use is audited)');

  admin.command('create')
    .description('Create a local administrator (scrypt password, optional TOTP)')
    .requiredOption('--username <name>', 'login name (lower-case letters, digits, . _ -)')
    .option('--org <slug>', 'organisation it owns; without it, a platform administrator (all organisations)')
    .option('--totp', 'require a TOTP code at login; prints the secret once')
    .option('--password-stdin', 'read the password from stdin (else GATEHOUSE_ADMIN_PASSWORD)')
    .option('--json', 'print JSON')
    .action(async (opts: { username: string; org?: string; totp?: boolean; passwordStdin?: boolean; json?: boolean }) => {
      const password = await readPassword(opts.passwordStdin);
      await withDatabase(async (pool, config) => {
        const orgId = opts.org ? (await findOrganisation(pool, opts.org)).id : null;
        const created = await createLocalAdmin(pool, await SecretBox.forInstance(pool), { username: opts.username, password, orgId, totp: Boolean(opts.totp) });
        // Platform administrators belong to no organisation's chain; their sign-ins are audited per organisation they act in.
        if (orgId) {
          await auditCliAction(config, {
            type: 'member.added', orgId, outcome: 'success', target: { type: 'local_admin', id: created.admin.id, label: created.admin.username },
            details: { break_glass: true, totp: Boolean(opts.totp) },
          });
        }
        const out = { id: created.admin.id, username: created.admin.username, org: opts.org ?? null, platform_admin: orgId === null, totp_secret: created.totp?.secret ?? null, totp_uri: created.totp?.uri ?? null };
        if (opts.json) console.log(JSON.stringify(out));
        else {
          console.log(`created ${orgId ? `owner of ${opts.org}` : 'platform administrator'} "${out.username}" (${out.id})`);
          if (created.totp) console.log(`TOTP secret (shown once): ${created.totp.secret}\n${created.totp.uri}`);
          console.log('sign in with POST /auth/local {"username","password"' + (created.totp ? ',"totp"' : '') + '}');
        }
      });
    });

  admin.command('list').description('List local administrators').option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (pool) => {
        const admins = await listLocalAdmins(pool);
        if (opts.json) console.log(JSON.stringify(admins));
        else for (const a of admins) console.log(`${a.username}\t${a.orgId ?? 'platform'}\t${a.totp ? 'totp' : 'password'}\t${a.disabled ? 'disabled' : 'active'}`);
      });
    });

  admin.command('set-password <username>').description('Set a new password (unlocks the account)')
    .option('--password-stdin', 'read the password from stdin (else GATEHOUSE_ADMIN_PASSWORD)')
    .action(async (username: string, opts: { passwordStdin?: boolean }) => {
      const hash = await hashPassword(await readPassword(opts.passwordStdin));
      await withDatabase(async (pool) => {
        if (!(await setLocalAdminPassword(pool, username, hash))) throw new Error(`no local admin "${username}"`);
        console.log(`password of ${username} changed`);
      });
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    admin.command(`${name} <username>`).description(`${name === 'disable' ? 'Disable' : 'Re-enable'} a local administrator`)
      .action(async (username: string) => {
        await withDatabase(async (pool) => {
          if (!(await setLocalAdminDisabled(pool, username, disabled))) throw new Error(`no local admin "${username}"`);
          console.log(`${username} ${disabled ? 'disabled' : 'enabled'}`);
        });
      });
  }
}
