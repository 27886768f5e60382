// A real OpenID Provider (oidc-provider) on loopback for the SSO tests, run as its own process
// (oidc-provider is ESM-only and jest runs CommonJS). Prints {"url": ...} once listening.
// Test control: POST /__test/account {"id","email","groups"} chooses who logs in next at the IdP.
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const redirectUris = JSON.parse(process.env.REDIRECT_URIS ?? '[]');
const accounts = new Map();
let next = null;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

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
    cookies: { keys: ['test-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const a = accounts.get(id);
      if (!a) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, email: a.email, email_verified: true, name: a.name ?? a.email, groups: a.groups }) };
    },
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
      if (req.method === 'POST' && req.url === '/__test/account') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const account = JSON.parse(body);
        accounts.set(account.id, account);
        next = account.id;
        res.writeHead(204).end();
        return;
      }
      const m = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
      if (m && req.method === 'GET') {
        // The user "types the password": the chosen account logs in; consent comes from loadExistingGrant.
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          await provider.interactionFinished(req, res, { login: { accountId: next } }, { mergeWithLastSubmission: false });
        } else {
          await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
        }
        return;
      }
      callback(req, res);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  process.stdout.write(JSON.stringify({ url: issuer }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
