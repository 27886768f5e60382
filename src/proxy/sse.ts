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

// end() uncorks fully; afterwards the socket may already serve the connection's next response.
const uncork = (res: ServerResponse): void => {
  if (!res.writableEnded) res.uncork();
};

/**
 * Writes one frame, waiting for the socket to drain when the client reads slower than upstream sends.
 * Frames written in the same turn of the event loop (an upstream read usually carries several
 * chunks) leave in one write: the response is corked at the first and uncorked once the turn's
 * I/O callbacks and promise jobs are done (setImmediate) — no frame waits for a later read.
 * (Node's own cork lasts one process.nextTick, and the stream machinery between two upstream
 * chunks already crosses ticks, so without this each frame was a write of its own.)
 */
export async function writeFrame(res: ServerResponse, frame: string): Promise<void> {
  if (res.writableEnded || res.destroyed) return;
  if (res.writableCorked === 0) {
    res.cork();
    setImmediate(uncork, res);
  }
  if (!res.write(frame)) {
    await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
}

export const dataFrame = (json: string): string => `data: ${json}\n\n`;
export const eventFrame = (event: string, json: string): string => `event: ${event}\ndata: ${json}\n\n`;
