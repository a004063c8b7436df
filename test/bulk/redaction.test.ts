// Secrets never appear in output: a run that fails in every way (bad credentials, expired sessions,
// server and network errors, each auth flow) is run as a child process, and all of its stdout and stderr
// (debug logs, error messages, stacks, cause chains, JSON) is searched for every secret it was given.
import t from 'tap';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CREDS, startEmu } from '../helpers/emulator.js';

t.test('no secret appears anywhere in the output of a failing run', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const securityToken = `SecTok${randomBytes(8).toString('hex')}`;
  const emu = await startEmu(t, { jwtPublicKeys: [publicKey], securityToken });
  const refreshToken = await emu.refreshToken();
  const tok = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret }),
  });
  const accessToken = ((await tok.json()) as { access_token: string }).access_token;

  const fixture = fileURLToPath(new URL('./fixtures/failing-run.js', import.meta.url));
  const child = spawn(process.execPath, [fixture], {
    env: {
      ...process.env,
      EMU_URL: emu.url,
      CLIENT_SECRET: CREDS.clientSecret,
      USERNAME: CREDS.username,
      PASSWORD: CREDS.password,
      SECURITY_TOKEN: securityToken,
      REFRESH_TOKEN: refreshToken,
      PRIVATE_KEY: pem,
      JWT_USERNAME: await emu.orgUsername(),
      ACCESS_TOKEN: accessToken,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));

  t.equal(code, 1, 'the run failed, every scenario with a typed error (the fixture exits 2 otherwise)');
  t.match(out, /=== 8 of 8 scenarios failed with a SalesforceError\n/);
  t.notMatch(out, /: no error\n/, 'no scenario succeeded');
  for (const label of [
    'password flow, then a persistent server error mid-job',
    'client credentials with a wrong secret',
    'refresh token flow, then sessions refused for good',
    'refresh token that is not valid',
    'JWT with a user that has not approved the app',
    'JWT that works, then a network failure',
    'a bare access token that expires',
    'a config error that mentions a key',
  ]) {
    t.match(out, `--- ${label}\n`, `scenario ran and failed: ${label}`);
  }
  t.match(out, /SF_SERVER/);
  t.match(out, /SF_AUTH/);
  t.match(out, /SF_NETWORK/);
  t.match(out, /DEBUG authenticated/, 'debug logging was on');
  t.match(out, /session expired; re-authenticating/);

  const secrets: [string, string][] = [
    ['client secret', CREDS.clientSecret],
    ['security token', securityToken],
    ['password + security token', CREDS.password + securityToken],
    ['refresh token', refreshToken],
    ['access token', accessToken],
    ...pem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')).map((l, i): [string, string] => [`private key line ${i + 1}`, l]),
  ];
  for (const [name, value] of secrets) {
    t.notOk(out.includes(value), `${name} does not appear`);
    t.notOk(out.includes(encodeURIComponent(value)), `${name} does not appear URL-encoded`);
  }
  t.notMatch(out, /00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{10,}/, 'no Salesforce session id appears (tokens issued during the run included)');
  t.notMatch(out, /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./, 'no JWT (assertion) appears');
  t.notMatch(out, /BEGIN [A-Z ]*PRIVATE KEY/, 'no PEM block appears');
  t.notMatch(out, /Bearer (?!\[REDACTED\])\S/, 'no bearer header appears');
});
