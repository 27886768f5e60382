import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadWasmBundle, PolicyCompileError, PolicyEvalError, type WasmPreparedPolicy } from '../../policy';

/** Operator commands for OPA wasm bundles: check what a bundle offers, and evaluate it once. */
export function registerWasmCommands(program: Command): void {
  const wasm = program.command('wasm').description('Inspect and evaluate OPA wasm bundles (opa build -t wasm)');

  wasm
    .command('inspect')
    .description('Load a bundle (tar.gz, tar, directory or policy.wasm) and print its revision, roots and entrypoints')
    .argument('<bundle>', 'bundle.tar.gz, unpacked bundle directory or policy.wasm')
    .option('--json', 'print machine-readable JSON')
    .action(async (bundle: string, opts: { json?: boolean }) => {
      const policy = await load(bundle);
      const report = { ...policy.info, entrypoints: policy.entrypoints };
      if (opts.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const lines = [
        `revision:      ${report.revision || '(none)'}`,
        `roots:         ${report.roots.map((r) => r || '(all)').join(', ')}`,
        `entrypoints:   ${report.entrypoints.join(', ') || '(none)'}`,
        `modules:       ${report.modules.join(', ')}`,
        `host builtins: ${report.hostBuiltins.join(', ') || '(none)'}`,
        `rego sources:  ${report.regoFiles.length}`,
        `signatures:    ${report.signed ? 'present (not verified by Gatehouse)' : 'none'}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });

  wasm
    .command('eval')
    .description('Evaluate one entrypoint of a bundle; prints {"result": …}, or {} when the document is undefined')
    .argument('<bundle>', 'bundle.tar.gz, unpacked bundle directory or policy.wasm')
    .requiredOption('-e, --entrypoint <name>', 'entrypoint, e.g. gateway/decision')
    .option('-i, --input <file>', 'input JSON file ("-" for stdin)')
    .option('-d, --data <file>', 'extra data JSON merged over the bundle data')
    .action(async (bundle: string, opts: { entrypoint: string; input?: string; data?: string }) => {
      const data = opts.data === undefined ? undefined : await readJson(opts.data, 'data');
      const input = opts.input === undefined ? undefined : await readJson(opts.input, 'input');
      const policy = await load(bundle, data);
      try {
        const result = policy.evaluate(opts.entrypoint, input);
        process.stdout.write(JSON.stringify(result === undefined ? {} : { result }, null, 2) + '\n');
      } catch (err) {
        if (err instanceof PolicyEvalError) throw new Error(`evaluation failed: ${err.message}`);
        throw err;
      }
    });
}

async function load(bundle: string, data?: unknown): Promise<WasmPreparedPolicy> {
  try {
    return await loadWasmBundle({ kind: 'path', path: bundle }, { data });
  } catch (err) {
    if (err instanceof PolicyCompileError) throw new Error(`cannot load ${bundle}: ${err.message}`);
    throw err;
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((err: Error) => {
    throw new Error(`cannot read ${what} file ${file}: ${err.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
