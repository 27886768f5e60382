/**
 * Preloaded (`--require`) into Portkey's gateway so it runs as one of the benchmark's children without changing its
 * code: its server (which listens on all interfaces, on a port from the command line) is moved onto 127.0.0.1 and a
 * free port, and the benchmark is told the address over IPC like the other children (`{type: 'ready', url}`); it
 * also answers `stats` and `shutdown`. Portkey itself is started unchanged: `start-server.js --headless`.
 */
import net from 'node:net';
import { readOwnStats, type ChildMessage, type ParentMessage } from '../lib/child-protocol';

const send = (message: ChildMessage): void => void process.send?.(message);
const originalListen = net.Server.prototype.listen;
let claimed = false;

// Only the first server is Portkey's HTTP server (no other listens during its start).
net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]): net.Server {
  if (claimed) return originalListen.apply(this, args as Parameters<net.Server['listen']>);
  claimed = true;
  const callback = args.find((a): a is () => void => typeof a === 'function');
  this.once('listening', () => {
    const address = this.address() as net.AddressInfo;
    send({ type: 'ready', url: `http://127.0.0.1:${address.port}` });
  });
  this.once('error', (err: Error) => {
    send({ type: 'error', message: err.message });
    process.exit(1);
  });
  const listen = originalListen as (this: net.Server, port: number, host: string, cb?: () => void) => net.Server;
  return listen.call(this, 0, '127.0.0.1', callback);
};

process.on('message', (message: ParentMessage) => {
  if (message?.type === 'shutdown') process.exit(0);
  else if (message?.type === 'stats') send({ type: 'stats', stats: readOwnStats(message.gc === true) });
});
// The benchmark went away: never linger holding a port.
process.on('disconnect', () => process.exit(0));
