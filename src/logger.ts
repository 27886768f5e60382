import pino, { type Logger } from 'pino';

/**
 * JSON logs via pino. API keys and prompt bodies are never logged: request logs carry ids,
 * and the redact list catches headers if a request object is ever logged by mistake.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'gatehouse' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["api-key"]', 'headers.authorization', 'headers["x-api-key"]', 'key', 'apiKey'],
      censor: '[redacted]',
    },
  }, destination ?? pino.destination({ sync: false }));
}

export type { Logger };
