import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { currentPolicyData, findOrganisation, findWorkspace, insertPolicyData, type Pool } from '../../db';
import { policyDataJsonSchema, unknownEntityTypes, validatePolicyData, PolicyDataError } from '../../policy';
import type { GatewayConfig } from '../../config';
import { auditCliAction, publishToGateways, withDatabase } from '../context';

interface Scope { orgId: string; workspaceId: string | null; label: string }

async function resolveScope(pool: Pool, opts: { workspace?: string; org?: string }): Promise<Scope> {
  if (opts.workspace && opts.org) throw new Error('give either --workspace or --org, not both');
  if (opts.workspace) {
    const ws = await findWorkspace(pool, opts.workspace);
    return { orgId: ws.orgId, workspaceId: ws.id, label: `workspace ${ws.orgSlug}/${ws.slug}` };
  }
  if (opts.org) {
    const org = await findOrganisation(pool, opts.org);
    return { orgId: org.id, workspaceId: null, label: `organisation ${org.slug} (defaults)` };
  }
  throw new Error('give --workspace <slug> or --org <slug>');
}

/** Every gateway instance evicts its compiled policy for the scope at once. */
const broadcastPolicyChange = (config: GatewayConfig, scope: Scope): Promise<void> =>
  publishToGateways(config, 'policy:changed', `${scope.orgId}:${scope.workspaceId ?? '*'}`);

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('Workspace and organisation policy data');

  policy.command('set-data')
    .description('Validate and publish policy data (a new immutable version) for a workspace or organisation defaults')
    .argument('<file>', 'JSON file ("-" for stdin)')
    .option('--workspace <slug>', 'workspace slug (or org/workspace)')
    .option('--org <slug>', 'organisation defaults (workspaces can tighten, never loosen them)')
    .option('--author <name>', 'recorded as the version author', process.env.USER ?? 'cli')
    .action(async (file: string, opts: { workspace?: string; org?: string; author: string }) => {
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
      }
      let data;
      try {
        data = validatePolicyData(parsed);
      } catch (err) {
        if (err instanceof PolicyDataError) throw new Error(err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('\n  '));
        throw err;
      }
      for (const t of unknownEntityTypes(data)) process.stderr.write(`warning: no recognizer produces entity type ${t}\n`);
      await withDatabase(async (pool, config) => {
        const scope = await resolveScope(pool, opts);
        const version = await insertPolicyData(pool, scope.orgId, scope.workspaceId, data, opts.author);
        await auditCliAction(config, {
          type: 'policy.data_updated', orgId: scope.orgId, workspaceId: scope.workspaceId, outcome: 'success',
          target: { type: scope.workspaceId ? 'workspace_policy_data' : 'org_policy_data', id: scope.workspaceId ?? scope.orgId, label: scope.label },
          details: { version, author: opts.author },
        });
        await broadcastPolicyChange(config, scope).catch(() => undefined);
        process.stdout.write(`Published version ${version} of the policy data of ${scope.label}.\n`);
      });
    });

  policy.command('get-data')
    .description('Print the policy data in force for a workspace or organisation')
    .option('--workspace <slug>', 'workspace slug (or org/workspace)')
    .option('--org <slug>', 'organisation defaults')
    .action(async (opts: { workspace?: string; org?: string }) => {
      await withDatabase(async (pool) => {
        const scope = await resolveScope(pool, opts);
        const current = await currentPolicyData(pool, scope.orgId, scope.workspaceId);
        process.stdout.write(JSON.stringify(current ?? { version: 0, data: {} }, null, 2) + '\n');
      });
    });

  policy.command('schema')
    .description('Print the JSON Schema of policy data')
    .action(() => {
      process.stdout.write(JSON.stringify(policyDataJsonSchema(), null, 2) + '\n');
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
