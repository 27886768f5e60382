import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EndpointTarget, ProviderKind, UpstreamCall } from '../../../src/providers';

export function target(provider: ProviderKind, baseUrl: string, extra: Partial<EndpointTarget> = {}): EndpointTarget {
  return {
    id: `test-${provider}`,
    provider,
    baseUrl,
    apiKey: 'test-key',
    timeouts: { connectMs: 1_000, firstByteMs: 2_000, totalMs: 5_000 },
    ...extra,
  };
}

export function call(t: EndpointTarget, upstreamModel = 'demo-chat', signal: AbortSignal = new AbortController().signal): UpstreamCall {
  return { target: t, upstreamModel, signal, requestId: 'req-test-1' };
}

/** A throwaway real HTTP server for responses the mock does not produce (garbage bodies, odd streams). */
export async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function waitFor(cond: () => boolean, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
