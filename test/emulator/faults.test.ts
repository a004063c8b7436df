// Fault injection over HTTP, each fault seen by a client; the request log and the admin API.
import t from 'tap';
import { csvRows, withEmulator } from '../helpers/emulator.js';

t.test('http 500 / 503 / 429 / REQUEST_LIMIT_EXCEEDED at a rate, seeded', async (t) => {
  const h = await withEmulator(t);
  const run = async () => {
    await h.admin('/faults', { method: 'POST', body: JSON.stringify({ seed: 7, rules: [{ kind: 'http503', path: '/limits$', rate: 0.5, retryAfterSeconds: 2 }] }) });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await h.json('limits')).status);
    return statuses;
  };
  const a = await run();
  const b = await run();
  t.same(a, b, 'the same seed gives the same faults');
  t.ok(a.includes(503) && a.includes(200), `a mix: ${a.join(',')}`);
  await h.admin('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'http503', retryAfterSeconds: 3, count: 1 }] }) });
  const r503 = await h.json('limits');
  t.equal(r503.status, 503);
  t.equal(r503.headers.get('retry-after'), '3');
  t.equal((await h.json('limits')).status, 200, 'count bounds the fault');
  for (const [kind, status, code] of [['http500', 500, 'UNKNOWN_EXCEPTION'], ['http429', 429, 'REQUEST_LIMIT_EXCEEDED'], ['requestLimitExceeded', 403, 'REQUEST_LIMIT_EXCEEDED']] as const) {
    await h.admin('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind, count: 1 }] }) });
    const r = await h.json('limits');
    t.equal(r.status, status, kind);
    t.equal(r.body[0].errorCode, code, kind);
  }
  const bad = await fetch(`${h.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'meteor' }] }) });
  t.equal(bad.status, 400, 'an invalid fault config is refused');
});

t.test('latency, skip and method/path matching', async (t) => {
  const h = await withEmulator(t);
  await h.admin('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'latency', latencyMs: 1500, method: 'GET', path: '/limits$', skip: 1 }] }) });
  let t0 = Date.now();
  await h.json('limits');
  t.ok(Date.now() - t0 < 1000, 'the first request is skipped');
  t0 = Date.now();
  await h.json('limits');
  t.ok(Date.now() - t0 >= 1490, 'then delayed');
  t0 = Date.now();
  await h.json('sobjects');
  t.ok(Date.now() - t0 < 1000, 'other paths are not');
});

t.test('connection reset before answering and in the middle of a body', async (t) => {
  const h = await withEmulator(t);
  await h.admin('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'connectionReset', count: 1 }] }) });
  await t.rejects(h.call('limits'), 'the client sees a network error');
  t.equal((await h.json('limits')).status, 200);
  await h.admin('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'resetMidResponse', count: 1 }] }) });
  await t.rejects(async () => {
    const res = await h.call('limits');
    await res.text();
  }, 'the body breaks off');
  const log = await h.admin('/requests');
  t.ok(log.some((e: any) => e.fault === 'connectionReset'), 'the log names the fault');
});

t.test('session expiry fault: 401 until the client re-authenticates', async (t) => {
  const h = await withEmulator(t);
  await h.admin('/faults', { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'sessionExpiry', count: 1 }] }) });
  const r = await h.json('limits');
  t.equal(r.status, 401);
  t.equal(r.body[0].errorCode, 'INVALID_SESSION_ID');
  t.equal((await h.json('limits')).status, 401, 'the old token stays dead');
  h.token = await h.newToken();
  t.equal((await h.json('limits')).status, 200);
});

t.test('batch timeouts: a batch is retried up to 20 times (bulk-api-2.md), then the job fails with the rest unprocessed', async (t) => {
  const ingest = async (timeouts: number) => {
    const h = await withEmulator(t, { faults: { batchTimeouts: { attempts: timeouts } } });
    const job = (await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) })).body;
    await h.call(`jobs/ingest/${job.id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: 'Name\nT1\nT2\n' });
    await h.json(`jobs/ingest/${job.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
    return { h, job, info: await h.waitFor(`jobs/ingest/${job.id}`) };
  };
  const last = await ingest(20);
  t.equal(last.info.state, 'JobComplete', 'the 20th retry still runs');
  t.equal(last.info.retries, 20);
  t.equal(last.info.numberRecordsProcessed, 2);

  const over = await ingest(21);
  t.equal(over.info.state, 'Failed', 'a 21st time-out fails the job');
  t.equal(over.info.retries, 20, 'every retry counted, no more than the limit');
  t.equal(over.info.errorMessage, 'InternalServerError : Retried more than 20 times');
  const un = await (await over.h.call(`jobs/ingest/${over.job.id}/unprocessedrecords`)).text();
  t.same(csvRows(un), [['Name'], ['T1'], ['T2']], 'both rows unprocessed');
});

t.test('the request log shows what a client did; admin reset restores the org', async (t) => {
  const h = await withEmulator(t);
  await h.call('/__emulator/requests', { method: 'DELETE' });
  const job = (await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) })).body;
  await h.call(`jobs/ingest/${job.id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: 'Name\nLogged 1\nLogged 2\n' });
  await h.json(`jobs/ingest/${job.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  await h.waitFor(`jobs/ingest/${job.id}`);
  const log = (await h.admin('/requests')) as any[];
  const put = log.filter((e) => e.method === 'PUT' && e.jobId === job.id);
  t.equal(put.length, 1);
  t.equal(put[0].records, 2);
  t.equal(put[0].status, 201);
  const close = log.filter((e) => e.method === 'PATCH' && e.jobId === job.id);
  t.same(close.map((e) => e.state), ['UploadComplete']);
  const before = await h.admin('/counts');
  await h.admin('/reset', { method: 'POST', body: '{}' });
  const after = await h.admin('/counts');
  t.equal(after.Account.live, before.Account.live - 2, 'reset drops what the job inserted');
  h.token = await h.newToken();
  t.equal((await h.json(`jobs/ingest/${job.id}`)).status, 404, 'and the jobs');
});
