/**
 * Child-process entry: the mock provider on its own event loop. Reports `{type: 'ready', url}` over IPC and stops
 * on `{type: 'shutdown'}` or when the parent goes away.
 */
import { startMockProvider } from '../../../src/mock';
import { serveChild } from './child-protocol';

serveChild(async () => {
  const mock = await startMockProvider({ port: 0, host: '127.0.0.1' });
  return { url: mock.url, close: () => mock.close() };
});
