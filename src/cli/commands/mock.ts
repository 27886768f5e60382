import type { Command } from 'commander';
import { parseFaultMap, startMockProvider, type FaultMap } from '../../mock';

interface MockOptions {
  port: string;
  host: string;
  apiKey?: string;
  faults?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer between 0 and 65535, got '${value}'`);
  return port;
}

/** `gatehouse mock-provider`: runs the deterministic mock LLM provider until interrupted. */
export function registerMockCommands(program: Command): void {
  program
    .command('mock-provider')
    .description('Run the mock LLM provider (OpenAI, Anthropic, Gemini and Azure formats; fault injection; request log)')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', process.env.GATEHOUSE_MOCK_PORT ?? '8081')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--api-key <key>', 'only accept this API key (default: any non-empty key)')
    .option('--faults <json>', 'initial fault map, e.g. \'{"/flaky":{"status":500,"times":2}}\'')
    .action(async (opts: MockOptions) => {
      let faults: FaultMap | undefined;
      if (opts.faults !== undefined) {
        try {
          faults = parseFaultMap(JSON.parse(opts.faults));
        } catch (err) {
          throw new Error(`--faults: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const mock = await startMockProvider({
        port: parsePort(opts.port),
        host: opts.host,
        ...(opts.apiKey !== undefined ? { expectedApiKey: opts.apiKey } : {}),
        ...(faults ? { faults } : {}),
      });
      process.stdout.write(
        `Gatehouse mock provider listening on ${mock.url}\n` +
          `  OpenAI:    ${mock.url}/v1/chat/completions, /v1/embeddings, /v1/models\n` +
          `  Anthropic: ${mock.url}/v1/messages (or ${mock.url}/anthropic/v1/messages)\n` +
          `  Gemini:    ${mock.url}/gemini/v1beta/models/<model>:generateContent\n` +
          `  Azure:     ${mock.url}/openai/deployments/<deployment>/chat/completions?api-version=…\n` +
          `  Models:    demo-chat, demo-echo (repeats its input), demo-embed\n` +
          `  Faults:    prefix /fail500, /fail429, /timeout, /cut, /fault/<spec>; header x-mock-fault; POST /__mock/faults\n` +
          `  Requests:  GET ${mock.url}/__mock/requests\n`,
      );
      const stop = (): void => {
        void mock.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
