// The token endpoint: each grant succeeds with Salesforce's answer shape, and each failure gives
// Salesforce's exact {error, error_description} pair.
import { createHmac } from 'node:crypto';
import t from 'tap';
import { OAUTH_ERRORS, type AuthOptions, type HttpAnswer } from '../../src/emulator/auth/index.js';
import { authService, LOGIN, ORG, USER, type AuthFixtureOptions } from './auth-fixture.js';

const TOKEN_SHAPE = /^00D[a-zA-Z0-9]{12}![A-Za-z0-9_.]+$/;

function service(over: AuthFixtureOptions = {}, app: Partial<AuthOptions['app']> = {}) {
  return authService({
    app: { clientId: '3MVG9test.client', clientSecret: 's3cr3t', ...app },
    credentials: { password: 'pa55word', securityToken: 'TOKEN123' },
    tokenTtlSeconds: 7200,
    refreshTokens: ['5Aep861preissued.refresh.token'],
    ...over,
  });
}

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

type Body = Record<string, string>;
const body = (a: HttpAnswer): Body => a.body as Body;

const cc = { grant_type: 'client_credentials', client_id: '3MVG9test.client', client_secret: 's3cr3t' };
const pw = { grant_type: 'password', client_id: '3MVG9test.client', client_secret: 's3cr3t', username: 'admin@emulator.example', password: 'pa55wordTOKEN123' };

/** The parts of an error answer a client sees. */
function failure(a: HttpAnswer): unknown {
  return { status: a.status, json: /^application\/json/.test(a.headers?.['Content-Type'] ?? ''), body: a.body };
}
function expected(pair: { error: string; error_description: string }): unknown {
  return { status: 400, json: true, body: { error: pair.error, error_description: pair.error_description } };
}

t.test('client_credentials returns a signed token answer', async (t) => {
  const { auth, clock } = service();
  const a = auth.token(form(cc), LOGIN, LOGIN);
  t.equal(a.status, 200);
  const b = body(a);
  t.match(b.access_token, TOKEN_SHAPE);
  t.equal(b.instance_url, LOGIN);
  t.equal(b.id, `${LOGIN}/id/${ORG}/${USER}`);
  t.equal(b.token_type, 'Bearer');
  t.equal(b.issued_at, String(clock.now), 'issued_at is epoch milliseconds as a string');
  t.equal(b.scope, 'api');
  t.notOk('refresh_token' in b);
  const expected = createHmac('sha256', 's3cr3t').update(b.id + b.issued_at).digest('base64');
  t.equal(b.signature, expected, 'signature = base64 HMAC-SHA256(id + issued_at, client secret)');
  t.match(a.headers?.['Cache-Control'], /no-cache/);
  t.match(a.headers?.['Cache-Control'], /no-store/);
  t.match(a.headers?.['Content-Type'], /^application\/json/);
  t.same(Object.keys(b), ['access_token', 'signature', 'scope', 'instance_url', 'id', 'token_type', 'issued_at']);
  const s = auth.authenticate(`Bearer ${b.access_token}`);
  t.equal(s?.flow, 'client_credentials');
  t.equal(s?.userId, USER);
});

t.test('instance_url and id drop a trailing slash of the origins', async (t) => {
  const { auth } = service();
  const b = body(auth.token(form(cc), `${LOGIN}/`, `${LOGIN}/`));
  t.equal(b.instance_url, LOGIN);
  t.equal(b.id, `${LOGIN}/id/${ORG}/${USER}`);
});

t.test('password grant wants the security token appended and returns no refresh token', async (t) => {
  const { auth } = service();
  const a = auth.token(form(pw), LOGIN, LOGIN);
  t.equal(a.status, 200);
  t.notOk('refresh_token' in body(a));
  t.match(body(a).signature, /^[A-Za-z0-9+/]+=*$/);
  t.equal(auth.authenticate(`Bearer ${body(a).access_token}`)?.flow, 'password');
  const upper = auth.token(form({ ...pw, username: 'ADMIN@Emulator.Example' }), LOGIN, LOGIN);
  t.equal(upper.status, 200, 'usernames are case-insensitive');
});

t.test('password grant without a required security token', async (t) => {
  const { auth } = service({ credentials: { username: 'admin@emulator.example', password: 'pa55word', securityToken: '' } });
  t.equal(auth.token(form({ ...pw, password: 'pa55word' }), LOGIN, LOGIN).status, 200);
  t.same(failure(auth.token(form({ ...pw, password: 'pa55wordTOKEN123' }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.authenticationFailure));
});

t.test('bad user, password or security token: invalid_grant / authentication failure', async (t) => {
  const { auth } = service();
  t.same(failure(auth.token(form({ ...pw, password: 'wrongTOKEN123' }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.authenticationFailure));
  t.same(failure(auth.token(form({ ...pw, password: 'pa55wordWRONGTOK' }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.authenticationFailure));
  t.same(failure(auth.token(form({ ...pw, password: 'pa55word' }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.authenticationFailure));
  t.same(failure(auth.token(form({ ...pw, username: 'nobody@example.com' }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.authenticationFailure));
  t.same(OAUTH_ERRORS.authenticationFailure, { error: 'invalid_grant', error_description: 'authentication failure' });
});

t.test('unknown or missing client id: invalid_client_id / client identifier invalid', async (t) => {
  const { auth } = service();
  for (const f of [cc, pw]) {
    t.same(failure(auth.token(form({ ...f, client_id: 'nope' }), LOGIN, LOGIN)), expected({ error: 'invalid_client_id', error_description: 'client identifier invalid' }));
    const { client_id: _, ...without } = f;
    t.same(failure(auth.token(form(without), LOGIN, LOGIN)), expected(OAUTH_ERRORS.invalidClientId));
  }
});

t.test('wrong or missing client secret: invalid_client / invalid client credentials', async (t) => {
  const { auth } = service();
  for (const f of [cc, pw]) {
    t.same(failure(auth.token(form({ ...f, client_secret: 'wrong' }), LOGIN, LOGIN)), expected({ error: 'invalid_client', error_description: 'invalid client credentials' }));
    const { client_secret: _, ...without } = f;
    t.same(failure(auth.token(form(without), LOGIN, LOGIN)), expected(OAUTH_ERRORS.invalidClientCredentials));
  }
});

t.test('unknown or missing grant type: unsupported_grant_type / grant type not supported', async (t) => {
  const { auth } = service();
  const pair = { error: 'unsupported_grant_type', error_description: 'grant type not supported' };
  t.same(failure(auth.token(form({ ...cc, grant_type: 'magic' }), LOGIN, LOGIN)), expected(pair));
  t.same(failure(auth.token(form({ client_id: cc.client_id }), LOGIN, LOGIN)), expected(pair));
});

t.test('missing grant parameters: invalid_request', async (t) => {
  const { auth } = service();
  const { username: _u, ...noUser } = pw;
  const { password: _p, ...noPass } = pw;
  for (const [f, name] of [[noUser, 'username'], [noPass, 'password'], [{ grant_type: 'refresh_token', client_id: cc.client_id }, 'refresh_token'], [{ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' }, 'assertion']] as const) {
    const a = auth.token(form(f), LOGIN, LOGIN);
    t.equal(a.status, 400);
    t.equal(body(a).error, 'invalid_request', name);
    t.match(body(a).error_description, name);
  }
});

t.test('refresh_token grant without rotation keeps the refresh token', async (t) => {
  const { auth } = service();
  const f = { grant_type: 'refresh_token', client_id: cc.client_id, refresh_token: '5Aep861preissued.refresh.token' };
  const a = auth.token(form(f), LOGIN, LOGIN);
  t.equal(a.status, 200);
  t.notOk('refresh_token' in body(a), 'no new refresh token without rotation');
  t.equal(body(a).scope, 'refresh_token api');
  t.ok(body(a).signature && body(a).issued_at);
  t.equal(auth.authenticate(`Bearer ${body(a).access_token}`)?.flow, 'refresh_token');
  t.equal(auth.token(form(f), LOGIN, LOGIN).status, 200, 'the same refresh token works again');
  t.equal(auth.token(form({ ...f, client_secret: 's3cr3t' }), LOGIN, LOGIN).status, 200, 'the secret may be sent');
  t.same(failure(auth.token(form({ ...f, client_secret: 'bad' }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.invalidClientCredentials));
  t.same(failure(auth.token(form({ ...f, client_id: 'bad' }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.invalidClientId));
});

t.test('refresh_token grant with rotation returns a new refresh token and retires the old one', async (t) => {
  const { auth } = service({}, { rotateRefreshTokens: true });
  const first = auth.issueRefreshToken();
  const f = { grant_type: 'refresh_token', client_id: cc.client_id, refresh_token: first };
  const a = auth.token(form(f), LOGIN, LOGIN);
  t.equal(a.status, 200);
  const next = body(a).refresh_token;
  t.type(next, 'string');
  t.not(next, first);
  t.same(Object.keys(body(a)).slice(0, 2), ['access_token', 'refresh_token']);
  t.same(failure(auth.token(form(f), LOGIN, LOGIN)), expected(OAUTH_ERRORS.expiredToken));
  t.equal(auth.token(form({ ...f, refresh_token: next }), LOGIN, LOGIN).status, 200);
});

t.test('unknown or revoked refresh token: invalid_grant / expired access/refresh token', async (t) => {
  const { auth } = service();
  const f = { grant_type: 'refresh_token', client_id: cc.client_id, refresh_token: '5Aep861neverIssued' };
  t.same(failure(auth.token(form(f), LOGIN, LOGIN)), expected({ error: 'invalid_grant', error_description: 'expired access/refresh token' }));
  const rt = auth.issueRefreshToken();
  t.equal(auth.revoke(form({ token: rt })).status, 200);
  t.same(failure(auth.token(form({ ...f, refresh_token: rt }), LOGIN, LOGIN)), expected(OAUTH_ERRORS.expiredToken));
});

t.test('revoke ends an access token, or a refresh token with its sessions', async (t) => {
  const { auth } = service();
  const access = body(auth.token(form(cc), LOGIN, LOGIN)).access_token;
  const r = auth.revoke(form({ token: access }));
  t.equal(r.status, 200);
  t.equal(r.body, undefined, 'empty body');
  t.equal(auth.authenticate(`Bearer ${access}`), null);

  const rt = auth.issueRefreshToken();
  const viaRefresh = body(auth.token(form({ grant_type: 'refresh_token', client_id: cc.client_id, refresh_token: rt }), LOGIN, LOGIN)).access_token;
  const other = body(auth.token(form(cc), LOGIN, LOGIN)).access_token;
  t.equal(auth.revoke(form({ token: rt })).status, 200);
  t.equal(auth.authenticate(`Bearer ${viaRefresh}`), null, 'sessions from the refresh token end');
  t.ok(auth.authenticate(`Bearer ${other}`), 'other sessions live on');

  const again = auth.revoke(form({ token: access }));
  t.equal(again.status, 400);
  t.equal(body(again).error, 'invalid_token');
  const junk = auth.revoke(form({ token: 'not-a-token' }));
  t.same(junk.body, { error: 'unsupported_token_type', error_description: 'this token type is not supported' });
});

t.test('error answers never echo secrets', async (t) => {
  const { auth } = service();
  const answers = [
    auth.token(form({ ...pw, password: 'hunter2-secret' }), LOGIN, LOGIN),
    auth.token(form({ ...cc, client_secret: 'leaky-secret' }), LOGIN, LOGIN),
    auth.token(form({ grant_type: 'refresh_token', client_id: cc.client_id, refresh_token: '5Aep861leaky' }), LOGIN, LOGIN),
  ];
  for (const a of answers) t.notMatch(JSON.stringify(a), /hunter2|leaky/);
});
