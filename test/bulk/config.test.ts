import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSecrets, isLoopbackHost, parseConnectionConfig, secureUrl } from '../../src/bulk/connection-config.js';
import { ConfigError } from '../../src/bulk/errors.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

t.test('a valid config parses into its flow variant with defaults filled in', async (t) => {
  const c = parseConnectionConfig({ auth_flow: 'client_credentials', login_url: 'https://acme.my.salesforce.com/', client_id: 'id', client_secret: 'sec', start_date: '2020-01-01' });
  t.equal(c.auth_flow, 'client_credentials');
  t.equal(c.login_url, 'https://acme.my.salesforce.com', 'trailing slash dropped');
  t.equal(c.request_timeout_seconds, 120);
  t.equal(c.poll_timeout_seconds, 86400);
  t.equal(c.poll_interval_max_seconds, 30);
  t.equal(c.client_name, 'salesforce-bulk-singer');
  t.equal((c as unknown as Record<string, unknown>).start_date, undefined, 'keys of the tap or target are not copied in');
  const d = parseConnectionConfig({ auth_flow: 'refresh_token', client_id: 'id', refresh_token: 'rt' });
  t.equal(d.login_url, 'https://login.salesforce.com');
});

t.test('each flow names the keys it is missing', async (t) => {
  const missing: [Record<string, unknown>, RegExp][] = [
    [{}, /missing config key "auth_flow"/],
    [{ auth_flow: 'client_credentials', client_id: 'x' }, /missing config key "client_secret" \(required when auth_flow is "client_credentials"\)/],
    [{ auth_flow: 'refresh_token', client_id: 'x' }, /"refresh_token"/],
    [{ auth_flow: 'password', client_id: 'x', client_secret: 'y', username: 'u' }, /missing config key "password"/],
    [{ auth_flow: 'jwt', client_id: 'x' }, /missing config key "username"/],
    [{ auth_flow: 'jwt', client_id: 'x', username: 'u' }, /"private_key" or "private_key_path"/],
    [{ auth_flow: 'access_token', access_token: 'tok' }, /missing config key "instance_url"/],
    [{ auth_flow: 'oauth' }, /"auth_flow" must be one of client_credentials, refresh_token, jwt, password, access_token/],
    [{ auth_flow: 'refresh_token', client_id: 'x', refresh_token: 'r', api_version: 'v62' }, /"api_version" must look like "62.0"/],
    [{ auth_flow: 'refresh_token', client_id: 'x', refresh_token: 'r', api_version: '40.0' }, /47.0 or later/],
    [{ auth_flow: 'refresh_token', client_id: 'x', refresh_token: 'r', request_timeout_seconds: 0 }, /"request_timeout_seconds"/],
    [{ auth_flow: 'refresh_token', client_id: '', refresh_token: 'r' }, /"client_id" must not be empty/],
  ];
  for (const [raw, re] of missing) {
    const e = t.throws(() => parseConnectionConfig(raw)) as unknown as ConfigError;
    t.type(e, ConfigError);
    t.match(e.message, re);
    t.equal(e.code, 'SF_CONFIG');
  }
  t.throws(() => parseConnectionConfig([]), { code: 'SF_CONFIG' });
  t.throws(() => parseConnectionConfig(null), { code: 'SF_CONFIG' });
});

t.test('numbers and numeric strings are accepted where env vars bring strings', async (t) => {
  const c = parseConnectionConfig({ auth_flow: 'refresh_token', client_id: 'x', refresh_token: 'r', api_version: 62, request_timeout_seconds: '30' });
  t.equal(c.api_version, '62.0');
  t.equal(c.request_timeout_seconds, 30);
});

t.test('plain http is refused except to loopback hosts', async (t) => {
  for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', 'api.localhost']) {
    t.equal(secureUrl(`http://${h}:8080`, 'login_url').protocol, 'http:', h);
  }
  for (const h of ['example.com', '10.0.0.1', '128.0.0.1', '127.0.0.1.evil.com', '[::2]']) {
    t.throws(() => secureUrl(`http://${h}/`, 'login_url'), { code: 'SF_CONFIG', key: 'login_url' }, h);
  }
  t.throws(() => secureUrl('ftp://x', 'login_url'), { code: 'SF_CONFIG' });
  t.throws(() => secureUrl('not a url', 'instance_url'), /config key "instance_url" is not a URL/);
  t.throws(
    () => parseConnectionConfig({ auth_flow: 'access_token', access_token: 'tok', instance_url: 'http://na1.salesforce.com' }),
    /plain http:\/\/ to na1.salesforce.com/,
  );
  t.ok(isLoopbackHost('::1'));
  t.notOk(isLoopbackHost('localhost.example.com'));
});

t.test('JWT keys come inline or from a file, and bad ones are refused without echoing them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'key.pem');
  writeFileSync(file, pem);
  const a = parseConnectionConfig({ auth_flow: 'jwt', client_id: 'x', username: 'u', private_key_path: file });
  t.equal(a.auth_flow === 'jwt' && a.private_key, pem);
  const b = parseConnectionConfig({ auth_flow: 'jwt', client_id: 'x', username: 'u', private_key: pem.replace(/\n/g, '\\n') });
  t.equal(b.auth_flow === 'jwt' && b.private_key, pem, 'escaped newlines (from env vars) are restored');
  t.throws(() => parseConnectionConfig({ auth_flow: 'jwt', client_id: 'x', username: 'u', private_key: pem, private_key_path: file }), /exclusive/);
  t.throws(() => parseConnectionConfig({ auth_flow: 'jwt', client_id: 'x', username: 'u', private_key_path: join(dir, 'none.pem') }), /cannot read the file \(ENOENT\)/);
  const bad = 'not-a-key-but-a-secret-string';
  const e = t.throws(() => parseConnectionConfig({ auth_flow: 'jwt', client_id: 'x', username: 'u', private_key: bad })) as unknown as Error;
  t.match(e.message, /not a readable PEM private key/);
  t.notMatch(e.message, bad);
});

t.test('configSecrets lists exactly the secret values', async (t) => {
  const c = parseConnectionConfig({ auth_flow: 'password', client_id: 'cid', client_secret: 'csec', username: 'u@x', password: 'pw12', security_token: 'tok9' });
  t.same(configSecrets(c).sort(), ['csec', 'pw12', 'tok9']);
});
