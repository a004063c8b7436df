// Query jobs over HTTP: errors at create, abort/delete rules, version rule for results, locators, resultPages.
import t from 'tap';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

async function queryJob(h: Harness, query: string, operation = 'query', version = 'v62.0'): Promise<any> {
  const r = await h.json(`/services/data/${version}/jobs/query`, { method: 'POST', body: JSON.stringify({ operation, query }) });
  return r;
}

t.test('what Bulk API 2.0 refuses is refused at create with Salesforce error codes', async (t) => {
  const h = await withEmulator(t);
  const cases: [string, string][] = [
    ['SELECT COUNT() FROM Account', ''],
    ['SELECT Name FROM Account GROUP BY Name', ''],
    ['SELECT Id FROM Account LIMIT 5 OFFSET 5', ''],
    ['SELECT Id, (SELECT Id FROM Contacts) FROM Account', 'Aggregate Relationships not supported in Bulk V2 Query'],
    ['SELECT Id, BillingAddress FROM Account', ''],
    ['SELECT Id FROM Nope__c', ''],
    ['SELECT Id, Nope__c FROM Account', ''],
    ['SELEC Id FROM Account', ''],
  ];
  for (const [q, text] of cases) {
    const r = await queryJob(h, q);
    t.equal(r.status, 400, q);
    t.ok(Array.isArray(r.body) && typeof r.body[0].errorCode === 'string', `${q}: ${r.body?.[0]?.errorCode}`);
    if (text) t.match(r.body[0].message, text);
  }
  t.equal((await queryJob(h, 'SELECT Id FROM Nope__c')).body[0].errorCode, 'INVALID_TYPE');
  t.equal((await queryJob(h, 'SELECT Id, Nope__c FROM Account')).body[0].errorCode, 'INVALID_FIELD');
  t.equal((await queryJob(h, 'SELEC Id FROM Account')).body[0].errorCode, 'MALFORMED_QUERY');
  const op = await queryJob(h, 'SELECT Id FROM Account', 'update');
  t.equal(op.status, 400);
});

t.test('abort and delete follow the query job rules', async (t) => {
  const h = await withEmulator(t, { faults: { holdJobs: [{ state: 'InProgress', seconds: 30, jobType: 'query' }] } });
  const held = (await queryJob(h, 'SELECT Id FROM Account')).body.id;
  await h.waitFor(`jobs/query/${held}`, ['InProgress']);
  const del = await h.json(`jobs/query/${held}`, { method: 'DELETE' });
  t.same(del, { ...del, status: 400 });
  t.same(del.body, [{ errorCode: 'API_ERROR', message: 'Error encountered when deleting the job because the job is not terminated' }]);
  const ab = await h.json(`jobs/query/${held}`, { method: 'PATCH', body: JSON.stringify({ state: 'Aborted' }) });
  t.equal(ab.status, 200);
  t.equal(ab.body.state, 'Aborted');
  t.equal((await h.call(`jobs/query/${held}`, { method: 'DELETE' })).status, 204);

  await h.admin('/faults', { method: 'DELETE' });
  const done = (await queryJob(h, 'SELECT Id FROM Account')).body.id;
  await h.waitFor(`jobs/query/${done}`);
  const late = await h.json(`jobs/query/${done}`, { method: 'PATCH', body: JSON.stringify({ state: 'Aborted' }) });
  t.equal(late.status, 400);
  t.same(late.body, [{ errorCode: 'INVALIDJOBSTATE', message: 'Aborting already Completed Job not allowed' }]);
  const close = await h.json(`jobs/query/${done}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  t.equal(close.status, 400);
});

t.test('results only when JobComplete and only at the job API version (409)', async (t) => {
  const h = await withEmulator(t, { faults: { holdJobs: [{ state: 'UploadComplete', seconds: 30, jobType: 'query' }] } });
  const queued = (await queryJob(h, 'SELECT Id FROM Account')).body.id;
  const early = await h.json(`jobs/query/${queued}/results`);
  t.equal(early.status, 400);
  t.equal(early.body[0].errorCode, 'INVALIDJOBSTATE');
  await h.admin('/faults', { method: 'DELETE' });
  const id = (await queryJob(h, 'SELECT Id FROM Account', 'query', 'v60.0')).body.id;
  await h.waitFor(`/services/data/v60.0/jobs/query/${id}`);
  const other = await h.json(`/services/data/v62.0/jobs/query/${id}/results`);
  t.equal(other.status, 409);
  const pages = await h.json(`/services/data/v62.0/jobs/query/${id}/resultPages`);
  t.equal(pages.status, 409);
  const same = await h.call(`/services/data/v60.0/jobs/query/${id}/results`);
  t.equal(same.status, 200);
  await same.text();
  const old = (await queryJob(h, 'SELECT Id FROM Account', 'query', 'v57.0')).body.id;
  await h.waitFor(`/services/data/v57.0/jobs/query/${old}`);
  t.equal((await h.json(`/services/data/v57.0/jobs/query/${old}/resultPages`)).status, 404, 'resultPages needs 58.0');
  const bad = await h.json(`/services/data/v60.0/jobs/query/${id}/results?locator=%%%`);
  t.equal(bad.status, 400, 'a locator that was never issued is refused');
});

t.test('queryAll returns soft-deleted rows with IsDeleted, query does not', async (t) => {
  const h = await withEmulator(t);
  const counts = await h.admin('/counts');
  t.ok(counts.Account.deleted > 0, 'the demo org has soft-deleted Accounts');
  for (const [op, expected] of [['query', counts.Account.live], ['queryAll', counts.Account.live + counts.Account.deleted]] as const) {
    const id = (await queryJob(h, 'SELECT Id, IsDeleted FROM Account', op)).body.id;
    const info = await h.waitFor(`jobs/query/${id}`);
    t.equal(info.numberRecordsProcessed, expected, op);
    const rows = csvRows(await (await h.call(`jobs/query/${id}/results`)).text());
    t.equal(rows.length - 1, expected);
    const deleted = rows.slice(1).filter((r) => r[1] === 'true').length;
    t.equal(deleted, op === 'query' ? 0 : counts.Account.deleted);
  }
});

t.test('resultPages lists up to five result URLs per call; pages read in any order join to the whole', async (t) => {
  const h = await withEmulator(t, { limits: { defaultPageRecords: 17 } });
  const id = (await queryJob(h, 'SELECT Id FROM Contact ORDER BY Id')).body.id;
  const info = await h.waitFor(`jobs/query/${id}`);
  const urls: string[] = [];
  let next: string | null = `jobs/query/${id}/resultPages`;
  let calls = 0;
  while (next && calls < 100) {
    const r: { status: number; body: any } = await h.json(next);
    t.equal(r.status, 200);
    t.ok(r.body.resultPages.length >= 1 && r.body.resultPages.length <= 5);
    urls.push(...r.body.resultPages.map((p: any) => p.resultUrl));
    t.equal(r.body.done, r.body.nextRecordsUrl === null);
    if (r.body.nextRecordsUrl) t.match(r.body.nextRecordsUrl, `/jobs/query/${id}/resultpages?locator=`);
    next = r.body.nextRecordsUrl;
    calls++;
  }
  t.equal(urls.length, Math.ceil(info.numberRecordsProcessed / 17));
  const pages = await Promise.all(urls.reverse().map(async (u) => csvRows(await (await h.call(u)).text()).slice(1)));
  const ids = pages.reverse().flat().map((r) => r[0]);
  t.equal(ids.length, info.numberRecordsProcessed);
  t.same(ids, [...ids].sort(), 'in order when joined in URL order');
});
