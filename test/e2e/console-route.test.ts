/**
 * /console as served by src/admin/console.ts (no browser): security headers, the sign-in redirect
 * for visitors without a session, the SPA fallback, asset caching and refusals.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { NONCE_PLACEHOLDER, consoleCsp, createConsoleRouter } from '../../src/admin/console';

// Stands in for express-session: the header says whether the visitor has a console session.
const fakeSession: RequestHandler = (req, _res, next) => {
  (req as unknown as { session: unknown }).session = req.headers['x-test-session'] ? { ref: { kind: 'user', id: 'u', orgId: 'o' } } : {};
  next();
};

function built(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-console-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), `<!doctype html><meta name="gatehouse-style-nonce" content="${NONCE_PLACEHOLDER}"><div id="app"></div>`);
  writeFileSync(path.join(dir, 'assets', 'console-ABC123.js'), 'console.log(1)');
  return dir;
}

const app = (dir: string) => express().use(createConsoleRouter({ session: fakeSession, dir }));

test('a visitor without a session is sent to the sign-in page, keeping where they were going', async () => {
  const res = await request(app(built())).get('/console/o/acme/w/prod/keys?x=1').expect(302);
  expect(res.headers.location).toBe(`/console/login?next=${encodeURIComponent('/console/o/acme/w/prod/keys?x=1')}`);
  expect(res.headers['content-security-policy']).toBe(consoleCsp());
  const login = await request(app(built())).get('/console/login?next=%2Fconsole').expect(200);
  expect(login.text).toContain('<div id="app">');
});

test('/console?org=<slug> starts that organisation\'s single sign-on directly; a malformed slug does not', async () => {
  const res = await request(app(built())).get('/console?org=acme').expect(302);
  expect(res.headers.location).toBe(`/auth/login?org=acme&return_to=${encodeURIComponent('/console/o/acme')}`);
  const bad = await request(app(built())).get('/console?org=ACME%2F..').expect(302);
  expect(bad.headers.location).toMatch(/^\/console\/login\?next=/);
});

test('signed in, every console path answers the app (SPA fallback) with a strict CSP and no caching', async () => {
  const a = app(built());
  const nonces = new Set<string>();
  for (const p of ['/console', '/console/', '/console/o/acme/w/prod/policy']) {
    const res = await request(a).get(p).set('x-test-session', '1').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // A fresh style nonce per answer, the same in the CSP and in the page (for CodeMirror's <style> elements).
    const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(res.headers['content-security-policy'])![1];
    expect(res.text).toContain(`content="${nonce}"`);
    expect(res.text).not.toContain(NONCE_PLACEHOLDER);
    nonces.add(nonce);
  }
  expect(nonces.size).toBe(3);
  // A path with a file extension is a missing file, not a page.
  await request(a).get('/console/o/favicon.ico').set('x-test-session', '1').expect(404);
});

test('hashed assets are cached for a year; unknown or malformed names are 404; other methods 405', async () => {
  const a = app(built());
  const js = await request(a).get('/console/assets/console-ABC123.js').expect(200);
  expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(js.headers['content-type']).toMatch(/^text\/javascript/);
  await request(a).get('/console/assets/missing-XYZ.js').expect(404);
  await request(a).get('/console/assets/..%2Findex.html').expect(404);
  await request(a).get('/console/assets/console-ABC123.exe').expect(404);
  const post = await request(a).post('/console/o/acme').expect(405);
  expect(post.headers.allow).toBe('GET, HEAD');
});

test('without a build the console says how to make one (503), and picks the build up once it exists', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-console-none-'));
  const a = app(dir);
  const res = await request(a).get('/console').set('x-test-session', '1').expect(503);
  expect(res.text).toMatch(/npm run build:console/);
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  await request(a).get('/console').set('x-test-session', '1').expect(200);
});
