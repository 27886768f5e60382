/**
 * SSE frames written in one turn of the event loop leave the socket together; a frame written
 * later is not held back waiting for more.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dataFrame, startEventStream, writeFrame } from '../../../src/proxy/sse';

function serve(handler: (res: http.ServerResponse, writes: () => number) => Promise<void>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    const socket = res.socket as Socket & { _writev?: (...a: unknown[]) => void; _write: (...a: unknown[]) => void };
    let count = 0;
    // Count what reaches the socket's transport (each call is one write syscall), not the buffered write() calls.
    const origWritev = socket._writev!.bind(socket);
    const origWrite = socket._write.bind(socket);
    socket._writev = (...a: unknown[]) => { count++; origWritev(...a); };
    socket._write = (...a: unknown[]) => { count++; origWrite(...a); };
    void handler(res, () => count);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  })));
}

test('frames of one turn leave in one socket write; a later frame is sent without waiting for more', async () => {
  let writesAfterBurst = -1;
  let writesBeforeBurst = -1;
  const server = await serve(async (res, writes) => {
    startEventStream(res);
    await new Promise((r) => setTimeout(r, 20));
    writesBeforeBurst = writes();
    // As upstream chunks arrive: several per socket read, with stream ticks (process.nextTick) between them.
    for (let i = 0; i < 20; i++) {
      await writeFrame(res, dataFrame(JSON.stringify({ i })));
      await new Promise((r) => process.nextTick(r));
    }
    await new Promise((r) => setTimeout(r, 20));
    writesAfterBurst = writes();
    await writeFrame(res, dataFrame('"late"'));
    // The late frame must reach the client while the stream is still open.
    await new Promise((r) => setTimeout(r, 200));
    await writeFrame(res, 'data: [DONE]\n\n');
    res.end();
  });
  try {
    const received: Array<{ text: string; at: number }> = [];
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      http.get(server.url, (res) => {
        res.setEncoding('utf8');
        res.on('data', (text: string) => received.push({ text, at: Date.now() - started }));
        res.on('end', resolve);
      }).on('error', reject);
    });
    expect(writesAfterBurst - writesBeforeBurst).toBe(1);
    const all = received.map((r) => r.text).join('');
    expect(all.match(/^data: /gm)).toHaveLength(22);
    const late = received.find((r) => r.text.includes('"late"'))!;
    const done = received.find((r) => r.text.includes('[DONE]'))!;
    expect(late).not.toBe(done);
    expect(done.at - late.at).toBeGreaterThanOrEqual(150);
  } finally {
    await server.close();
  }
});
