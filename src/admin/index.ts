/**
 * The admin plane: console sign-in (/auth: OIDC, SAML, break-glass, logout), the admin API
 * (/admin/v1, OpenAPI at /admin/v1/openapi.json) and SCIM 2.0 (/scim/v2). The composition root
 * calls createAdminPlane and mounts its routers. Nothing else imports this folder.
 */
export { createAdminPlane, type AdminPlane, type AdminPlaneOptions } from './plane';
export { loadAdminConfig, type AdminConfig } from './config';
export { loggingAuditSink, type AuditSink } from './audit';
export { ADMIN_ROUTES } from './api-router';
export { buildOpenApiDocument } from './openapi';
export { API_KEY_SCOPES } from './routes/resources';
export { PLATFORM_ORG_ID } from './auth-routes';
export type { AdminRoute } from './routes/table';
