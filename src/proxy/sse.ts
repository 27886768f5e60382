import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies (nginx) must not buffer the stream: first-token latency is the point of streaming.
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
}

/** Writes one frame, waiting for the socket to drain when the client reads slower than upstream sends. */
export async function writeFrame(res: ServerResponse, frame: string): Promise<void> {
  if (res.writableEnded || res.destroyed) return;
  if (!res.write(frame)) {
    await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
}

export const dataFrame = (json: string): string => `data: ${json}\n\n`;
export const eventFrame = (event: string, json: string): string => `event: ${event}\ndata: ${json}\n\n`;
