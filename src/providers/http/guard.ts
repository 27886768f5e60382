import type { UpstreamExchange } from './request';

/**
 * Makes `return()` on a not-yet-started generator still close the upstream exchange (a plain async generator
 * skips its `finally` when it never ran), so a caller that decides not to read a stream cannot leak a connection.
 */
export function closeOnReturn<T>(gen: AsyncGenerator<T, void, undefined>, ex: UpstreamExchange): AsyncGenerator<T, void, undefined> {
  const original = gen.return.bind(gen);
  gen.return = (value) => {
    ex.cancel();
    return original(value);
  };
  return gen;
}
