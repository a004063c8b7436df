// Sessions: token shape, Bearer validation, expiry on an injectable clock, expireAll, refresh outliving access.
import t from 'tap';
import { ACCESS_TOKEN_SHAPE, type HttpAnswer } from '../../src/emulator/auth/index.js';
import { makeId } from '../../src/emulator/ids.js';
import { authService as service, LOGIN, ORG, USER } from './auth-fixture.js';


const cc = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'csecret' });
const accessToken = (a: HttpAnswer): string => (a.body as Record<string, string>).access_token;

t.test('access tokens look like Salesforce session ids and are unique', async (t) => {
  const { auth } = service();
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const tok = accessToken(auth.token(cc, LOGIN, LOGIN));
    t.match(tok, /^00D[a-zA-Z0-9]{12}![A-Za-z0-9_.]+$/);
    t.ok(ACCESS_TOKEN_SHAPE.test(tok));
    t.ok(tok.startsWith(`${ORG.slice(0, 15)}!`), 'carries the 15-character org id');
    const opaque = tok.slice(16);
    t.ok(opaque.length >= 90 && opaque.length <= 112, 'opaque part ~96 characters');
    seen.add(tok);
  }
  t.equal(seen.size, 200);
});

t.test('authenticate accepts Bearer (and the older OAuth scheme) and refuses anything else', async (t) => {
  const { auth } = service();
  const tok = accessToken(auth.token(cc, LOGIN, LOGIN));
  const s = auth.authenticate(`Bearer ${tok}`);
  t.equal(s?.accessToken, tok);
  t.equal(s?.userId, USER);
  t.equal(auth.authenticate(`bearer ${tok}`)?.accessToken, tok);
  t.equal(auth.authenticate(`OAuth ${tok}`)?.accessToken, tok);
  t.equal(auth.authenticate(undefined), null);
  t.equal(auth.authenticate(''), null);
  t.equal(auth.authenticate(tok), null, 'no scheme');
  t.equal(auth.authenticate(`Basic ${tok}`), null);
  t.equal(auth.authenticate(`Bearer ${tok}x`), null);
  t.equal(auth.authenticate(`Bearer ${ORG.slice(0, 15)}!AQforged`), null);
});

t.test('a token expires tokenTtlSeconds after issue', async (t) => {
  const { auth, clock } = service();
  const issuedAt = clock.now;
  const tok = accessToken(auth.token(cc, LOGIN, LOGIN));
  const s = auth.authenticate(`Bearer ${tok}`);
  t.equal(s?.issuedAt, issuedAt);
  t.equal(s?.expiresAt, issuedAt + 60_000);
  clock.now = issuedAt + 59_999;
  t.ok(auth.authenticate(`Bearer ${tok}`), 'valid until the last millisecond');
  clock.now = issuedAt + 60_000;
  t.equal(auth.authenticate(`Bearer ${tok}`), null, 'expired');
  clock.now = issuedAt;
  t.equal(auth.authenticate(`Bearer ${tok}`), null, 'an expired session stays ended');
});

t.test('the invalid-session answer is Salesforce\'s 401', async (t) => {
  const { auth } = service();
  const a = auth.invalidSessionAnswer();
  t.equal(a.status, 401);
  t.same(a.body, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  t.match(a.headers?.['Content-Type'], /^application\/json/);
});

t.test('expireAll ends every session; refresh tokens outlive them', async (t) => {
  const { auth, clock } = service();
  const rt = auth.issueRefreshToken();
  const refresh = new URLSearchParams({ grant_type: 'refresh_token', client_id: 'cid', refresh_token: rt });
  const a = accessToken(auth.token(cc, LOGIN, LOGIN));
  const b = accessToken(auth.token(refresh, LOGIN, LOGIN));
  auth.expireAll();
  t.equal(auth.authenticate(`Bearer ${a}`), null);
  t.equal(auth.authenticate(`Bearer ${b}`), null);
  const c = accessToken(auth.token(refresh, LOGIN, LOGIN));
  t.ok(auth.authenticate(`Bearer ${c}`), 'refresh after a forced expiry works');
  clock.now += 24 * 3600_000;
  t.equal(auth.authenticate(`Bearer ${c}`), null);
  t.equal(auth.token(refresh, LOGIN, LOGIN).status, 200, 'the refresh token outlives access tokens');
});

t.test('pre-issued refresh tokens are valid from the start', async (t) => {
  const { auth } = service({ refreshTokens: ['5Aep861fromConfig'] });
  const a = auth.token(new URLSearchParams({ grant_type: 'refresh_token', client_id: 'cid', refresh_token: '5Aep861fromConfig' }), LOGIN, LOGIN);
  t.equal(a.status, 200);
});

t.test('issued refresh tokens look like Salesforce\'s and are unique', async (t) => {
  const { auth } = service();
  const a = auth.issueRefreshToken();
  const b = auth.issueRefreshToken();
  t.match(a, /^[A-Za-z0-9_.]{80,}$/);
  t.not(a, b);
});

t.test('constructor refuses ids that are not Salesforce ids', async (t) => {
  t.throws(() => service({ orgId: '00D5g000004ABCD' }), RangeError, '15-character org id');
  t.throws(() => service({ orgId: makeId('001', 1) }), RangeError, 'not an org id');
  t.throws(() => service({ userId: 'x' }), RangeError);
  t.throws(() => service({ tokenTtlSeconds: 0 }), RangeError);
});
