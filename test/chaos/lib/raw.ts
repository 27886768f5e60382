/**
 * Hand-written HTTP over a bare TCP socket, for what no HTTP client would send: headers or a body dripped one byte
 * at a time (slowloris), a body abandoned half-way, a declared length far above what is sent.
 */
import { connect, type Socket } from 'node:net';

export interface DripResult {
  /** The server closed the connection (or reset it) before we gave up. */
  closedByServer: boolean;
  /** What the server wrote back, as text (e.g. `HTTP/1.1 408 Request Timeout`). */
  response: string;
  /** Bytes we managed to drip before the server cut us off. */
  dripped: number;
}

/** `http://127.0.0.1:8080` → host and port. */
function target(origin: string): { host: string; port: number } {
  const url = new URL(origin);
  return { host: url.hostname, port: Number(url.port) };
}

function open(origin: string): Promise<Socket> {
  const { host, port } = target(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Sends `prefix` at once, then one byte of `drip` every `intervalMs` (cycling) until the server closes the
 * connection or `giveUpMs` passes. A server that lets this go on forever can be held by a handful of sockets.
 */
export async function drip(origin: string, prefix: string, dripText: string, intervalMs: number, giveUpMs: number): Promise<DripResult> {
  const socket = await open(origin);
  let response = '';
  let dripped = 0;
  let closed = false;
  socket.on('data', (d: Buffer) => {
    response += d.toString('latin1');
  });
  const ended = new Promise<void>((resolve) => {
    socket.once('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', () => undefined); // a reset counts as closed
  });
  socket.write(prefix);
  const timer = setInterval(() => {
    if (closed || socket.destroyed) return;
    socket.write(dripText[dripped % dripText.length]);
    dripped++;
  }, intervalMs);
  const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, giveUpMs));
  await Promise.race([ended, gaveUp]);
  clearInterval(timer);
  const result = { closedByServer: closed, response, dripped };
  socket.destroy();
  return result;
}

/**
 * Sends `head` and `partialBody`, then waits up to `waitMs` for an answer or the server closing; with
 * `hangUp`, the client disconnects right after sending instead (a request body cut mid-way).
 */
export async function partialRequest(
  origin: string, head: string, partialBody: string, options: { hangUp?: boolean; waitMs: number },
): Promise<{ response: string; closedByServer: boolean }> {
  const socket = await open(origin);
  let response = '';
  let closed = false;
  socket.on('data', (d: Buffer) => {
    response += d.toString('latin1');
  });
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => {
    closed = true;
    resolve();
  }));
  socket.write(head + partialBody);
  if (options.hangUp) {
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    return { response, closedByServer: false };
  }
  await Promise.race([ended, new Promise((r) => setTimeout(r, options.waitMs))]);
  const result = { response, closedByServer: closed };
  socket.destroy();
  return result;
}

/** The request line and headers of a POST with a declared body length. */
export function postHead(path: string, headers: Record<string, string>, contentLength: number): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: gateway', `Content-Length: ${contentLength}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The status code at the start of a raw response, or null. */
export const statusOf = (response: string): number | null => {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return m ? Number(m[1]) : null;
};
