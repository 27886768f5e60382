/**
 * Provider-layer benchmark (a script, not a test): the mock provider on its own (autocannon), the OpenAI and
 * Anthropic adapters driving it in-process (canonical request → HTTP → canonical response), and the SSE parser.
 * Usage: npm run bench:providers [-- --seconds 5 --connections 50]
 */
import autocannon from 'autocannon';
import { startMockProvider } from '../../src/mock';
import { closeUpstreamPools, getAdapter, SSEParser, type ChatRequest, type EndpointTarget, type ProviderKind } from '../../src/providers';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : Number(args[i + 1]);
};
const SECONDS = opt('seconds', 5);
const CONNECTIONS = opt('connections', 50);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function cannon(title: string, url: string, body: unknown): Promise<void> {
  const r = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS, method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body: JSON.stringify(body),
  });
  console.log(`${title.padEnd(44)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   errors ${r.errors + r.non2xx}`);
}

async function adapterLoop(title: string, kind: ProviderKind, baseUrl: string, req: ChatRequest, stream: boolean): Promise<void> {
  const target: EndpointTarget = { id: 'bench', provider: kind, baseUrl, apiKey: 'bench', timeouts: { connectMs: 2000, firstByteMs: 5000, totalMs: 10000 } };
  const adapter = getAdapter(kind);
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      const t0 = process.hrtime.bigint();
      try {
        const call = { target, upstreamModel: 'demo-chat', signal: new AbortController().signal, requestId: 'bench' };
        if (stream) {
          for await (const _ of await adapter.chatStream(req, call)) void _;
        } else await adapter.chat(req, call);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const secs = (Date.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(`${title.padEnd(44)} ${(latencies.length / secs).toFixed(0).padStart(7)} req/s   p50 ${pct(latencies, 50).toFixed(2)} ms   p99 ${pct(latencies, 99).toFixed(2)} ms   errors ${errors}`);
}

function sseParserThroughput(): void {
  const frame = 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}\n\n';
  const payload = Buffer.from(frame.repeat(2000));
  const chunks: Buffer[] = [];
  for (let i = 0; i < payload.length; i += 1400) chunks.push(payload.subarray(i, i + 1400)); // TCP-sized pieces
  let events = 0;
  const rounds = 200;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const p = new SSEParser();
    const out: { event: string; data: string }[] = [];
    for (const c of chunks) {
      p.push(c, out);
      events += out.length;
      out.length = 0;
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${'SSE parser (1.4 KB pieces)'.padEnd(44)} ${((payload.length * rounds) / secs / 1e6).toFixed(0)} MB/s   ${(events / secs / 1e6).toFixed(2)} M events/s`);
}

async function main(): Promise<void> {
  const mock = await startMockProvider({ port: 0 });
  const chat: ChatRequest = { model: 'demo-chat', messages: [{ role: 'user', content: 'Hello, how are you today?' }] };
  console.log(`providers bench: ${CONNECTIONS} connections, ${SECONDS}s per run, node ${process.version}`);
  sseParserThroughput();
  await cannon('mock direct, OpenAI chat', `${mock.url}/v1/chat/completions`, chat);
  await cannon('mock direct, OpenAI chat stream', `${mock.url}/v1/chat/completions`, { ...chat, stream: true });
  await adapterLoop('openai adapter → mock, chat', 'openai', `${mock.url}/v1`, chat, false);
  await adapterLoop('openai adapter → mock, stream', 'openai', `${mock.url}/v1`, { ...chat, stream: true, stream_options: { include_usage: true } }, true);
  await adapterLoop('anthropic adapter → mock, chat', 'anthropic', `${mock.url}/anthropic/v1`, chat, false);
  await adapterLoop('anthropic adapter → mock, stream', 'anthropic', `${mock.url}/anthropic/v1`, { ...chat, stream: true }, true);
  await closeUpstreamPools();
  await mock.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
