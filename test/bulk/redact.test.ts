import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { Redactor, REDACTED } from '../../src/bulk/redact.js';

t.test('registered secrets are replaced in every form they travel in', async (t) => {
  const r = new Redactor(['p@ss word+1', 'sekret-client-secret', undefined]);
  t.equal(r.redact('password is p@ss word+1.'), `password is ${REDACTED}.`);
  t.equal(r.redact('form: a=p%40ss%20word%2B1&b=1'), `form: a=${REDACTED}&b=1`);
  t.equal(r.redact('form: a=p%40ss+word%2B1&b=1'), `form: a=${REDACTED}&b=1`);
  t.notMatch(r.redact('{"x":"sekret-client-secret"}'), /sekret/);
  t.ok(r.leaks('...sekret-client-secret...'));
  t.notOk(r.leaks(r.redact('...sekret-client-secret...')));
});

t.test('short values are not treated as secrets (they would blank ordinary words)', async (t) => {
  const r = new Redactor(['ab']);
  t.equal(r.redact('about abc'), 'about abc');
});

t.test('patterns catch secrets nobody registered', async (t) => {
  const r = new Redactor();
  t.equal(r.redact('Authorization: Bearer 00D5g000004ABCD!AQ8AQH0dMHEXAMPLE_zmp.kb58'), `Authorization: Bearer ${REDACTED}`);
  t.notMatch(r.redact('token 00D5g000004ABCD!AQ8AQH0dMHEXAMPLEzmpkb58urFRkgeBGsxL'), /AQ8AQ/);
  t.notMatch(r.redact('{"access_token":"abcdef123456","instance_url":"https://x"}'), /abcdef123456/);
  t.notMatch(r.redact('grant_type=refresh_token&refresh_token=5Aep861xyz&client_id=abc'), /5Aep861xyz/);
  t.match(r.redact('grant_type=refresh_token&refresh_token=5Aep861xyz&client_id=abc'), /client_id=abc/);
  t.notMatch(r.redact('assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXRleHQ'), /eyJpc3M/);
});

t.test('a PEM private key is redacted whole and line by line', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const r = new Redactor([pem]);
  t.equal(r.redact(`key: ${pem}`), `key: ${REDACTED}`);
  const line = pem.split('\n')[3]!;
  t.equal(r.redact(`a fragment ${line} here`), `a fragment ${REDACTED} here`);
  t.notMatch(new Redactor().redact(pem), /MII/, 'even unregistered PEM blocks are caught');
});
