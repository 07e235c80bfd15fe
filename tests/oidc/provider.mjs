// A real OpenID provider (panva's certified oidc-provider) for Shelter's test suite, on loopback.
//
//   node provider.mjs [PORT] [--exit-with-stdin]
//     PORT 0 or absent: a free port. The first line on stdout is "LISTENING http://127.0.0.1:PORT",
//     which is also the issuer. The client is `shelter`; its secret is $OIDC_CLIENT_SECRET (or a
//     random one, shown by GET /_test/client). --exit-with-stdin: end when stdin closes (the test
//     process that started us died).
//
// It is NOT a mock: discovery, JWKS, authorization (with PKCE), token, userinfo and RP-initiated
// logout are oidc-provider's own. What this file adds, and only for tests:
//   - a plain login page (one field, `login` = the account's sub; no password), consent granted
//     without asking;
//   - a control API under /_test/ (JSON POST) to set accounts and redirect URIs, to alter the next
//     ID tokens (tamper), to rotate the signing key, to reset, and to count completed logouts.
// Never run it anywhere but on a test machine: the control API has no authentication.

import { randomBytes } from 'node:crypto';
import http from 'node:http';

import { exportJWK, generateKeyPair, importJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const CLIENT_ID = 'shelter';
const CLIENT_SECRET = process.env.OIDC_CLIENT_SECRET || randomBytes(24).toString('hex');
const COOKIE_KEY = randomBytes(24).toString('hex'); // kept across rebuilds: flows survive them
const TAMPER_MODES = new Set(['audience', 'expired', 'signature', 'issuer', 'nonce', 'none']);

// Everything the control API may change. The Provider is rebuilt from it whenever the client's
// URIs or the keys change (oidc-provider reads clients and keys once, at construction); its
// sessions, grants and codes live in its module-level memory adapter, so they survive a rebuild.
const NOWHERE = { redirectUris: ['http://127.0.0.1/callback'], postLogoutRedirectUris: [] };
const state = {
  accounts: new Map(), // sub -> {sub, email, email_verified, amr, acr, groups?}
  ...NOWHERE, // until a test allows its relying party's addresses
  originalKey: null, // the key the process started with; `reset` brings it back
  signingKeys: [], // private JWKs, the current one first; retired ones still verify hints
  tamper: null,
  logouts: 0,
};
let provider = null;
let providerHandler = null;
let strangerKey = null; // a key that is in no JWKS, for tamper "signature"

async function newSigningKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

// --- the provider's configuration -----------------------------------------------------------

async function findAccount(ctx, sub) {
  const account = state.accounts.get(sub);
  if (!account) return undefined;
  return {
    accountId: sub,
    async claims() {
      const claims = { sub, email: account.email, email_verified: account.email_verified };
      if (account.groups !== undefined) claims.groups = account.groups;
      return claims;
    },
  };
}

// Consent is never asked: the grant covers whatever the client asked for (a first-party client).
async function loadExistingGrant(ctx) {
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId,
    accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
  grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

function configuration() {
  return {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      // client_secret_post is accepted as well: oidc-provider lets a client registered for one
      // secret method authenticate with the other.
      token_endpoint_auth_method: 'client_secret_basic',
      response_types: ['code'],
      grant_types: ['authorization_code'],
      redirect_uris: state.redirectUris,
      post_logout_redirect_uris: state.postLogoutRedirectUris,
      id_token_signed_response_alg: 'RS256',
      require_auth_time: true,
    }],
    jwks: { keys: state.signingKeys },
    // Signed; Lax (the default SameSite=None is refused by browsers on plain http).
    cookies: {
      keys: [COOKIE_KEY],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    findAccount,
    loadExistingGrant,
    // acr, amr and auth_time come with openid itself, so every ID token carries them (by
    // default oidc-provider adds them only when the client asks for them); groups too, as from
    // an IdP configured to send the groups claim.
    claims: {
      sid: null,
      openid: ['sub', 'acr', 'amr', 'auth_time', 'groups'],
      email: ['email', 'email_verified'],
    },
    conformIdTokenClaims: false, // put email, groups in the ID token, not only at userinfo
    acrValues: ['urn:shelter:test:pwd', 'urn:shelter:test:mfa'],
    pkce: { required: () => true, methods: ['S256'] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource },
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Provider error</title><h1>${escape(out.error)}</h1>`
        + `<p>${escape(out.error_description || '')}</p>`;
    },
  };
}

// The logout confirmation: the real form of oidc-provider with its "yes", sent by itself (a tiny
// inline script), so a browser that reaches end_session is signed out without a click. Without
// script (requests in Python) the form is posted by the test helper.
async function logoutSource(ctx, form) {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head>
<body><h1>Signing out</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<script>var f=document.getElementById('op.logoutForm');var i=document.createElement('input');
i.type='hidden';i.name='logout';i.value='yes';f.appendChild(i);f.submit();</script>
</body></html>`;
}

function build(issuer) {
  provider = new Provider(issuer, configuration());
  provider.use(tamperTokenResponse);
  provider.use(publishCurrentKeyOnly);
  provider.on('end_session.success', () => { state.logouts += 1; });
  providerHandler = provider.callback();
}

// --- koa middleware on the provider app ------------------------------------------------------

// Alters the ID token in a successful token endpoint response, as state.tamper says.
async function tamperTokenResponse(ctx, next) {
  await next();
  if (!state.tamper || ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token) return;
  ctx.body = { ...ctx.body, id_token: await alter(ctx.body.id_token, state.tamper, ctx) };
}

// After a rotation only the current key is published; retired keys stay in the provider's own
// keystore so an id_token_hint signed before the rotation still ends its session.
async function publishCurrentKeyOnly(ctx, next) {
  await next();
  if (ctx.path !== '/jwks' || ctx.status !== 200 || !ctx.body?.keys) return;
  const current = state.signingKeys[0].kid;
  ctx.body = { keys: ctx.body.keys.filter((key) => key.kid === current) };
}

async function alter(idToken, mode, ctx) {
  const header = decodeProtectedHeader(idToken);
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = await importJWK(state.signingKeys[0], 'RS256');
  if (mode === 'audience') claims.aud = 'someone-else';
  if (mode === 'expired') Object.assign(claims, { iat: now - 1200, exp: now - 600 });
  if (mode === 'issuer') claims.iss = 'http://127.0.0.1:9/not-the-issuer';
  if (mode === 'nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  if (mode === 'signature') {
    strangerKey ??= (await generateKeyPair('RS256')).privateKey;
    key = strangerKey; // same kid below: only the signature check can notice
  }
  if (mode === 'none') {
    const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none' })}.${part(claims)}.`;
  }
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

// --- the login page ---------------------------------------------------------------------------

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, error) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><h1>Test provider</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Account</label> <input id="login" name="login" autocomplete="off" autofocus>
<button type="submit">Sign in</button></form></body></html>`;
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // loadExistingGrant grants whatever is asked, so no other prompt should come: say so loudly.
    return send(res, 500, { error: `unexpected prompt ${details.prompt.name}` });
  }
  if (req.method === 'GET' && !action) return send(res, 200, loginPage(uid), 'text/html');
  if (req.method !== 'POST' || action !== 'login') return send(res, 405, 'method not allowed');
  const sub = new URLSearchParams(await readBody(req)).get('login') || '';
  const account = state.accounts.get(sub);
  if (!account) return send(res, 200, loginPage(uid, 'No such account.'), 'text/html');
  const login = { accountId: sub, amr: account.amr, acr: account.acr };
  await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

// --- the control API (/_test/) -----------------------------------------------------------------

const control = {
  async accounts(body) {
    state.accounts = new Map(body.map((account) => [account.sub, {
      sub: account.sub,
      email: account.email,
      email_verified: account.email_verified ?? true,
      amr: account.amr ?? ['pwd'],
      acr: account.acr ?? 'urn:shelter:test:pwd',
      groups: account.groups,
    }]));
  },
  async redirect_uris(body, issuer) {
    state.redirectUris = body.redirect_uris;
    state.postLogoutRedirectUris = body.post_logout_redirect_uris;
    build(issuer);
  },
  async tamper(body) {
    if (body.mode !== null && !TAMPER_MODES.has(body.mode)) throw new Error(`tamper: ${body.mode}?`);
    state.tamper = body.mode;
  },
  async rotate(body, issuer) {
    state.signingKeys = [await newSigningKey(), ...state.signingKeys];
    build(issuer);
  },
  async reset(body, issuer) {
    Object.assign(state, { accounts: new Map(), tamper: null, logouts: 0, ...NOWHERE });
    state.signingKeys = [state.originalKey];
    build(issuer);
  },
};

async function controlRequest(req, res, name, issuer) {
  if (name === 'ended' && req.method === 'GET') return send(res, 200, { ended: state.logouts });
  if (name === 'client' && req.method === 'GET') {
    return send(res, 200, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  }
  if (!Object.hasOwn(control, name) || req.method !== 'POST') return send(res, 404, { error: name });
  try {
    await control[name](JSON.parse((await readBody(req)) || 'null'), issuer);
  } catch (err) {
    return send(res, 400, { error: String(err.message || err) });
  }
  return send(res, 200, { ok: true });
}

// --- plumbing ---------------------------------------------------------------------------------

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body, type = 'application/json') {
  const text = type === 'application/json' ? JSON.stringify(body) : body;
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(text);
}

async function main() {
  const args = process.argv.slice(2);
  const port = Number(args.find((arg) => /^\d+$/.test(arg)) || 0);
  state.originalKey = await newSigningKey();
  state.signingKeys = [state.originalKey];
  let issuer = null;
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, issuer).pathname;
    try {
      const test = path.match(/^\/_test\/([a-z_]+)$/);
      if (test) return await controlRequest(req, res, test[1], issuer);
      const step = path.match(/^\/interaction\/([A-Za-z0-9_-]+)(?:\/([a-z]+))?$/);
      if (step) return await interaction(req, res, step[1], step[2]);
      return providerHandler(req, res);
    } catch (err) {
      process.stderr.write(`${err.stack || err}\n`);
      if (!res.headersSent) send(res, 500, { error: String(err.message || err) });
    }
  });
  server.listen(port, '127.0.0.1', () => {
    issuer = `http://127.0.0.1:${server.address().port}`;
    build(issuer);
    process.stdout.write(`LISTENING ${issuer}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
  if (args.includes('--exit-with-stdin')) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
  }
}

main();
