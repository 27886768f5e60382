import type { Command } from 'commander';
import { findOrganisation, listWorkspaces, upsertOrganisation, upsertWorkspace } from '../../db';
import { loadCatalogSpecs } from '../../catalog';
import { auditCliAction, withDatabase } from '../context';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

function checkSlug(kind: string, slug: string): string {
  if (!SLUG.test(slug)) throw new Error(`${kind} slug "${slug}" must be lowercase letters, digits and dashes (max 63)`);
  return slug;
}

export function registerTenantCommands(program: Command): void {
  const orgs = program.command('orgs').description('Manage organisations');
  orgs.command('create')
    .argument('<slug>', 'organisation slug')
    .option('--name <name>', 'display name')
    .option('--json', 'print JSON')
    .action(async (slug: string, opts: { name?: string; json?: boolean }) => {
      await withDatabase(async (pool, config) => {
        const org = await upsertOrganisation(pool, checkSlug('organisation', slug), opts.name ?? slug);
        await auditCliAction(config, { type: 'org.created', orgId: org.id, outcome: 'success', target: { type: 'organisation', id: org.id, label: org.slug } });
        process.stdout.write(opts.json ? JSON.stringify(org) + '\n' : `Organisation ${org.slug} (${org.id})\n`);
      });
    });

  const workspaces = program.command('workspaces').description('Manage workspaces');
  workspaces.command('create')
    .argument('<org/slug>', 'organisation slug and workspace slug, e.g. acme/prod')
    .option('--name <name>', 'display name')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { name?: string; json?: boolean }) => {
      const [orgSlug, wsSlug] = ref.split('/');
      if (!orgSlug || !wsSlug) throw new Error('give the workspace as org/slug, e.g. acme/prod');
      await withDatabase(async (pool, config) => {
        const org = await findOrganisation(pool, orgSlug);
        const ws = await upsertWorkspace(pool, org, checkSlug('workspace', wsSlug), opts.name ?? wsSlug);
        await auditCliAction(config, { type: 'workspace.created', orgId: org.id, workspaceId: ws.id, outcome: 'success', target: { type: 'workspace', id: ws.id, label: `${org.slug}/${ws.slug}` } });
        process.stdout.write(opts.json ? JSON.stringify(ws) + '\n' : `Workspace ${ws.orgSlug}/${ws.slug} (${ws.id})\n`);
      });
    });
  workspaces.command('list')
    .option('--org <slug>', 'only this organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; json?: boolean }) => {
      await withDatabase(async (pool) => {
        const list = await listWorkspaces(pool, opts.org);
        if (opts.json) return void process.stdout.write(JSON.stringify(list) + '\n');
        for (const w of list) process.stdout.write(`${w.orgSlug}/${w.slug}  ${w.name}\n`);
      });
    });

  program.command('catalog')
    .description('Show the provider catalog (endpoints, models, prices, governance attributes)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (pool) => {
        const specs = await loadCatalogSpecs(pool);
        if (opts.json) return void process.stdout.write(JSON.stringify(specs, null, 2) + '\n');
        for (const e of specs) {
          const g = e.governance;
          const flag = (v: boolean | null): string => (v === null ? '?' : v ? 'yes' : 'no');
          process.stdout.write(`${e.id}  [${e.provider}] ${e.baseUrl}  jurisdiction=${g.jurisdiction ?? '?'} regions=${g.dataRegions?.join('+') ?? '?'} zdr=${flag(g.zeroDataRetention)} trains=${flag(g.trainsOnData)}\n`);
          for (const m of e.models) {
            const p = m.pricing;
            process.stdout.write(`    ${m.model.padEnd(32)} ${m.kind.padEnd(10)} in $${p.inputPerMTok ?? '?'} / out $${p.outputPerMTok ?? '?'} per 1M\n`);
          }
        }
      });
    });
}
