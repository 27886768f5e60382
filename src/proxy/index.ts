/** The data plane: OpenAI- and Anthropic-compatible routes and the request pipeline. */
export { dataPlaneRoutes, dataPlaneDispatcher, type RawHandler } from './router';
export type { DataPlaneServices } from './services';
export { workspaceHashKeys, type GovernanceServices } from './governance';
