import { Command } from 'commander';

/** A command group registers its subcommands on the root program. */
export type CommandRegistrar = (program: Command) => void;

// Each folder contributes its own commands; main only lists them.
// --- command registrars (one import per line) ---
import { registerWasmCommands } from './commands/wasm';
import { registerMockCommands } from './commands/mock';
import { registerOpsCommands } from './commands/ops';
import { registerKeysCommands } from './commands/keys';
import { registerPiiCommands } from './commands/pii';
import { registerTenantCommands } from './commands/tenants';
import { registerRegoCommands } from './commands/rego';
import { registerPolicyCommands } from './commands/policy';
import { registerSpendCommands } from './commands/spend';
import { registerAdminCommands } from './commands/admin';
import { registerSsoCommands } from './commands/sso';
import { registerMembersCommands } from './commands/members';
import { registerAuditCommands } from './commands/audit';
// --- end command registrars ---

const registrars: CommandRegistrar[] = [
  // --- registrar list ---
  registerWasmCommands,
  registerMockCommands,
  registerOpsCommands,
  registerKeysCommands,
  registerPiiCommands,
  registerTenantCommands,
  registerRegoCommands,
  registerPolicyCommands,
  registerSpendCommands,
  registerAdminCommands,
  registerSsoCommands,
  registerMembersCommands,
  registerAuditCommands,
  // --- end registrar list ---
];

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('gatehouse')
    .description('Gatehouse: AI governance and security gateway')
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander throws on --help/--version too; those are successful exits.
      if (err.exitCode === 0) process.exit(0);
      throw err;
    });
  for (const register of registrars) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
