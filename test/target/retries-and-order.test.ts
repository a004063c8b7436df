// Transient row failures are re-sent in new jobs (only those rows), lock storms are healed one job at a time with
// rows grouped by parent, what is still failing when retries run out waits in the ledger for the next run, and
// depends_on keeps child rows from racing their parents.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { jobCreates, query, record, requests, runTarget, schema, startTarget, state, waitForStderr, workDir, writeConfig } from './target-harness.js';

const ACC = { ext: { type: 'string' }, Name: { type: 'string' } };
const CON = { LastName: { type: 'string' }, account: { type: 'string' } };

t.test('depends_on: the child stream starts only after its parents are loaded, with relationship columns resolved', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { holdJobs: [{ state: 'InProgress', seconds: 1, object: 'Account', jobType: 'ingest' }] } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, {
    streams: {
      accounts: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c', field_map: { ext: 'External_Id__c' } },
      contacts: { object: 'Contact', field_map: { account: 'Account.External_Id__c' }, depends_on: ['accounts'] },
    },
    max_parallel_jobs: 4,
  });
  const r = await runTarget(cfg, [
    schema('accounts', ACC),
    schema('contacts', CON),
    ...Array.from({ length: 20 }, (_, i) => record('accounts', { ext: `P-${i}`, Name: `Parent ${i}` })),
    ...Array.from({ length: 100 }, (_, i) => record('contacts', { LastName: `Child ${i}`, account: `P-${i % 20}` })),
    state({ ok: true }),
  ]);
  t.equal(r.code, 0, r.stderr);
  const rows = await query(h, 'SELECT LastName, Account.External_Id__c FROM Contact');
  t.equal(rows.length, 100);
  t.ok(rows.every((c) => /^P-\d+$/.test(c['Account.External_Id__c']!)), 'every child found its parent');
  const log = await requests(h);
  const creates = log.filter((q) => q.method === 'POST' && /jobs\/ingest\/?$/.test(q.path));
  t.equal(creates.length, 2);
  const accountResults = log.findIndex((q) => /successfulResults/.test(q.path));
  t.ok(accountResults >= 0 && accountResults < log.indexOf(creates[1]!), 'the Contact job was created after the Account job was reconciled');
});

t.test('a lock storm between parallel jobs is healed by a retry that runs one job at a time, rows grouped by parent', async (t) => {
  const h = await withEmulator(t, {
    seed: { records: { Account: [{ Name: 'A', External_Id__c: 'A' }, { Name: 'B', External_Id__c: 'B' }] } },
    processingRate: 20_000,
    randomSeed: 7,
    faults: { lockFailureRate: 1, holdJobs: [{ state: 'UploadComplete', seconds: 0.5, object: 'Contact', jobType: 'ingest' }] },
  });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { c: { object: 'Contact', field_map: { account: 'Account.External_Id__c' } } }, max_records_per_job: 10_000, max_parallel_jobs: 2 });
  const n = 20_000;
  const r = await runTarget(cfg, [schema('c', CON), ...Array.from({ length: n }, (_, i) => record('c', { LastName: `L${i}`, account: i % 2 ? 'A' : 'B' }))]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /lock contention: retried one job at a time, rows grouped by parent/);
  t.equal((await h.admin('/counts')).Contact.live, n, 'every row loaded once');
  const creates = await jobCreates(h);
  t.ok(creates.length >= 3, `${creates.length} jobs: the two first, then retries`);
  const log = await requests(h);
  const uploads = log.filter((q) => q.method === 'PUT');
  const retried = uploads.slice(2).reduce((sum, q) => sum + (q.records ?? 0), 0);
  t.ok(retried > 0 && retried < n, `the retries carried only the ${retried} rows that failed`);
  const jobs = await h.admin<{ id: string; numberRecordsFailed: number }[]>('/jobs');
  t.ok(jobs[0]!.numberRecordsFailed + jobs[1]!.numberRecordsFailed > 0, 'the two parallel jobs did fight over the parents');
  // One at a time: each retry job is created only after the previous retry job's results were read.
  const retryIds = jobs.slice(2).map((j) => j.id);
  for (let k = 1; k < retryIds.length; k++) {
    const created = log.findIndex((q) => q.method === 'POST' && q.jobId === retryIds[k]);
    const prevDone = log.findIndex((q) => q.jobId === retryIds[k - 1] && /unprocessedrecords/.test(q.path));
    t.ok(prevDone >= 0 && prevDone < created, `retry job ${k + 1} started after retry job ${k} was reconciled`);
  }
});

t.test('a job that ends Failed has its unprocessed rows re-sent in a new job, only those rows', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { batchTimeouts: { attempts: 100, object: 'Account' } } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } } });
  const run = startTarget(cfg, [schema('acc', { Name: { type: 'string' } }), ...Array.from({ length: 30 }, (_, i) => record('acc', { Name: `F${i}` })), state({ s: 30 })].join('\n') + '\n', ['--log-level', 'debug']);
  await waitForStderr(run, /attempt 1, 30 rows\) job \w+: terminal/);
  await h.admin('/faults', { method: 'DELETE' });
  const r = await run.done;
  t.equal(r.code, 0, r.stderr);
  t.same(r.states, [{ s: 30 }]);
  const jobs = await h.admin<{ state: string; numberRecordsProcessed: number }[]>('/jobs');
  t.same(jobs.map((j) => j.state), ['Failed', 'JobComplete']);
  const uploads = (await requests(h)).filter((q) => q.method === 'PUT').map((q) => q.records);
  t.same(uploads, [30, 30], 'the retry job carried the 30 unprocessed rows');
  t.equal((await h.admin('/counts')).Account.live, 30);
});

t.test('transient failures still failing when retries run out wait in the ledger and are sent first on the next run', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { batchTimeouts: { attempts: 100, object: 'Account' } } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_retries: 1 });
  const r1 = await runTarget(cfg, [schema('acc', { Name: { type: 'string' } }), ...Array.from({ length: 25 }, (_, i) => record('acc', { Name: `P${i}` })), state({ s: 1 })]);
  t.equal(r1.code, 3, 'rows pending: exit 3');
  t.match(r1.stderr, /25 rows failed transiently and wait in the ledger for the next run/);
  t.same(r1.states, [{ s: 1 }], 'pending rows are accounted for (in the ledger): STATE passes');
  t.equal((await jobCreates(h)).length, 2, 'the first job and one retry');
  await h.admin('/faults', { method: 'DELETE' });
  const r2 = await runTarget(cfg, [schema('other', { x: { type: 'string' } }), state({ s: 2 })]);
  t.equal(r2.code, 0, r2.stderr);
  t.same(r2.states, [{ s: 2 }]);
  t.equal((await h.admin('/counts')).Account.live, 25, 'the pending rows were loaded by the next run');
  const r3 = await runTarget(cfg, [state({ s: 3 })]);
  t.equal(r3.code, 0);
  t.equal((await jobCreates(h)).length, 3, 'and only once');
});
