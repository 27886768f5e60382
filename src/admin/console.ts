import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router, type Request, type RequestHandler, type Response } from 'express';

/**
 * Serves the web console (built by `npm run build:console` into dist/console) at /console.
 *
 * - `/console/assets/<name>-<hash>.<ext>`: content-hashed bundles, cached for a year (immutable).
 * - every other GET under /console: the single-page app's index.html (client-side routes), never
 *   cached, so a new build is picked up at the next navigation.
 * - visitors without a console session are sent to `/console/login` (the SPA's sign-in page, which
 *   starts SSO at /auth/login); `/console?org=<slug>` goes straight to that organisation's SSO.
 *
 * Every answer carries a strict Content-Security-Policy: scripts and styles only from this origin,
 * no inline code, no framing, API calls only to this origin. The one exception is a per-response
 * style nonce: CodeMirror injects its generated styles in <style> elements, which carry the nonce
 * (index.html hands it to the app in a meta tag); no script can use it.
 */

export interface ConsoleRouterOptions {
  /** The express-session middleware of the admin plane (to tell signed-in visitors apart). */
  session: RequestHandler;
  /** The built console; default GATEHOUSE_CONSOLE_DIR or <package root>/dist/console. */
  dir?: string;
}

/** The CSP of console answers; `styleNonce` is set on index.html answers only. */
export const consoleCsp = (styleNonce?: string): string => [
  "default-src 'none'",
  "script-src 'self'",
  styleNonce ? `style-src 'self' 'nonce-${styleNonce}'` : "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "manifest-src 'self'",
].join('; ');

/** Where the build leaves room for the nonce in index.html. */
export const NONCE_PLACEHOLDER = '__GATEHOUSE_STYLE_NONCE__';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
/** Asset names are produced by the build: a strict pattern keeps path tricks out. */
const ASSET_NAME = /^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9]{1,10}){1,2}$/;

/** The package root: the nearest folder above this file holding package.json (src/ under tests, dist/ when built). */
function packageRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function defaultConsoleDir(): string {
  return process.env.GATEHOUSE_CONSOLE_DIR ?? path.join(packageRoot(__dirname), 'dist', 'console');
}

function securityHeaders(res: Response): void {
  res.setHeader('content-security-policy', consoleCsp());
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function createConsoleRouter(options: ConsoleRouterOptions): Router {
  const dir = options.dir ?? defaultConsoleDir();
  const router = Router();
  // index.html is read once it exists; a missing build is looked for again at the next request.
  let index: string | null = null;
  const loadIndex = async (): Promise<string | null> => {
    index ??= await readFile(path.join(dir, 'index.html'), 'utf8').catch(() => null);
    return index;
  };

  router.use('/console', (req, res, next) => {
    securityHeaders(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      res.status(405).type('text/plain').send('Method not allowed');
      return;
    }
    next();
  });

  router.get('/console/assets/:file', (req: Request, res: Response) => {
    const file = String(req.params.file);
    const type = TYPES[path.extname(file)];
    if (!ASSET_NAME.test(file) || !type) return void res.status(404).type('text/plain').send('Not found');
    readFile(path.join(dir, 'assets', file)).then((body) => {
      res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      res.type(type).send(body);
    }, () => { res.status(404).type('text/plain').send('Not found'); });
  });

  // The SPA's pages. Only these answers need to know about the session.
  router.get(['/console', '/console/{*page}'], options.session, (req: Request, res: Response) => {
    void (async () => {
      res.setHeader('cache-control', 'no-cache');
      // A path with a file extension that is not an asset is a missing file, not a page.
      if (/\.[A-Za-z0-9]{1,8}$/.test(req.path)) return void res.status(404).type('text/plain').send('Not found');
      const signedIn = Boolean(req.session?.ref);
      const org = typeof req.query.org === 'string' && SLUG.test(req.query.org) ? req.query.org : null;
      if (!signedIn && org) {
        return void res.redirect(302, `/auth/login?org=${org}&return_to=${encodeURIComponent('/console/o/' + org)}`);
      }
      if (!signedIn && req.path !== '/console/login') {
        const next = req.originalUrl.startsWith('/console') ? req.originalUrl.slice(0, 1000) : '/console';
        return void res.redirect(302, `/console/login?next=${encodeURIComponent(next)}`);
      }
      const body = await loadIndex();
      if (!body) return void res.status(503).type('text/plain').send('The console is not built: run `npm run build:console`.');
      const nonce = randomBytes(18).toString('base64');
      res.setHeader('content-security-policy', consoleCsp(nonce));
      res.type('text/html; charset=utf-8').send(body.split(NONCE_PLACEHOLDER).join(nonce));
    })().catch(() => { if (!res.headersSent) res.status(500).type('text/plain').send('Internal error'); });
  });

  return router;
}

/** True when the built console is present (for diagnostics at start-up). */
export function consoleBuilt(dir = defaultConsoleDir()): boolean {
  try {
    return readFileSync(path.join(dir, 'index.html')).length > 0;
  } catch {
    return false;
  }
}
