// Daily allocations over real HTTP, with small ones loaded by POST /__emulator/seed (settings.allocations, see
// schemas/emulator-seed.schema.json): ingest records, API requests, query jobs, batches; /limits counting down
// (shared/reference/bulk-api-2.md §3 "Processing model", §5, §6).
import t from 'tap';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

async function seed(h: Harness, body: object): Promise<void> {
  const r = await h.admin('/seed', { method: 'POST', body: JSON.stringify(body) });
  if (r?.ok !== true) throw new Error(`seed refused: ${JSON.stringify(r)}`);
  h.token = await h.newToken();
}

function names(prefix: string, n: number): string {
  const lines = ['Name'];
  for (let i = 0; i < n; i++) lines.push(`${prefix} ${i}`);
  return lines.join('\n') + '\n';
}

async function runInsert(h: Harness, csv: string) {
  const c = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) });
  if (c.status !== 200) throw new Error(`create: ${c.status} ${JSON.stringify(c.body)}`);
  const id = c.body.id as string;
  const put = await h.call(`jobs/ingest/${id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv });
  if (put.status !== 201) throw new Error(`upload: ${put.status}`);
  await h.json(`jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  const info = await h.waitFor(`jobs/ingest/${id}`, ['JobComplete', 'Failed', 'Aborted'], 15_000);
  const rows = async (set: string) => csvRows(await (await h.call(`jobs/ingest/${id}/${set}`)).text()).length - 1;
  return { info, ok: await rows('successfulResults'), failed: await rows('failedResults'), unprocessed: await rows('unprocessedrecords') };
}

const remaining = async (h: Harness, key: string): Promise<number> => (await h.json('limits')).body[key].Remaining;

t.test('the daily ingest record allocation: the job that exceeds it fails, the rest unprocessed', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  await seed(h, { settings: { allocations: { dailyBulkIngestRecords: 15_000 } } });
  const big = await runInsert(h, names('Quota', 25_000));
  t.equal(big.info.state, 'Failed');
  t.equal(big.info.errorMessage, 'ExceededQuota : ApiBatchItems Limit exceeded', 'the documented errorMessage');
  t.equal(big.ok, 10_000, 'the first internal batch fit in the allocation and was processed');
  t.equal(big.info.numberRecordsProcessed, 10_000);
  t.equal(big.unprocessed, 15_000, 'the batches beyond the allocation are unprocessed');
  t.equal(big.ok + big.failed + big.unprocessed, 25_000, 'every row accounted for');
  t.equal((await h.admin('/counts')).Account.live, 10_000, 'successful rows are not rolled back');

  const next = await runInsert(h, names('After', 3));
  t.equal(next.info.state, 'JobComplete', '3 more records still fit (10,003 of 15,000)');
  const over = await runInsert(h, names('Over', 5_000));
  t.equal(over.info.state, 'Failed', 'a job that would pass the allocation fails before any row');
  t.equal(over.info.errorMessage, 'ExceededQuota : ApiBatchItems Limit exceeded');
  t.equal(over.info.numberRecordsProcessed, 0);
  t.equal(over.unprocessed, 5_000, 'all its rows are unprocessed');
});

t.test('DailyApiRequests exhausted: 403 REQUEST_LIMIT_EXCEEDED; /limits and Sforce-Limit-Info count down', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  await seed(h, { settings: { allocations: { dailyApiRequests: 6 } } });
  const first = await h.json('limits');
  t.equal(first.status, 200);
  t.same(first.body.DailyApiRequests, { Max: 6, Remaining: 5 }, 'the seed sets Max; this call used one');
  t.equal(first.headers.get('sforce-limit-info'), 'api-usage=1/6', 'Sforce-Limit-Info agrees with the body of the same answer');
  const second = await h.json('limits');
  t.equal(second.body.DailyApiRequests.Remaining, 4, 'Remaining goes down by one per call');
  t.equal(second.headers.get('sforce-limit-info'), 'api-usage=2/6', 'Sforce-Limit-Info agrees with the body');
  const used = (hdr: string | null) => Number(/^api-usage=(\d+)\/6$/.exec(hdr ?? '')?.[1]);
  t.equal(used(second.headers.get('sforce-limit-info')), used(first.headers.get('sforce-limit-info')) + 1, 'the header counts up by one per call');
  const token = await fetch(`${h.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'emulator-client', client_secret: 'emulator-secret' }),
  });
  t.equal(token.status, 200, 'OAuth is not a REST call');
  await token.arrayBuffer();
  t.equal((await h.admin('/counts')).Account.live, 0, 'the admin API is not counted');
  for (let i = 0; i < 4; i++) t.equal((await h.json('sobjects')).status, 200, `call ${3 + i} of 6`);
  const refused = await h.json('limits');
  t.equal(refused.status, 403, 'the 7th call is refused');
  t.same(refused.body, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
  t.equal(refused.headers.get('sforce-limit-info'), 'api-usage=6/6', 'refused calls are not counted');
  const ingest = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) });
  t.equal(ingest.status, 403, 'Bulk endpoints too');
  t.equal(ingest.body[0].errorCode, 'REQUEST_LIMIT_EXCEEDED');
  await seed(h, { settings: { allocations: { dailyApiRequests: 6 } } });
  t.equal((await h.json('limits')).status, 200, 'a new seed starts a new day');
});

t.test('DailyBulkV2QueryJobs exhausted: query job create is refused', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  await seed(h, { settings: { allocations: { dailyBulkV2QueryJobs: 2 } } });
  const create = (q: string) => h.json('jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: q }) });
  t.same((await h.json('limits')).body.DailyBulkV2QueryJobs, { Max: 2, Remaining: 2 });
  const a = await create('SELECT Id FROM Account');
  t.equal(a.status, 200);
  t.equal(await remaining(h, 'DailyBulkV2QueryJobs'), 1, 'one query job used');
  const bad = await create('SELEC Id FROM Account');
  t.equal(bad.status, 400);
  t.equal(bad.body[0].errorCode, 'MALFORMED_QUERY');
  t.equal(await remaining(h, 'DailyBulkV2QueryJobs'), 1, 'a refused query does not count');
  t.equal((await create('SELECT Id FROM Contact')).status, 200);
  t.equal(await remaining(h, 'DailyBulkV2QueryJobs'), 0);
  const third = await create('SELECT Id FROM Lead');
  t.equal(third.status, 400, 'the third query job is refused at create');
  t.equal(third.body[0].errorCode, 'LIMIT_EXCEEDED');
  t.match(third.body[0].message, /bulk v2 query jobs \(2\) per 24 hrs/i);
  const list = await h.json('jobs/query');
  t.equal(list.body.records.length, 2, 'no job was created for the refused request');
  await h.waitFor(`jobs/query/${a.body.id}`);
  const res = await h.call(`jobs/query/${a.body.id}/results`);
  t.equal(res.status, 200, 'results of the jobs already created are still served');
  await res.arrayBuffer();
});

t.test('DailyBulkApiBatches: each internal batch counts; beyond it the job fails', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  await seed(h, { settings: { allocations: { dailyBulkApiBatches: 3 } } });
  t.equal(await remaining(h, 'DailyBulkApiBatches'), 3);
  const one = await runInsert(h, names('Batch', 10_001));
  t.equal(one.info.state, 'JobComplete');
  t.equal(await remaining(h, 'DailyBulkApiBatches'), 1, '10,001 rows = 2 internal batches');
  const two = await runInsert(h, names('Batch2', 20));
  t.equal(two.info.state, 'JobComplete');
  t.equal(await remaining(h, 'DailyBulkApiBatches'), 0);
  const three = await runInsert(h, names('Batch3', 20));
  t.equal(three.info.state, 'Failed', 'no batch left');
  t.equal(three.info.errorMessage, 'ExceededQuota : ApiBatches Limit exceeded');
  t.equal(three.info.numberRecordsProcessed, 0);
  t.equal(three.unprocessed, 20, 'the emulator reports the rows unprocessed (the reference says Salesforce drops them)');
});

t.test('the seeded running user is the one tokens authenticate as', async (t) => {
  const h = await withEmulator(t, { seed: 'demo' });
  await seed(h, { user: { username: 'ivy@small.example.com', lastName: 'Integration', email: 'ivy@small.example.com' } });
  const info = (await h.json('/services/oauth2/userinfo')).body;
  t.equal(info.preferred_username, 'ivy@small.example.com', 'userinfo names the seeded running user', {});
});
