import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ZodError, type z } from 'zod';
import { AccessDenied, abilityFor, type AppAbility, type Principal } from '../authz';
import { GatewayError, badRequest, errorBody, internalError, notFound, unauthorized } from '../http';
import type { Logger } from '../logger';

/** What the authentication middleware attaches to every admin request. */
export interface AdminContext {
  principal: Principal;
  ability: AppAbility;
  via: 'session' | 'token';
}

export function contextFor(principal: Principal, via: AdminContext['via']): AdminContext {
  return { principal, ability: abilityFor(principal), via };
}

export function adminContext(res: Response): AdminContext {
  const ctx = res.locals.admin as AdminContext | undefined;
  if (!ctx) throw unauthorized('Sign in or send an admin API token.', 'unauthenticated');
  return ctx;
}

export const forbidden = (message: string, code = 'forbidden'): GatewayError =>
  new GatewayError(message, { status: 403, type: 'permission_error', code });

export const conflict = (message: string, code = 'conflict'): GatewayError =>
  new GatewayError(message, { status: 409, type: 'invalid_request_error', code });

export const unavailable = (message: string, code = 'unavailable'): GatewayError =>
  new GatewayError(message, { status: 503, type: 'server_error', code });

export { badRequest, notFound, unauthorized };

/** Wraps an async handler so a rejection reaches the admin error handler. */
export function handler(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => { fn(req, res).catch(next); };
}

/** Parses input with a zod schema; the first problem becomes a 400 naming the field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.join('.');
  throw badRequest(path ? `${path}: ${issue.message}` : issue.message, path || null);
}

const PG_FAILURES: Record<string, (detail: string) => GatewayError> = {
  '23505': (d) => conflict(`already exists${d ? `: ${d}` : ''}`, 'duplicate'),
  '23503': () => conflict('a referenced object does not exist or is still in use', 'reference'),
  '23514': () => badRequest('a value is outside what is allowed', null, 'constraint'),
  '22P02': () => badRequest('a value has the wrong format', null, 'format'),
};

/** Admin errors: GatewayErrors as they are, access denials as 403, database constraints as 4xx, the rest as 500. */
export function adminErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let mapped: GatewayError;
    if (err instanceof GatewayError) mapped = err;
    else if (err instanceof ZodError) {
      const issue = err.issues[0];
      const path = issue?.path.join('.') ?? '';
      mapped = badRequest(path ? `${path}: ${issue.message}` : (issue?.message ?? 'invalid input'), path || null);
    } else if (err instanceof AccessDenied) mapped = forbidden(`Your role does not allow you to ${err.action} ${err.subjectName} here.`);
    else if ((err as { type?: string }).type === 'entity.parse.failed') mapped = badRequest('the body is not valid JSON', null, 'invalid_json');
    else if ((err as { type?: string }).type === 'entity.too.large') mapped = new GatewayError('the body is too large', { status: 413, type: 'invalid_request_error', code: 'body_too_large' });
    else if (typeof (err as { code?: unknown }).code === 'string' && PG_FAILURES[(err as { code: string }).code]) {
      mapped = PG_FAILURES[(err as { code: string }).code]((err as { detail?: string }).detail ?? '');
    } else {
      logger.error({ err, path: req.path }, 'admin request failed');
      mapped = internalError();
    }
    if (res.headersSent) return void res.end();
    for (const [name, value] of Object.entries(mapped.headers)) res.setHeader(name, value);
    res.status(mapped.status).json(errorBody(mapped, 'openai'));
  };
}

export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('cache-control', 'no-store');
  next();
}
