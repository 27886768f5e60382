/**
 * Child-process entry: the mock provider on its own event loop, loaded from GATEHOUSE_BENCH_APP (compiled dist/ or
 * src/). Reports `{type: 'ready', url}` over IPC and stops on `{type: 'shutdown'}` or when the parent goes away.
 */
import { appModule, serveChild } from './child-protocol';

const { startMockProvider } = appModule<typeof import('../../../src/mock')>('mock');

serveChild(async () => {
  const mock = await startMockProvider({ port: 0, host: '127.0.0.1' });
  return { url: mock.url, close: () => mock.close() };
});
