// OAuth 2.0 over real HTTP: every grant through POST /services/oauth2/token, every error pair, token shape,
// identity URL and userinfo, expiry -> 401 INVALID_SESSION_ID -> refresh -> works
// (shared/reference/bulk-api-2.md §1, §8).
import t from 'tap';
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { API, withEmulator, type Harness } from '../helpers/emulator.js';

const CLIENT = { client_id: 'emulator-client', client_secret: 'emulator-secret' };
const USER = { username: 'admin@emulator.local', password: 'emulator' };
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_SHAPE = /^00D[a-zA-Z0-9]{12}![A-Za-z0-9_.]+$/;

interface TokenAnswer {
  status: number;
  body: any;
  headers: Headers;
}

async function token(h: Harness, form: Record<string, string>): Promise<TokenAnswer> {
  const res = await fetch(`${h.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** A REST call with an explicit token: the status (and body). */
async function restWith(h: Harness, accessToken: string, path = 'limits'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${h.url}/services/data/${API}/${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return { status: res.status, body: await res.json() };
}

async function orgAndUser(h: Harness): Promise<{ orgId: string; userId: string }> {
  const info = (await h.json('/services/oauth2/userinfo')).body;
  return { orgId: info.organization_id, userId: info.user_id };
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function jwt(claims: Record<string, unknown>, key: KeyObject, alg = 'RS256'): string {
  const input = `${b64url({ alg })}.${b64url(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

t.test('client_credentials: Salesforce answer, token shape, signature, a working session', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const { orgId, userId } = await orgAndUser(h);
  const r = await token(h, { grant_type: 'client_credentials', ...CLIENT });
  t.equal(r.status, 200);
  t.match(r.headers.get('content-type') ?? '', /^application\/json/);
  t.match(r.headers.get('cache-control') ?? '', /no-store/, 'token answers are not cached');
  const b = r.body;
  t.match(b.access_token, TOKEN_SHAPE, 'access token looks like a session id (00D…!…)');
  t.equal(b.access_token.slice(0, 15), orgId.slice(0, 15), 'the token starts with the 15-character org id');
  t.equal(b.instance_url, h.url);
  t.equal(b.id, `${h.url}/id/${orgId}/${userId}`, 'id = {login_url}/id/<org>/<user>');
  t.equal(b.token_type, 'Bearer');
  t.match(b.issued_at, /^\d{13}$/, 'issued_at: epoch milliseconds as a string');
  t.ok(Math.abs(Number(b.issued_at) - Date.now()) < 60_000, 'issued_at is now');
  t.equal(b.signature, createHmac('sha256', CLIENT.client_secret).update(b.id + b.issued_at).digest('base64'), 'signature = HMAC-SHA256(id + issued_at) with the secret');
  t.notOk('refresh_token' in b, 'no refresh token');
  t.equal((await restWith(h, b.access_token)).status, 200, 'the token works on REST');
  const other = await token(h, { grant_type: 'client_credentials', ...CLIENT });
  t.not(other.body.access_token, b.access_token, 'every grant issues a new token');
  t.equal((await restWith(h, b.access_token)).status, 200, 'older tokens stay valid');
});

t.test('token endpoint error pairs over HTTP', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const cases: [string, Record<string, string>, number, string, string][] = [
    ['unknown client id', { grant_type: 'client_credentials', client_id: 'nope', client_secret: CLIENT.client_secret }, 400, 'invalid_client_id', 'client identifier invalid'],
    ['missing client id', { grant_type: 'password', ...USER }, 400, 'invalid_client_id', 'client identifier invalid'],
    ['wrong client secret', { grant_type: 'client_credentials', client_id: CLIENT.client_id, client_secret: 'wrong' }, 400, 'invalid_client', 'invalid client credentials'],
    ['missing client secret (client credentials)', { grant_type: 'client_credentials', client_id: CLIENT.client_id }, 400, 'invalid_client', 'invalid client credentials'],
    ['unsupported grant type', { grant_type: 'authorization_code', ...CLIENT, code: 'x' }, 400, 'unsupported_grant_type', 'grant type not supported'],
    ['missing grant type', { ...CLIENT }, 400, 'unsupported_grant_type', 'grant type not supported'],
    ['wrong password', { grant_type: 'password', ...CLIENT, username: USER.username, password: 'wrong' }, 400, 'invalid_grant', 'authentication failure'],
    ['unknown user', { grant_type: 'password', ...CLIENT, username: 'nobody@emulator.local', password: USER.password }, 400, 'invalid_grant', 'authentication failure'],
    ['missing password', { grant_type: 'password', ...CLIENT, username: USER.username }, 400, 'invalid_request', 'missing required parameter: password'],
    ['unknown refresh token', { grant_type: 'refresh_token', ...CLIENT, refresh_token: '5Aep861nope' }, 400, 'invalid_grant', 'expired access/refresh token'],
    ['missing refresh token', { grant_type: 'refresh_token', ...CLIENT }, 400, 'invalid_request', 'missing required parameter: refresh_token'],
    ['missing assertion', { grant_type: JWT_GRANT }, 400, 'invalid_request', 'missing required parameter: assertion'],
    ['garbage assertion', { grant_type: JWT_GRANT, assertion: 'not.a.jwt' }, 400, 'invalid_grant', 'invalid assertion'],
  ];
  for (const [what, form, status, error, description] of cases) {
    const r = await token(h, form);
    t.equal(r.status, status, `${what}: status`);
    t.same(r.body, { error, error_description: description }, `${what}: ${error} / ${description}`);
  }
  const get = await fetch(`${h.url}/services/oauth2/token`);
  t.equal(get.status, 405, 'GET on the token endpoint is refused');
  await get.arrayBuffer();
});

t.test('password grant, with and without a security token', async (t) => {
  await t.test('no security token configured', async (t) => {
    const h = await withEmulator(t, { seed: 'empty' });
    const r = await token(h, { grant_type: 'password', ...CLIENT, ...USER });
    t.equal(r.status, 200);
    t.match(r.body.access_token, TOKEN_SHAPE);
    t.notOk('refresh_token' in r.body, 'the password grant returns no refresh_token');
    t.equal((await restWith(h, r.body.access_token)).status, 200);
    const upper = await token(h, { grant_type: 'password', ...CLIENT, username: USER.username.toUpperCase(), password: USER.password });
    t.equal(upper.status, 200, 'usernames are case-insensitive');
  });
  await t.test('securityToken option: the token is appended to the password', async (t) => {
    const h = await withEmulator(t, { seed: 'empty', securityToken: 'SecTok42' });
    const bare = await token(h, { grant_type: 'password', ...CLIENT, ...USER });
    t.equal(bare.status, 400);
    t.same(bare.body, { error: 'invalid_grant', error_description: 'authentication failure' }, 'the password alone fails');
    const wrong = await token(h, { grant_type: 'password', ...CLIENT, username: USER.username, password: `${USER.password}SecTok43` });
    t.same(wrong.body, { error: 'invalid_grant', error_description: 'authentication failure' }, 'a wrong security token fails');
    const ok = await token(h, { grant_type: 'password', ...CLIENT, username: USER.username, password: `${USER.password}SecTok42` });
    t.equal(ok.status, 200, 'password + security token works');
    t.equal((await restWith(h, ok.body.access_token)).status, 200);
  });
});

t.test('refresh_token grant: pre-issued (refreshTokens) and minted (POST /__emulator/refresh-tokens)', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', refreshTokens: ['5Aep861PreIssuedRefreshToken'] });
  const pre = await token(h, { grant_type: 'refresh_token', ...CLIENT, refresh_token: '5Aep861PreIssuedRefreshToken' });
  t.equal(pre.status, 200);
  t.match(pre.body.access_token, TOKEN_SHAPE);
  t.notOk('refresh_token' in pre.body, 'no refresh_token in the answer without rotation');
  t.equal(pre.body.token_type, 'Bearer');
  t.equal((await restWith(h, pre.body.access_token)).status, 200);
  const again = await token(h, { grant_type: 'refresh_token', ...CLIENT, refresh_token: '5Aep861PreIssuedRefreshToken' });
  t.equal(again.status, 200, 'a refresh token is reusable');
  const noSecret = await token(h, { grant_type: 'refresh_token', client_id: CLIENT.client_id, refresh_token: '5Aep861PreIssuedRefreshToken' });
  t.equal(noSecret.status, 200, 'client_secret is optional for the refresh grant');
  const badSecret = await token(h, { grant_type: 'refresh_token', client_id: CLIENT.client_id, client_secret: 'nope', refresh_token: '5Aep861PreIssuedRefreshToken' });
  t.same(badSecret.body, { error: 'invalid_client', error_description: 'invalid client credentials' }, 'but a wrong one is refused');

  const minted = await h.admin<{ refresh_token: string }>('/refresh-tokens', { method: 'POST', body: '{}' });
  t.match(minted.refresh_token, /^5Aep861[A-Za-z0-9_.]+$/, 'minted refresh tokens look like Salesforce ones');
  const m = await token(h, { grant_type: 'refresh_token', ...CLIENT, refresh_token: minted.refresh_token });
  t.equal(m.status, 200);
  t.equal((await restWith(h, m.body.access_token)).status, 200);
});

t.test('JWT bearer with a key pair made here', async (t) => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const h = await withEmulator(t, { seed: 'empty', jwtPublicKeys: [pair.publicKey] });
  const { orgId, userId } = await orgAndUser(h);
  const now = Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({ iss: CLIENT.client_id, sub: USER.username, aud: h.url, exp: now + 170, ...over });
  const grant = (assertion: string) => token(h, { grant_type: JWT_GRANT, assertion });

  for (const aud of [h.url, 'https://login.salesforce.com', 'https://test.salesforce.com']) {
    const r = await grant(jwt(claims({ aud }), pair.privateKey));
    t.equal(r.status, 200, `aud ${aud} accepted`);
    t.match(r.body.access_token, TOKEN_SHAPE);
    t.same(Object.keys(r.body).sort(), ['access_token', 'id', 'instance_url', 'scope', 'token_type'], 'no issued_at, signature or refresh_token');
    t.equal(r.body.id, `${h.url}/id/${orgId}/${userId}`);
    t.equal((await restWith(h, r.body.access_token)).status, 200);
  }
  const refusals: [string, string, string, string][] = [
    ['signed by an unknown key', jwt(claims(), stranger.privateKey), 'invalid_grant', 'invalid assertion'],
    ['iss is not the client id', jwt(claims({ iss: 'someone-else' }), pair.privateKey), 'invalid_client_id', 'client identifier invalid'],
    ['wrong audience', jwt(claims({ aud: 'https://example.com' }), pair.privateKey), 'invalid_grant', 'audience is invalid'],
    ['expired', jwt(claims({ exp: now - 10 }), pair.privateKey), 'invalid_grant', 'expired authorization code'],
    ['sub is not the user', jwt(claims({ sub: 'nobody@emulator.local' }), pair.privateKey), 'invalid_grant', "user hasn't approved this consumer"],
    ['alg none', `${b64url({ alg: 'none' })}.${b64url(claims())}.`, 'invalid_grant', 'invalid assertion'],
  ];
  for (const [what, assertion, error, description] of refusals) {
    const r = await grant(assertion);
    t.equal(r.status, 400, `${what}: status`);
    t.same(r.body, { error, error_description: description }, `${what}: ${error} / ${description}`);
  }
});

t.test('identity URL and userinfo', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const r = await token(h, { grant_type: 'client_credentials', ...CLIENT });
  const idUrl: string = r.body.id;
  const auth = { Authorization: `Bearer ${r.body.access_token}` };
  const res = await fetch(idUrl, { headers: auth });
  t.equal(res.status, 200, 'GET of the id URL');
  const id = (await res.json()) as any;
  const [org, user] = idUrl.split('/').slice(-2);
  t.equal(id.id, idUrl);
  t.equal(id.user_id, user);
  t.equal(id.organization_id, org);
  t.equal(id.username, USER.username, 'the identity service names the user "username"');
  t.type(id.email, 'string');
  for (const k of ['rest', 'sobjects', 'query']) t.match(id.urls[k], `${h.url}/services/data/v{version}/`, `urls.${k} templated on {version}`);

  const ui = await fetch(`${h.url}/services/oauth2/userinfo`, { headers: auth });
  t.equal(ui.status, 200);
  const info = (await ui.json()) as any;
  t.equal(info.user_id, user);
  t.equal(info.organization_id, org);
  t.equal(info.preferred_username, USER.username);
  t.type(info.email, 'string');
  t.equal(info.sub, idUrl);
  for (const k of ['rest', 'sobjects', 'query']) t.match(info.urls[k], `${h.url}/services/data/v{version}/`, `userinfo urls.${k}`);
  const withVersion = (await (await fetch(`${idUrl}?version=62.0`, { headers: auth })).json()) as any;
  t.equal(withVersion.urls.rest, `${h.url}/services/data/v62.0/`, 'a version parameter fills the {version} template', {});

  const user2 = await (await fetch(`${h.url}/services/data/${API}/sobjects/User/${user}`, { headers: auth })).json() as any;
  t.equal(user2.Username, USER.username, 'the user record behind the id');

  const anon = await fetch(idUrl);
  t.equal(anon.status, 401, 'the id URL needs a token');
  t.same(await anon.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  const wrong = await fetch(`${h.url}/id/${org}/005000000000001AAA`, { headers: auth });
  t.equal(wrong.status, 403, 'another user id is refused');
  await wrong.arrayBuffer();
});

t.test('tokenTtlSeconds: expiry -> 401 INVALID_SESSION_ID -> refresh -> works', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', tokenTtlSeconds: 7200, refreshTokens: ['5Aep861ExpiryTestToken'] });
  const first = await token(h, { grant_type: 'refresh_token', ...CLIENT, refresh_token: '5Aep861ExpiryTestToken' });
  t.equal((await restWith(h, first.body.access_token)).status, 200, 'fresh token works');
  const ui = await fetch(`${h.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${first.body.access_token}` } });
  t.equal(ui.status, 200);
  await ui.arrayBuffer();
  await h.advanceClock(7200);
  const expired = await restWith(h, first.body.access_token);
  t.equal(expired.status, 401);
  t.same(expired.body, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  const bulk = await fetch(`${h.url}/services/data/${API}/jobs/ingest`, { headers: { Authorization: `Bearer ${first.body.access_token}` } });
  t.equal(bulk.status, 401, 'Bulk endpoints too');
  await bulk.arrayBuffer();
  const expiredInfo = await fetch(`${h.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${first.body.access_token}` } });
  t.equal(expiredInfo.status, 401, 'and userinfo');
  await expiredInfo.arrayBuffer();
  const again = await token(h, { grant_type: 'refresh_token', ...CLIENT, refresh_token: '5Aep861ExpiryTestToken' });
  t.equal(again.status, 200, 'the refresh token outlives the access token');
  t.not(again.body.access_token, first.body.access_token);
  t.equal((await restWith(h, again.body.access_token)).status, 200, 'the refreshed session works');
});
