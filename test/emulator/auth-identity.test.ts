// Identity URL and UserInfo bodies, with the keys real orgs return.
import t from 'tap';
import { AuthService, type Session } from '../../src/emulator/auth/index.js';
import { authService, LOGIN, ORG, USER } from './auth-fixture.js';

function setup(): { auth: AuthService; session: Session; idUrl: string } {
  const { auth } = authService({
    username: 'ada@emulator.example',
    email: 'ada@example.com',
    displayName: 'Ada Lovelace',
    app: { clientSecret: 'cs' },
    tokenTtlSeconds: 600,
    now: () => Date.UTC(2024, 4, 6, 7, 8, 9, 123),
  });
  const a = auth.token(new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'cs' }), LOGIN, LOGIN);
  const body = a.body as Record<string, string>;
  const session = auth.authenticate(`Bearer ${body.access_token}`);
  if (!session) throw new Error('no session');
  return { auth, session, idUrl: body.id };
}

const URL_KEYS = ['enterprise', 'metadata', 'partner', 'rest', 'sobjects', 'search', 'query', 'recent', 'tooling_soap', 'tooling_rest', 'profile', 'feeds', 'groups', 'users', 'feed_items', 'feed_elements', 'custom_domain'];

t.test('the identity URL answers like a real org', async (t) => {
  const { auth, session, idUrl } = setup();
  const a = auth.identity(session, LOGIN, LOGIN, 'id');
  t.equal(a.status, 200);
  t.match(a.headers?.['Content-Type'], /^application\/json/);
  const b = a.body as Record<string, any>;
  t.same(Object.keys(b), [
    'id', 'asserted_user', 'user_id', 'organization_id', 'username', 'nick_name', 'display_name', 'email', 'email_verified',
    'first_name', 'last_name', 'timezone', 'photos', 'addr_street', 'addr_city', 'addr_state', 'addr_country', 'addr_zip',
    'mobile_phone', 'mobile_phone_verified', 'is_lightning_login_user', 'status', 'urls', 'active', 'user_type', 'language',
    'locale', 'utcOffset', 'last_modified_date', 'is_app_installed',
  ]);
  t.equal(b.id, idUrl, 'the token answer\'s id is this URL');
  t.equal(b.id, `${LOGIN}/id/${ORG}/${USER}`);
  t.equal(b.user_id, USER);
  t.equal(b.organization_id, ORG);
  t.equal(b.username, 'ada@emulator.example');
  t.equal(b.display_name, 'Ada Lovelace');
  t.equal(b.first_name, 'Ada');
  t.equal(b.last_name, 'Lovelace');
  t.equal(b.email, 'ada@example.com');
  t.equal(b.active, true);
  t.equal(b.user_type, 'STANDARD');
  t.equal(b.last_modified_date, '2024-05-06T07:08:09Z');
  t.same(Object.keys(b.urls), URL_KEYS);
  t.equal(b.urls.rest, `${LOGIN}/services/data/v{version}/`);
  t.equal(b.urls.sobjects, `${LOGIN}/services/data/v{version}/sobjects/`);
  t.equal(b.urls.query, `${LOGIN}/services/data/v{version}/query/`);
  t.equal(b.urls.enterprise, `${LOGIN}/services/Soap/c/{version}/${ORG.slice(0, 15)}`);
  t.equal(b.urls.profile, `${LOGIN}/${USER}`);
  t.equal(b.urls.custom_domain, LOGIN);
});

t.test('a version parameter fills the URL templates', async (t) => {
  const { auth, session } = setup();
  const b = auth.identity(session, LOGIN, LOGIN, 'id', '62.0').body as Record<string, any>;
  t.equal(b.urls.rest, `${LOGIN}/services/data/v62.0/`);
  t.equal(b.urls.partner, `${LOGIN}/services/Soap/u/62.0/${ORG.slice(0, 15)}`);
  t.notMatch(JSON.stringify(b.urls), /\{version\}/);
});

t.test('userinfo answers with OpenID claims plus Salesforce\'s', async (t) => {
  const { auth, session, idUrl } = setup();
  const b = auth.identity(session, LOGIN, LOGIN, 'userinfo').body as Record<string, any>;
  t.same(Object.keys(b), [
    'sub', 'user_id', 'organization_id', 'preferred_username', 'nickname', 'name', 'email', 'email_verified', 'given_name',
    'family_name', 'zoneinfo', 'photos', 'profile', 'picture', 'address', 'is_salesforce_integration_user', 'urls', 'active',
    'user_type', 'language', 'locale', 'utcOffset', 'updated_at', 'is_app_installed',
  ]);
  t.equal(b.sub, idUrl);
  t.equal(b.user_id, USER);
  t.equal(b.organization_id, ORG);
  t.equal(b.preferred_username, 'ada@emulator.example');
  t.equal(b.email, 'ada@example.com');
  t.equal(b.urls.query, `${LOGIN}/services/data/v{version}/query/`);
  t.same(Object.keys(b.urls), URL_KEYS);
});
