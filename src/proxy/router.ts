import { Router } from 'express';
import type { IncomingMessage } from 'node:http';
import type { ErrorShape } from '../http';
import { handleMessages } from './anthropic-routes';
import { dataPlaneHandler } from './exchange';
import { handleChatCompletions, handleEmbeddings, handleListModels } from './openai-routes';
import type { DataPlaneServices } from './services';

/** The Anthropic SDK always sends anthropic-version; it gets Anthropic-shaped errors and listings. */
const shapeOf = (req: IncomingMessage): ErrorShape => (req.headers['anthropic-version'] ? 'anthropic' : 'openai');

/** The data-plane routes: OpenAI- and Anthropic-compatible, under /v1. */
export function createDataPlaneRouter(services: DataPlaneServices): Router {
  const router = Router();
  router.post('/v1/chat/completions', dataPlaneHandler(services, 'chat.completions', 'openai', (ex) => handleChatCompletions(ex, services)));
  router.post('/v1/embeddings', dataPlaneHandler(services, 'embeddings', 'openai', (ex) => handleEmbeddings(ex, services)));
  router.get('/v1/models', dataPlaneHandler(services, 'models', shapeOf, (ex) => handleListModels(ex, services)));
  router.post('/v1/messages', dataPlaneHandler(services, 'messages', 'anthropic', (ex) => handleMessages(ex, services)));
  return router;
}
