// The JWT bearer grant: RS256 assertions signed with a key pair made here, and every way one is refused.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import t from 'tap';
import { AuthService, OAUTH_ERRORS, type HttpAnswer } from '../../src/emulator/auth/index.js';
import { makeId, to18 } from '../../src/emulator/ids.js';

const ORG = to18('00D5g000004ABCD');
const USER = makeId('005', 7);
const LOGIN = 'http://127.0.0.1:8787';
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const NOW = 1_700_000_000_000;

const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

function service(keys: KeyObject[] = [trusted.publicKey]): AuthService {
  return new AuthService({
    orgId: ORG,
    userId: USER,
    username: 'admin@emulator.example',
    email: 'admin@example.com',
    displayName: 'Ada Admin',
    app: { clientId: '3MVG9jwt.client', clientSecret: 'csecret', jwtPublicKeys: keys, rotateRefreshTokens: false },
    credentials: { username: 'admin@emulator.example', password: 'pw', securityToken: '' },
    tokenTtlSeconds: 3600,
    now: () => NOW,
  });
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: '3MVG9jwt.client', sub: 'admin@emulator.example', aud: 'https://login.salesforce.com', exp: Math.floor(NOW / 1000) + 180, ...over };
}

function jwt(c: Record<string, unknown>, key: KeyObject = trusted.privateKey, header: Record<string, unknown> = { alg: 'RS256' }): string {
  const input = `${b64(header)}.${b64(c)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

function request(auth: AuthService, assertion: string, loginUrl = LOGIN): HttpAnswer {
  return auth.token(new URLSearchParams({ grant_type: GRANT, assertion }), loginUrl, loginUrl);
}

const outcome = (a: HttpAnswer): unknown => ({ status: a.status, body: a.body });
const refused = (pair: { error: string; error_description: string }): unknown => ({ status: 400, body: { ...pair } });

t.test('a valid assertion yields a session and Salesforce\'s JWT answer', async (t) => {
  const auth = service();
  const a = request(auth, jwt(claims()));
  t.equal(a.status, 200);
  const b = a.body as Record<string, string>;
  t.match(b.access_token, /^00D[a-zA-Z0-9]{12}![A-Za-z0-9_.]+$/);
  t.same(Object.keys(b), ['access_token', 'scope', 'instance_url', 'id', 'token_type'], 'no issued_at, signature or refresh_token');
  t.equal(b.id, `${LOGIN}/id/${ORG}/${USER}`);
  t.equal(b.instance_url, LOGIN);
  t.equal(b.token_type, 'Bearer');
  t.equal(auth.authenticate(`Bearer ${b.access_token}`)?.flow, 'jwt_bearer');
});

t.test('accepted audiences: the login URL, login.salesforce.com, test.salesforce.com', async (t) => {
  const auth = service();
  for (const aud of [LOGIN, `${LOGIN}/`, 'https://login.salesforce.com', 'https://test.salesforce.com/', ['x', 'https://test.salesforce.com']]) {
    t.equal(request(auth, jwt(claims({ aud }))).status, 200, JSON.stringify(aud));
  }
});

t.test('exp: present, in the future, at most ~3 minutes (plus skew) ahead', async (t) => {
  const auth = service();
  const s = Math.floor(NOW / 1000);
  t.equal(request(auth, jwt(claims({ exp: s + 300 }))).status, 200, '5 minutes (common in examples) passes');
  t.equal(request(auth, jwt(claims({ exp: String(s + 120) }))).status, 200, 'exp as a digit string (Salesforce walkthrough)');
  t.same(outcome(request(auth, jwt(claims({ exp: s - 1 })))), refused(OAUTH_ERRORS.assertionExpired));
  t.same(outcome(request(auth, jwt(claims({ exp: s })))), refused({ error: 'invalid_grant', error_description: 'expired authorization code' }));
  t.same(outcome(request(auth, jwt(claims({ exp: s + 3600 })))), refused(OAUTH_ERRORS.invalidAssertion), 'an hour ahead');
  t.same(outcome(request(auth, jwt(claims({ exp: undefined })))), refused(OAUTH_ERRORS.invalidAssertion), 'no exp');
  t.same(outcome(request(auth, jwt(claims({ exp: 'soon' })))), refused(OAUTH_ERRORS.invalidAssertion));
  t.same(outcome(request(auth, jwt(claims({ nbf: s + 3600 })))), refused(OAUTH_ERRORS.invalidAssertion), 'not yet valid');
});

t.test('a signature by an untrusted key: invalid assertion', async (t) => {
  t.same(outcome(request(service(), jwt(claims(), stranger.privateKey))), refused({ error: 'invalid_grant', error_description: 'invalid assertion' }));
  t.equal(request(service([other.publicKey, trusted.publicKey]), jwt(claims())).status, 200, 'any trusted key may verify');
  t.same(outcome(request(service([]), jwt(claims()))), refused(OAUTH_ERRORS.invalidAssertion), 'no certificate on the app');
});

t.test('a tampered claim set breaks the signature', async (t) => {
  const [h, , s] = jwt(claims()).split('.');
  const forged = `${h}.${b64(claims({ sub: 'admin@emulator.example', exp: Math.floor(NOW / 1000) + 200 }))}.${s}`;
  t.same(outcome(request(service(), forged)), refused(OAUTH_ERRORS.invalidAssertion));
});

t.test('alg none and HS256 are refused', async (t) => {
  const auth = service();
  const none = `${b64({ alg: 'none' })}.${b64(claims())}.`;
  t.same(outcome(request(auth, none)), refused(OAUTH_ERRORS.invalidAssertion));
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
  const hs = `${input}.${createHmac('sha256', 'csecret').update(input).digest('base64url')}`;
  t.same(outcome(request(auth, hs)), refused(OAUTH_ERRORS.invalidAssertion), 'HS256 keyed with the client secret');
  const lying = jwt(claims(), trusted.privateKey, { alg: 'HS256' });
  t.same(outcome(request(auth, lying)), refused(OAUTH_ERRORS.invalidAssertion), 'RS256 signature under an HS256 header');
});

t.test('wrong aud: audience is invalid', async (t) => {
  const auth = service();
  t.same(outcome(request(auth, jwt(claims({ aud: 'https://evil.example.com' })))), refused({ error: 'invalid_grant', error_description: 'audience is invalid' }));
  t.same(outcome(request(auth, jwt(claims({ aud: undefined })))), refused(OAUTH_ERRORS.audienceInvalid));
});

t.test('wrong iss: client identifier invalid', async (t) => {
  t.same(outcome(request(service(), jwt(claims({ iss: 'someone.else' })))), refused({ error: 'invalid_client_id', error_description: 'client identifier invalid' }));
});

t.test('wrong sub: user hasn\'t approved this consumer', async (t) => {
  const auth = service();
  t.same(outcome(request(auth, jwt(claims({ sub: 'nobody@example.com' })))), refused({ error: 'invalid_grant', error_description: "user hasn't approved this consumer" }));
  t.equal(request(auth, jwt(claims({ sub: 'ADMIN@emulator.example' }))).status, 200, 'usernames are case-insensitive');
});

t.test('malformed assertions: invalid assertion; a missing one: invalid_request', async (t) => {
  const auth = service();
  for (const bad of ['abc', 'a.b', 'a.b.c.d', '!!!.###.$$$', `${b64({ alg: 'RS256' })}.bm90IGpzb24.sig`]) {
    t.same(outcome(request(auth, bad)), refused(OAUTH_ERRORS.invalidAssertion), bad);
  }
  const a = auth.token(new URLSearchParams({ grant_type: GRANT }), LOGIN, LOGIN);
  t.equal(a.status, 400);
  t.equal((a.body as Record<string, string>).error, 'invalid_request');
});

t.test('base64 padding on the segments is tolerated (Salesforce\'s walkthrough pads)', async (t) => {
  const pad = (s: string): string => s + '='.repeat((4 - (s.length % 4)) % 4);
  const h = pad(b64({ alg: 'RS256' }));
  const p = pad(b64(claims()));
  const sig = sign('RSA-SHA256', Buffer.from(`${h}.${p}`), trusted.privateKey).toString('base64url');
  t.equal(request(service(), `${h}.${p}.${sig}`).status, 200);
});
