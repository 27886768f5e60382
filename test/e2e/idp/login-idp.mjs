// A real OpenID Provider (oidc-provider) with a login page for the browser tests: Chromium types the
// e-mail and password into its form, as a user would at the company IdP. Runs as its own process
// (oidc-provider is ESM-only, jest runs CommonJS); prints {"url": ...} once listening.
// ACCOUNTS (env, JSON): [{ "email", "password", "groups": [...], "name"? }]; REDIRECT_URIS (env, JSON).
import { createServer } from 'node:http';
import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import Provider from 'oidc-provider';

const redirectUris = JSON.parse(process.env.REDIRECT_URIS ?? '[]');
const accounts = new Map(JSON.parse(process.env.ACCOUNTS ?? '[]').map((a) => [a.email.toLowerCase(), a]));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'e2e-key', use: 'sig', alg: 'RS256' };

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const loginPage = (uid, error) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example IdP — sign in</title></head>
<body><main><h1>Example IdP</h1><p>Sign in to continue to Gatehouse.</p>
${error ? `<p role="alert" id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="email">E-mail</label> <input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></main></body></html>`;

const sameSecret = (a, b) => {
  const x = Buffer.from(String(a)), y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
};

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'gatehouse', client_secret: 'gatehouse-secret', redirect_uris: redirectUris,
      response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['e2e-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const a = accounts.get(id);
      if (!a) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, email: a.email, email_verified: true, name: a.name ?? a.email, groups: a.groups ?? [] }) };
    },
    // Consent is implied (a first-party application): the grant is made on the spot.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile groups');
      grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const show = /^\/interaction\/([^/?]+)$/.exec((req.url ?? '').split('?')[0]);
      if (show && req.method === 'GET') {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name !== 'login') {
          await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
        return;
      }
      const login = /^\/interaction\/([^/?]+)\/login$/.exec(req.url ?? '');
      if (login && req.method === 'POST') {
        const details = await provider.interactionDetails(req, res);
        const form = await readForm(req);
        const account = accounts.get(String(form.email ?? '').toLowerCase());
        if (!account || !sameSecret(account.password, form.password ?? '')) {
          res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, 'Wrong e-mail or password.'));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: account.email.toLowerCase() } }, { mergeWithLastSubmission: false });
        return;
      }
      callback(req, res);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  process.stdout.write(JSON.stringify({ url: issuer }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
