import type { Command } from 'commander';
import { isRole } from '../../authz';
import { findOrganisation, findWorkspace } from '../../db';
import { addMembership, ensureUser, findUserByEmail, isEmail, listMembers, removeMembership } from '../../identity';
import { withDatabase, auditCliAction } from '../context';

export function registerMembersCommands(program: Command): void {
  const members = program.command('members').description('Organisation owners and workspace roles');

  members.command('add')
    .description('Grant a role: owner (organisation-wide) or a workspace role with --workspace')
    .requiredOption('--org <slug>', 'organisation')
    .requiredOption('--email <email>', 'user e-mail (created when unknown)')
    .requiredOption('--role <role>', 'owner, admin, policy_author, policy_approver, auditor or developer')
    .option('--workspace <slug>', 'workspace (required for every role but owner)')
    .action(async (opts: { org: string; email: string; role: string; workspace?: string }) => {
      const role = opts.role;
      if (!isRole(role)) throw new Error(`unknown role "${role}"`);
      if (!isEmail(opts.email)) throw new Error(`"${opts.email}" is not an e-mail address`);
      if ((opts.role === 'owner') !== (opts.workspace === undefined)) throw new Error('owner takes no --workspace; every other role needs one');
      await withDatabase(async (pool, config) => {
        const org = await findOrganisation(pool, opts.org);
        const workspaceId = opts.workspace ? (await findWorkspace(pool, `${org.slug}/${opts.workspace}`)).id : null;
        const user = await ensureUser(pool, org.id, opts.email);
        const added = await addMembership(pool, { orgId: org.id, workspaceId, userId: user.id, role }, 'manual');
        if (added) {
          await auditCliAction(config, {
            type: 'member.added', orgId: org.id, workspaceId, outcome: 'success',
            target: { type: 'user', id: user.id, label: user.email }, details: { role },
          });
        }
        console.log(`${user.email}: ${opts.role}${opts.workspace ? ` in ${opts.workspace}` : ` of ${org.slug}`} ${added ? 'granted' : 'already held'}`);
      });
    });

  members.command('remove')
    .description('Withdraw a role')
    .requiredOption('--org <slug>', 'organisation')
    .requiredOption('--email <email>', 'user e-mail')
    .requiredOption('--role <role>', 'role')
    .option('--workspace <slug>', 'workspace (for workspace roles)')
    .action(async (opts: { org: string; email: string; role: string; workspace?: string }) => {
      const role = opts.role;
      if (!isRole(role)) throw new Error(`unknown role "${role}"`);
      await withDatabase(async (pool, config) => {
        const org = await findOrganisation(pool, opts.org);
        const workspaceId = opts.workspace ? (await findWorkspace(pool, `${org.slug}/${opts.workspace}`)).id : null;
        const user = await findUserByEmail(pool, org.id, opts.email);
        if (!user) throw new Error(`no user ${opts.email} in ${org.slug}`);
        const removed = await removeMembership(pool, { orgId: org.id, workspaceId, userId: user.id, role });
        if (removed === 0) throw new Error(`${opts.email} does not hold ${opts.role} there`);
        await auditCliAction(config, {
          type: 'member.removed', orgId: org.id, workspaceId, outcome: 'success',
          target: { type: 'user', id: user.id, label: user.email }, details: { role },
        });
        console.log(`${user.email}: ${opts.role} withdrawn`);
      });
    });

  members.command('list')
    .description('List roles in an organisation (or one workspace)')
    .requiredOption('--org <slug>', 'organisation')
    .option('--workspace <slug>', 'only this workspace')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; workspace?: string; json?: boolean }) => {
      await withDatabase(async (pool) => {
        const org = await findOrganisation(pool, opts.org);
        const workspaceId = opts.workspace ? (await findWorkspace(pool, `${org.slug}/${opts.workspace}`)).id : undefined;
        const rows = await listMembers(pool, org.id, workspaceId);
        const { rows: ws } = await pool.query<{ id: string; slug: string }>('SELECT id, slug FROM workspaces WHERE org_id = $1', [org.id]);
        const slug = new Map(ws.map((w) => [w.id, w.slug]));
        const out = rows.map((m) => ({ email: m.email, role: m.role, workspace: m.workspaceId ? slug.get(m.workspaceId) : null, sources: m.sources, active: m.active }));
        if (opts.json) console.log(JSON.stringify(out));
        else for (const m of out) console.log(`${m.email}\t${m.role}\t${m.workspace ?? '(organisation)'}\t${m.sources.join(',')}${m.active ? '' : '\tinactive'}`);
      });
    });
}
