/** HTTP plumbing shared by the data plane and the admin API. */
export { createHttpApp, type HttpAppOptions } from './app';
export { GatewayError, errorBody, badRequest, unauthorized, notFound, internalError, type ErrorShape, type GatewayErrorInit } from './errors';
export { readJsonBody } from './body';
export { newRequestId, requestIdFrom } from './request-id';
export { GatewayMetrics } from './metrics';
