// The remaining endpoints over HTTP: resources, sobject basic info, REST queryAll, revoke, and the admin API.
import t from 'tap';
import { API, withEmulator } from '../helpers/emulator.js';

t.test('the version root lists resources; sobjects/{name} gives the object summary', async (t) => {
  const h = await withEmulator(t);
  const root = await h.json('');
  t.equal(root.status, 200);
  t.equal(root.body.sobjects, `/services/data/${API}/sobjects`);
  t.equal(root.body.jobs, `/services/data/${API}/jobs`);
  t.equal(root.body.limits, `/services/data/${API}/limits`);
  const basic = await h.json('sobjects/Contact');
  t.equal(basic.status, 200);
  t.equal(basic.body.objectDescribe.name, 'Contact');
  t.equal(basic.body.objectDescribe.keyPrefix, '003');
  t.same(basic.body.recentItems, []);
});

t.test('REST queryAll sees soft-deleted rows that query does not', async (t) => {
  const h = await withEmulator(t);
  const soql = encodeURIComponent('SELECT Id FROM Account WHERE IsDeleted = true');
  const live = await h.json(`query?q=${soql}`);
  const all = await h.json(`queryAll?q=${soql}`);
  t.equal(live.status, 200);
  t.equal(live.body.totalSize, 0);
  t.ok(all.body.totalSize > 0);
  t.equal(all.body.done, true);
  const missing = await h.json('query');
  t.equal(missing.status, 400);
  t.equal(missing.body[0].errorCode, 'MALFORMED_QUERY');
});

t.test('revoke ends a token', async (t) => {
  const h = await withEmulator(t);
  const res = await fetch(`${h.url}/services/oauth2/revoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: h.token }),
  });
  t.equal(res.status, 200);
  await res.arrayBuffer();
  t.equal((await h.json('limits')).status, 401);
});

t.test('admin API: health, jobs, sessions/expire, seed, counts, request log since', async (t) => {
  const h = await withEmulator(t);
  const health = await h.admin('/health');
  t.equal(health.ok, true);
  t.match(health.orgId, /^00D/);
  const created = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Lead', operation: 'insert' }) });
  const jobs = await h.admin('/jobs');
  t.same(jobs.map((j: any) => j.id), [created.body.id]);
  t.equal(jobs[0].jobType, 'V2Ingest');
  const log = await h.admin('/requests');
  const last = log[log.length - 1].seq;
  await h.json('limits');
  const since = await h.admin(`/requests?since=${last}`);
  t.same(since.map((e: any) => e.path), [`/services/data/${API}/limits`], 'only what came after');
  t.ok(since.every((e: any) => !e.path.startsWith('/__emulator')), 'admin calls are not logged');
  await h.admin('/sessions/expire', { method: 'POST' });
  t.equal((await h.json('limits')).status, 401);
  await h.admin('/seed', { method: 'POST', body: JSON.stringify({ records: { Account: [{ Name: 'Only One', External_Id__c: 'ONE' }] } }) });
  const counts = await h.admin('/counts');
  t.equal(counts.Account.live, 1);
  t.equal(counts.Contact.live, 0);
  const bad = await fetch(`${h.url}/__emulator/seed`, { method: 'POST', body: JSON.stringify({ records: { Account: [{ NoSuchField__c: 1 }] } }) });
  t.equal(bad.status, 400, 'a seed the schema or metadata refuses is an error naming the field');
  t.match(await bad.text(), /NoSuchField__c/);
  t.equal((await h.admin('/counts')).Account.live, 1, 'and the org is unchanged');
  const nope = await fetch(`${h.url}/__emulator/nothing`);
  t.equal(nope.status, 404);
  await nope.arrayBuffer();
});

t.test('a token passed in the query string never reaches the request log', async (t) => {
  const h = await withEmulator(t);
  const info = await h.json('/services/oauth2/userinfo');
  const idUrl = `${h.url}/id/${info.body.organization_id}/${info.body.user_id}`;
  const res = await fetch(`${idUrl}?oauth_token=${encodeURIComponent(h.token)}&version=62.0`);
  t.equal(res.status, 200);
  await res.arrayBuffer();
  const log = JSON.stringify(await h.admin('/requests'));
  t.notOk(log.includes(h.token), 'the token is not in the log');
  t.match(log, /oauth_token=REDACTED&version=62\.0/);
});

t.test('admin clock: advancing it moves the emulator time that jobs and tokens read; it never runs back', async (t) => {
  const h = await withEmulator(t, { now: () => Date.UTC(2026, 0, 15, 12, 0, 0) });
  t.same(await h.admin('/clock'), { now: '2026-01-15T12:00:00.000Z' }, 'the injected source');
  t.same(await h.admin('/clock', { method: 'POST', body: JSON.stringify({ advanceSeconds: 86_400 }) }), { now: '2026-01-16T12:00:00.000Z' });
  t.equal((await h.json('limits')).status, 401, 'the token issued a day ago (two-hour lifetime) has expired');
  h.token = await h.newToken();
  const job = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) });
  t.equal(job.body.createdDate, '2026-01-16T12:00:00.000+0000', 'job timestamps follow the clock');
  const today = await h.admin('/query', { method: 'POST', body: JSON.stringify({ soql: 'SELECT Id FROM Account WHERE CreatedDate = TODAY' }) });
  t.equal(today.count, 0, 'TODAY is the clock\'s day: the demo org was seeded the day before');
  for (const advanceSeconds of [-1, 'soon']) {
    const bad = await fetch(`${h.url}/__emulator/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds }) });
    t.equal(bad.status, 400, `advanceSeconds ${JSON.stringify(advanceSeconds)} is refused`);
    t.match(await bad.text(), /advanceSeconds/);
  }
  await h.advanceClock(7199);
  t.equal((await h.json('limits')).status, 200, 'a token is good for its whole lifetime');
  await h.advanceClock(1);
  t.equal((await h.json('limits')).status, 401, 'and not a second longer');
});
