import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorShape } from '../http';
import { handleMessages } from './anthropic-routes';
import { dataPlaneHandler } from './exchange';
import { handleChatCompletions, handleEmbeddings, handleListModels } from './openai-routes';
import type { DataPlaneServices } from './services';

/** The Anthropic SDK always sends anthropic-version; it gets Anthropic-shaped errors and listings. */
const shapeOf = (req: IncomingMessage): ErrorShape => (req.headers['anthropic-version'] ? 'anthropic' : 'openai');

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The data-plane routes, keyed `METHOD path`: OpenAI- and Anthropic-compatible, under /v1. */
export function dataPlaneRoutes(services: DataPlaneServices): Map<string, RawHandler> {
  return new Map<string, RawHandler>([
    ['POST /v1/chat/completions', dataPlaneHandler(services, 'chat.completions', 'openai', (ex) => handleChatCompletions(ex, services))],
    ['POST /v1/embeddings', dataPlaneHandler(services, 'embeddings', 'openai', (ex) => handleEmbeddings(ex, services))],
    ['GET /v1/models', dataPlaneHandler(services, 'models', shapeOf, (ex) => handleListModels(ex, services))],
    ['POST /v1/messages', dataPlaneHandler(services, 'messages', 'anthropic', (ex) => handleMessages(ex, services))],
  ]);
}

/**
 * Dispatches data-plane requests by exact method and path before express, which would otherwise
 * double the per-request CPU of a relay (measured: 115 → 235 µs); everything else goes to `fallback`.
 */
export function dataPlaneDispatcher(routes: Map<string, RawHandler>, fallback: RawHandler): RawHandler {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const handler = routes.get(`${req.method} ${q === -1 ? url : url.slice(0, q)}`);
    if (handler) handler(req, res);
    else fallback(req, res);
  };
}
