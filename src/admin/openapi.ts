import { z } from 'zod';
import type { AdminRoute } from './routes/table';

type Json = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  try {
    const schema = z.toJSONSchema(type, { unrepresentable: 'any', io }) as Json;
    delete schema.$schema;
    return schema;
  } catch {
    return { type: 'object' };
  }
}

const ERROR_SCHEMA: Json = {
  type: 'object', required: ['error'],
  properties: { error: { type: 'object', required: ['message', 'type', 'code'], properties: { message: { type: 'string' }, type: { type: 'string' }, code: { type: 'string' }, param: { type: ['string', 'null'] } } } },
};

/** The admin API's OpenAPI 3.1 document, generated from the same route table that serves it. */
export function buildOpenApiDocument(routes: readonly AdminRoute[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = '/admin/v1' + route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: Json[] = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (route.query) {
      const q = schemaOf(route.query);
      for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, Json>)) parameters.push({ name, in: 'query', required: false, schema });
    }
    const responses: Json = {
      [String(route.status)]: route.status === 204 ? { description: 'Done' } : { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
      400: { $ref: '#/components/responses/Error' }, 401: { $ref: '#/components/responses/Error' },
      403: { $ref: '#/components/responses/Error' }, 404: { $ref: '#/components/responses/Error' },
    };
    const operation: Json = {
      operationId: `${route.method}${route.path.replace(/[/:-]+([a-zA-Z])/g, (_m, c: string) => c.toUpperCase())}`,
      summary: route.summary, tags: [route.tag], parameters, responses,
      ...(route.permission ? { 'x-gatehouse-permission': `${route.permission.action} ${route.permission.subject}` } : {}),
    };
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } };
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse admin API', version,
      description: 'Organisations, workspaces, members and roles, SSO, admin tokens, API keys, catalog and spend. '
        + 'Authenticate with `Authorization: Bearer gha_…` (admin API token) or the console session cookie; cookie-authenticated '
        + 'changes need the `x-csrf-token` header (GET /admin/v1/me returns it).',
    },
    servers: [{ url: '/' }],
    security: [{ adminToken: [] }, { session: [] }],
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'Admin API token (gha_…), scoped' },
        session: { type: 'apiKey', in: 'cookie', name: 'gatehouse_admin' },
      },
      schemas: { Error: ERROR_SCHEMA },
      responses: { Error: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
    },
    paths,
  };
}
