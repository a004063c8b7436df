// Each auth flow against the emulator's OAuth server; expiry mid-job; refusing to loop.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { AuthError } from '../../src/bulk/errors.js';
import type { LogLevel } from '../../src/bulk/index.js';
import { CREDS, clientRequests, collect, connect, startEmu } from '../helpers/emulator.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

t.test('every configured flow authenticates and can run a query', async (t) => {
  const emu = await startEmu(t, { jwtPublicKeys: [publicKey], securityToken: 'SECTOKEN123' });
  const refresh = await emu.refreshToken();
  const res = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const flows: [string, Record<string, unknown>][] = [
    ['client_credentials', {}],
    ['password', { auth_flow: 'password', username: CREDS.username, password: CREDS.password, security_token: 'SECTOKEN123' }],
    ['refresh_token', { auth_flow: 'refresh_token', refresh_token: refresh }],
    // The JWT subject is the org user's username (as Salesforce identity reports it).
    ['jwt', { auth_flow: 'jwt', username: await emu.orgUsername(), private_key: pem }],
    ['access_token', { auth_flow: 'access_token', access_token: token, instance_url: emu.url }],
  ];
  for (const [name, raw] of flows) {
    const client = await connect(emu, raw);
    t.equal(client.apiVersion, '66.0', `${name}: the newest version the org lists that we support`);
    t.equal(client.instanceUrl, emu.url);
    const job = await client.query.create({ query: 'SELECT Id FROM User' });
    await job.waitForCompletion();
    t.equal((await collect(job.rows())).length, 5, `${name}: a query job ran`);
    await client.close();
  }
  const tokenCalls = clientRequests(await emu.requests()).filter((r) => r.path === '/services/oauth2/token');
  t.equal(tokenCalls.length, 4 + 2, 'one token request per flow except access_token (and two made by this test)');
});

t.test('wrong credentials are an AuthError that names the setting to fix', async (t) => {
  const emu = await startEmu(t);
  const e1 = await connect(emu, { client_secret: 'wrong-secret-value' }).catch((e: unknown) => e);
  t.type(e1, AuthError);
  t.equal((e1 as AuthError).code, 'SF_AUTH');
  t.match((e1 as AuthError).message, /client_secret/);
  const e2 = await connect(emu, { auth_flow: 'password', username: CREDS.username, password: 'not-the-password' }).catch((e: unknown) => e);
  t.type(e2, AuthError);
  t.match((e2 as AuthError).message, /username, password and security_token/);
  const e3 = await connect(emu, { client_id: 'unknown-client' }).catch((e: unknown) => e);
  t.match((e3 as AuthError).message, /client_id/);
  const e4 = await connect(emu, { auth_flow: 'refresh_token', refresh_token: 'not-a-refresh-token' }).catch((e: unknown) => e);
  t.type(e4, AuthError);
  const log = clientRequests(await emu.requests());
  t.equal(log.filter((r) => r.path === '/services/oauth2/token').length, 4, 'an auth failure is not retried');
});

t.test('a session that expires mid-job is renewed once and the request replayed', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  const job = await client.query.create({ query: 'SELECT Id, Name FROM Account' });
  const since = await emu.lastSeq();
  await emu.expireSessions();
  const info = await job.waitForCompletion();
  t.equal(info.state, 'JobComplete');
  await emu.expireSessions();
  const rows = await collect(job.rows({ maxRecords: 50 }));
  t.equal(rows.length, 198);
  const log = clientRequests(await emu.requests(since));
  t.equal(log.filter((r) => r.path === '/services/oauth2/token').length, 2, 'one token request per expiry');
  t.equal(log.filter((r) => r.status === 401).length, 2, 'one refused request per expiry');
  await client.close();
});

t.test('a session refused again right after renewal stops instead of looping', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  const since = await emu.lastSeq();
  await emu.faults({ rules: [{ kind: 'sessionExpiry', path: '/jobs/query' }] });
  const e = await client.query.create({ query: 'SELECT Id FROM Account' }).catch((x: unknown) => x);
  t.type(e, AuthError);
  t.match((e as Error).message, /not re-authenticating again/);
  const log = clientRequests(await emu.requests(since));
  t.equal(log.filter((r) => r.path === '/services/oauth2/token').length, 1, 're-authenticated exactly once');
  t.equal(log.filter((r) => r.method === 'POST' && /jobs\/query/.test(r.path)).length, 2, 'the create was sent twice: first try and one replay');
  t.equal((await emu.jobs()).length, 0, 'no job was created');
  await client.close();
});

t.test('a bare access token that expires stops with a clear error', async (t) => {
  const emu = await startEmu(t);
  const res = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const client = await connect(emu, { auth_flow: 'access_token', access_token: token, instance_url: emu.url, client_id: undefined, client_secret: undefined });
  await emu.expireSessions();
  const e = await client.query.create({ query: 'SELECT Id FROM Account' }).catch((x: unknown) => x);
  t.type(e, AuthError);
  t.match((e as Error).message, /supply a fresh access_token/);
  t.notMatch((e as Error).message, token);
  await client.close();
});

t.test('a caller that gives up while a token is refreshed does not fail the others waiting on it', async (t) => {
  const emu = await startEmu(t);
  const impatient = new AbortController();
  let renewals = 0;
  // The impatient caller gives up once both callers wait on the one token request (each logs that it renews).
  const logger = { log: (_level: LogLevel, message: string) => {
    if (/session expired; re-authenticating/.test(message) && ++renewals === 2) setImmediate(() => impatient.abort());
  } };
  const client = await connect(emu, {}, { logger });
  t.teardown(() => client.close());
  await emu.expireSessions();
  await emu.faults({ rules: [{ kind: 'latency', latencyMs: 600, method: 'POST', path: '/services/oauth2/token$' }] });
  const since = await emu.lastSeq();
  const first = client.limits({ signal: impatient.signal });
  const second = client.limits();
  await t.rejects(first, { name: 'AbortedError' }, 'the caller that gave up sees its own abort');
  const limits = await second;
  t.ok(limits, 'the other caller gets its answer with the refreshed token');
  const tokens = clientRequests(await emu.requests(since)).filter((r) => r.path === '/services/oauth2/token');
  t.equal(tokens.length, 1, 'one token request served both');
  t.equal(renewals, 2, 'both callers waited on that renewal');
});
