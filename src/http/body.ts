import type { IncomingMessage } from 'node:http';
import { GatewayError, badRequest } from './errors';

const tooLarge = (limit: number): GatewayError =>
  new GatewayError(`Request body exceeds the limit of ${limit} bytes.`, {
    status: 413, type: 'invalid_request_error', code: 'request_too_large',
  });

/**
 * The body never fully arrived: the server's request timeout cut a slow client off (Node already
 * answered 408 on the socket), or the client hung up. Either way not a gateway failure (no 500).
 */
function bodyNotReceived(req: IncomingMessage): GatewayError {
  const timedOut = (req.socket?.errored as { code?: string } | null | undefined)?.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  return timedOut
    ? new GatewayError('The request body did not arrive in time.', { status: 408, type: 'invalid_request_error', code: 'request_timeout' })
    : new GatewayError('The client closed the connection before sending the whole request.', {
      status: 499, type: 'invalid_request_error', code: 'client_closed_request',
    });
}

/**
 * Reads and parses a JSON object body with a hard size limit. Stops reading (and answers 413)
 * as soon as the limit is crossed, instead of buffering an attacker's gigabytes.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    // Destroyed before we got here (e.g. while the key was being looked up): no event will ever come.
    if (req.destroyed) {
      reject(bodyNotReceived(req));
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/(.+\+)?json\b/i.test(type)) {
      req.resume();
      reject(new GatewayError('Content-Type must be application/json.', {
        status: 415, type: 'invalid_request_error', code: 'unsupported_media_type',
      }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      if (!failed) { failed = true; reject(bodyNotReceived(req)); }
    });
    // Destroyed without an error (no 'end' either): settle rather than wait forever.
    req.on('close', () => {
      if (!failed && !req.complete) { failed = true; reject(bodyNotReceived(req)); }
    });
    req.on('end', () => {
      if (failed) return;
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      if (text.length === 0) return reject(badRequest('Request body is empty; a JSON object is required.', null, 'empty_body'));
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        return reject(badRequest(`Request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json'));
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return reject(badRequest('Request body must be a JSON object.', null, 'invalid_json'));
      }
      resolve(parsed as Record<string, unknown>);
    });
  });
}
