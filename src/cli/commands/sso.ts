import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { findOrganisation } from '../../db';
import { applySsoConfig, deleteSsoConnection, getSsoConnection, listGroupMappings, SecretBox, ssoConfigInput } from '../../identity';
import { withDatabase, auditCliAction } from '../context';

const list = (value: string | undefined): string[] => (value ? value.split(',').map((v) => v.trim()).filter(Boolean) : []);

/** `--map group=workspace:role` (or `group=owner`), repeatable. */
function parseMappings(values: string[]): Array<{ group: string; workspace: string | null; role: string }> {
  return values.map((v) => {
    const m = /^(.+)=(?:([a-z0-9][a-z0-9-]*):)?([a-z_]+)$/.exec(v);
    if (!m) throw new Error(`--map takes group=workspace:role or group=owner, got "${v}"`);
    return { group: m[1], workspace: m[2] ?? null, role: m[3] };
  });
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface CommonOpts { org: string; domains?: string; map: string[]; groupsAttribute?: string; jit: boolean; json?: boolean }

async function apply(opts: CommonOpts, protocolFields: Record<string, unknown>): Promise<void> {
  const input = ssoConfigInput.safeParse({
    ...protocolFields, email_domains: list(opts.domains), role_mappings: parseMappings(opts.map),
    ...(opts.groupsAttribute ? { groups_attribute: opts.groupsAttribute } : {}), jit: opts.jit,
  });
  if (!input.success) {
    const issue = input.error.issues[0];
    throw new Error(`${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  await withDatabase(async (pool, config) => {
    const org = await findOrganisation(pool, opts.org);
    const applied = await applySsoConfig(pool, await SecretBox.forInstance(pool), org, input.data);
    await auditCliAction(config, {
      type: 'sso.configured', orgId: org.id, outcome: 'success', target: { type: 'sso_connection', id: org.id, label: org.slug },
      details: { protocol: applied.sso.protocol, version: applied.version, mappings: applied.mappings.length },
    });
    const out = { org: org.slug, protocol: applied.sso.protocol, version: applied.version, settings: applied.sso.settings, mappings: applied.mappings.length, login_url: `/auth/login?org=${org.slug}` };
    if (opts.json) console.log(JSON.stringify(out));
    else console.log(`${org.slug}: ${out.protocol} SSO configured (version ${out.version}, ${out.mappings} group mappings); users sign in at ${out.login_url}`);
  });
}

export function registerSsoCommands(program: Command): void {
  const sso = program.command('sso').description('Single sign-on per organisation (OIDC or SAML)');

  sso.command('set-oidc')
    .description('Configure OIDC (authorization code + PKCE)')
    .requiredOption('--org <slug>', 'organisation')
    .requiredOption('--issuer <url>', 'issuer URL (discovery at /.well-known/openid-configuration)')
    .requiredOption('--client-id <id>', 'client id at the IdP')
    .option('--client-secret-env <name>', 'environment variable holding the client secret (kept sealed in the database)')
    .option('--scopes <list>', 'comma-separated scopes', 'openid,email,profile')
    .option('--domains <list>', 'e-mail domains that sign in here')
    .option('--groups-attribute <claim>', 'claim with the groups', 'groups')
    .option('--map <group=workspace:role>', 'group → role (repeatable; group=owner for owners)', collect, [])
    .option('--no-jit', 'only users created beforehand (SCIM, admin API) may sign in')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOpts & { issuer: string; clientId: string; clientSecretEnv?: string; scopes: string }) => {
      let secret: string | undefined;
      if (opts.clientSecretEnv) {
        secret = process.env[opts.clientSecretEnv];
        if (!secret) throw new Error(`environment variable ${opts.clientSecretEnv} is empty`);
      }
      await apply(opts, { protocol: 'oidc', issuer: opts.issuer, client_id: opts.clientId, ...(secret ? { client_secret: secret } : {}), scopes: list(opts.scopes) });
    });

  sso.command('set-saml')
    .description('Configure SAML 2.0 (signed assertions required)')
    .requiredOption('--org <slug>', 'organisation')
    .option('--metadata-file <path>', 'IdP metadata XML (entity id, SSO URL and signing certificates are read from it)')
    .option('--entry-point <url>', 'IdP SSO URL (HTTP-Redirect)')
    .option('--idp-issuer <entityId>', 'IdP entity id')
    .option('--idp-cert-file <path>', 'IdP signing certificate (PEM)')
    .option('--sp-entity-id <id>', 'our entity id at the IdP (default gatehouse:<org>)')
    .option('--email-attribute <name>', 'attribute with the e-mail', 'email')
    .option('--domains <list>', 'e-mail domains that sign in here')
    .option('--groups-attribute <name>', 'attribute with the groups', 'groups')
    .option('--map <group=workspace:role>', 'group → role (repeatable; group=owner for owners)', collect, [])
    .option('--no-jit', 'only users created beforehand (SCIM, admin API) may sign in')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOpts & { metadataFile?: string; entryPoint?: string; idpIssuer?: string; idpCertFile?: string; spEntityId?: string; emailAttribute: string }) => {
      await apply(opts, {
        protocol: 'saml',
        ...(opts.metadataFile ? { idp_metadata_xml: await readFile(opts.metadataFile, 'utf8') } : {}),
        ...(opts.entryPoint ? { entry_point: opts.entryPoint } : {}),
        ...(opts.idpIssuer ? { idp_issuer: opts.idpIssuer } : {}),
        ...(opts.idpCertFile ? { idp_certs: [await readFile(opts.idpCertFile, 'utf8')] } : {}),
        ...(opts.spEntityId ? { sp_entity_id: opts.spEntityId } : {}),
        email_attribute: opts.emailAttribute,
      });
    });

  sso.command('show').description('Show the SSO connection (never the client secret)').requiredOption('--org <slug>', 'organisation')
    .action(async (opts: { org: string }) => {
      await withDatabase(async (pool) => {
        const org = await findOrganisation(pool, opts.org);
        const c = await getSsoConnection(pool, org.id);
        if (!c) throw new Error(`${org.slug} has no SSO connection`);
        const mappings = await listGroupMappings(pool, org.id);
        console.log(JSON.stringify({ protocol: c.protocol, settings: c.settings, has_client_secret: c.secretSealed !== null, email_domains: c.emailDomains, groups_attribute: c.groupsAttribute, jit: c.jit, enabled: c.enabled, version: c.version, mappings }, null, 2));
      });
    });

  sso.command('remove').description('Remove the SSO connection').requiredOption('--org <slug>', 'organisation')
    .action(async (opts: { org: string }) => {
      await withDatabase(async (pool) => {
        const org = await findOrganisation(pool, opts.org);
        if (!(await deleteSsoConnection(pool, org.id))) throw new Error(`${org.slug} has no SSO connection`);
        console.log(`${org.slug}: SSO removed`);
      });
    });
}
