import t from 'tap';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { signJwtAssertion } from '../../src/bulk/auth/authenticator.js';

t.test('the JWT bearer assertion is RS256 with iss, sub, aud and a short exp', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwt = signJwtAssertion({ clientId: 'cid', username: 'u@x.com', audience: 'https://login.salesforce.com', privateKey: pem, nowSeconds: 1_000_000 });
  const [h, c, s] = jwt.split('.');
  t.same(JSON.parse(Buffer.from(h!, 'base64url').toString()), { alg: 'RS256', typ: 'JWT' });
  const claims = JSON.parse(Buffer.from(c!, 'base64url').toString());
  t.same(claims, { iss: 'cid', sub: 'u@x.com', aud: 'https://login.salesforce.com', exp: 1_000_170 });
  t.ok(claims.exp - 1_000_000 <= 180, 'exp at most 3 minutes ahead');
  const v = createVerify('RSA-SHA256');
  v.update(`${h}.${c}`);
  t.ok(v.verify(publicKey, Buffer.from(s!, 'base64url')));
});
