// Discovery, limits, auth on REST calls, path handling, methods and gzip, over real HTTP.
import t from 'tap';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { API, withEmulator } from '../helpers/emulator.js';

t.test('versions are listed from 31.0 to the newest, without auth', async (t) => {
  const h = await withEmulator(t);
  const res = await fetch(`${h.url}/services/data/`);
  t.equal(res.status, 200);
  const versions = (await res.json()) as { label: string; url: string; version: string }[];
  t.same(versions[0], { label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
  t.ok(versions.some((v) => v.version === '62.0' && v.label === "Winter '25" && v.url === '/services/data/v62.0'));
  const nums = versions.map((v) => Number(v.version));
  t.same(nums, [...nums].sort((a, b) => a - b), 'ascending');
  t.equal(nums[nums.length - 1] - nums[0] + 1, nums.length, 'every version in between');
});

t.test('REST calls need a valid bearer token', async (t) => {
  const h = await withEmulator(t);
  for (const auth of [undefined, 'Bearer nope', 'Bearer 00D000000000000!AQ']) {
    const res = await fetch(`${h.url}/services/data/${API}/limits`, { headers: auth ? { Authorization: auth } : {} });
    t.equal(res.status, 401, `${auth ?? 'no header'}`);
    t.same(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  }
});

t.test('paths with a doubled slash or a trailing slash are served alike', async (t) => {
  const h = await withEmulator(t);
  for (const p of [`/services/data/${API}/limits`, `/services/data/${API}/limits/`, `//services/data/${API}/limits`, `/services//data/${API}//limits/`]) {
    const res = await h.call(p);
    t.equal(res.status, 200, p);
    await res.arrayBuffer();
  }
});

t.test('limits and Sforce-Limit-Info count API requests', async (t) => {
  const h = await withEmulator(t);
  const a = await h.json('limits');
  t.equal(a.status, 200);
  for (const k of ['DailyApiRequests', 'DailyBulkApiBatches', 'DailyBulkV2QueryJobs', 'DailyBulkV2QueryFileStorageMB']) {
    t.type(a.body[k].Max, 'number', `${k}.Max`);
    t.type(a.body[k].Remaining, 'number', `${k}.Remaining`);
  }
  const used1 = Number(/api-usage=(\d+)\//.exec(a.headers.get('sforce-limit-info')!)![1]);
  const b = await h.json('limits');
  const used2 = Number(/api-usage=(\d+)\//.exec(b.headers.get('sforce-limit-info')!)![1]);
  t.equal(used2, used1 + 1);
  t.equal(b.body.DailyApiRequests.Remaining, a.body.DailyApiRequests.Remaining - 1);
});

t.test('sobjects and describe come from captured metadata, urls at the requested version', async (t) => {
  const h = await withEmulator(t);
  const list = await h.json('sobjects/');
  t.equal(list.status, 200);
  t.equal(list.body.encoding, 'UTF-8');
  const account = list.body.sobjects.find((s: any) => s.name === 'Account');
  t.equal(account.keyPrefix, '001');
  t.match(account.urls.describe, `/services/data/${API}/sobjects/Account/describe`);
  t.ok(list.body.sobjects.some((s: any) => s.name === 'Invoice__c' && s.custom === true), 'the custom object is listed');
  const d = await h.json('sobjects/Account/describe/');
  t.equal(d.status, 200);
  t.equal(d.body.name, 'Account');
  const name = d.body.fields.find((f: any) => f.name === 'Name');
  t.match(name, { type: 'string', length: 255, nillable: false, createable: true });
  t.ok(d.body.fields.some((f: any) => f.name === 'BillingAddress' && f.type === 'address'), 'compound fields are described');
  t.ok(d.body.fields.some((f: any) => f.name === 'External_Id__c' && f.externalId === true), 'the demo external id');
  const lower = await h.json('sobjects/account/describe');
  t.equal(lower.body.name, 'Account', 'object names are case-insensitive');
  const missing = await h.json('sobjects/Nope__c/describe');
  t.equal(missing.status, 404);
  t.same(missing.body, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
});

t.test('two emulators in one process: each describe names its own origin and the version asked', async (t) => {
  // Describes are serialized once per process and version (rest-routes.ts); the origin is put in per request.
  const emulators = [await withEmulator(t), await withEmulator(t)];
  t.not(emulators[0]!.url, emulators[1]!.url);
  for (const v of ['v60.0', API, 'v60.0']) {
    for (const h of emulators) {
      const d = await h.json(`/services/data/${v}/sobjects/Account/describe`);
      t.equal(d.status, 200);
      t.equal(d.body.urls.uiDetailTemplate, `${h.url}/{ID}`, `${h.url} ${v}: its own origin`);
      t.equal(d.body.urls.uiNewRecord, `${h.url}/001/e`);
      t.equal(d.body.urls.describe, `/services/data/${v}/sobjects/Account/describe`, `${h.url} ${v}: the version asked`);
      const list = await h.json(`/services/data/${v}/sobjects/`);
      const account = list.body.sobjects.find((s: any) => s.name === 'Account');
      t.equal(account.urls.describe, `/services/data/${v}/sobjects/Account/describe`);
      const raw = JSON.stringify(d.body) + JSON.stringify(list.body);
      t.notMatch(raw, /salesforce\.com/, 'no captured host left');
      t.same([...new Set([...raw.matchAll(/\/services\/data\/(v\d+\.0)\//g)].map((m) => m[1]))], [v], 'no other version left');
    }
  }
});

t.test('an unknown version or path answers 404, a wrong method 405', async (t) => {
  const h = await withEmulator(t);
  t.equal((await h.json('/services/data/v99.0/limits')).status, 404);
  t.equal((await h.json('/services/data/v30.0/limits')).status, 404);
  t.equal((await h.json('/services/data/v40.0/jobs/ingest')).status, 404, 'ingest needs 41.0');
  t.equal((await h.json('/services/data/v46.0/jobs/query')).status, 404, 'query jobs need 47.0');
  const nope = await h.json('nothing/here');
  t.equal(nope.status, 404);
  const wrong = await h.json('limits', { method: 'POST', body: '{}' });
  t.equal(wrong.status, 405);
  t.equal(wrong.body[0].errorCode, 'METHOD_NOT_ALLOWED');
});

t.test('the running user and the REST query endpoint', async (t) => {
  const h = await withEmulator(t);
  const info = await h.json('/services/oauth2/userinfo');
  t.equal(info.status, 200);
  const userId = info.body.user_id;
  const user = await h.json(`sobjects/User/${userId}`);
  t.equal(user.status, 200);
  t.equal(user.body.Id.slice(0, 15), userId.slice(0, 15));
  t.equal(user.body.Username, 'admin@emulator.local');
  const scratch = await h.json(`query?q=${encodeURIComponent('SELECT Id FROM ScratchOrgInfo')}`);
  t.equal(scratch.status, 400);
  t.equal(scratch.body[0].errorCode, 'INVALID_TYPE');
  const q = await h.json(`query?q=${encodeURIComponent('SELECT Id, Name FROM Account LIMIT 3')}`);
  t.equal(q.status, 200);
  t.equal(q.body.records.length, 3);
  t.equal(q.body.records[0].attributes.type, 'Account');
});

t.test('gzip answers when the client accepts gzip', async (t) => {
  const h = await withEmulator(t);
  const body = await new Promise<{ headers: Record<string, unknown>; raw: Buffer }>((resolve, reject) => {
    const u = new URL(`${h.url}/services/data/${API}/sobjects/Account/describe`);
    const req = request(u, { headers: { Authorization: `Bearer ${h.token}`, 'Accept-Encoding': 'gzip, deflate' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  t.equal(body.headers['content-encoding'], 'gzip');
  t.equal(JSON.parse(gunzipSync(body.raw).toString('utf8')).name, 'Account');
  const plain = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const u = new URL(`${h.url}/services/data/${API}/sobjects/Account/describe`);
    const req = request(u, { headers: { Authorization: `Bearer ${h.token}`, 'Accept-Encoding': 'br' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
  t.equal(plain['content-encoding'], undefined, 'other encodings are ignored');
});

t.test('an expired access token gets 401 INVALID_SESSION_ID; a new token works', async (t) => {
  const h = await withEmulator(t, { tokenTtlSeconds: 60 });
  t.equal((await h.json('limits')).status, 200);
  await h.advanceClock(59);
  t.equal((await h.json('limits')).status, 200, 'still valid a second before its lifetime ends');
  await h.advanceClock(1);
  const expired = await h.json('limits');
  t.equal(expired.status, 401);
  t.same(expired.body, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  h.token = await h.newToken();
  t.equal((await h.json('limits')).status, 200);
});
