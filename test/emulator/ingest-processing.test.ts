// The processing model: internal batches of 10,000, waves of `parallelism` batches at a modelled rate,
// batch timeouts and retries, daily allocations, abort, parent-lock contention, accounting.
import t from 'tap';
import { BATCH_SIZE, IngestRun, LockRegistry, MAX_BATCH_RETRIES } from '../../src/emulator/ingest/index.js';
import { seededRng } from '../../src/emulator/rng.js';
import { accountsCsv, dataRows, makeEnv, makeStore, runJob, spec } from './ingest-helpers.js';

function counts(run: IngestRun) {
  return {
    successful: dataRows(run.successfulResults()).length,
    failed: dataRows(run.failedResults()).length,
    unprocessed: dataRows(run.unprocessedRecords()).length,
  };
}

t.test('numberRecordsProcessed grows over time at the modelled rate', async (t) => {
  const store = makeStore();
  const env = makeEnv(store, { processingRate: 2000 });
  const run = new IngestRun(env, spec('Account', 'insert'), Buffer.from(accountsCsv(1000)));
  const seen: number[] = [];
  const t0 = Date.now();
  const done = run.start();
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    seen.push(run.progress.numberRecordsProcessed);
    await new Promise((r) => setTimeout(r, 40));
  }
  const elapsed = Date.now() - t0;
  t.same(await done, { state: 'JobComplete' });
  t.equal(run.progress.numberRecordsProcessed, 1000);
  const intermediate = new Set(seen.filter((n) => n > 0 && n < 1000));
  t.ok(intermediate.size >= 2, `progress observed in steps: ${[...intermediate].join(', ')}`);
  t.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]), 'never goes back');
  t.ok(elapsed >= 400, `1,000 records at 2,000/s take about 0.5 s (took ${elapsed} ms)`);
  t.ok(run.progress.totalProcessingTime >= 400, 'totalProcessingTime in ms');
  t.ok(run.progress.apiActiveProcessingTime > 0 && run.progress.apiActiveProcessingTime <= run.progress.totalProcessingTime);
  t.equal(run.progress.apexProcessingTime, 0);
});

t.test('batches run `parallelism` at a time', async (t) => {
  // while the job runs, look at which rows are done: with parallelism 2 both batches advance together
  async function halvesSeen(parallelism: number): Promise<[boolean, boolean]> {
    const store = makeStore();
    const env = makeEnv(store, { processingRate: 20_000, parallelism });
    const run = new IngestRun(env, spec('Account', 'insert'), Buffer.from(accountsCsv(2 * BATCH_SIZE)));
    const done = run.start();
    while (run.progress.numberRecordsProcessed < 1000) await new Promise((r) => setTimeout(r, 10));
    const names = dataRows(run.successfulResults()).map((r) => Number(r[2].slice(4)));
    run.abort();
    await done;
    return [names.some((n) => n < BATCH_SIZE), names.some((n) => n >= BATCH_SIZE)];
  }
  t.same(await halvesSeen(2), [true, true], 'parallelism 2: both batches in progress at once');
  t.same(await halvesSeen(1), [true, false], 'parallelism 1: the second batch waits');
});

t.test('a timed-out batch is retried; its work is discarded', async (t) => {
  const store = makeStore();
  const attempts: string[] = [];
  const env = makeEnv(store, {
    timeouts: (_job, b, attempt) => {
      attempts.push(`${b}:${attempt}`);
      return attempt < 3;
    },
  });
  const { run, outcome } = await runJob(env, spec('Account', 'insert'), accountsCsv(5));
  t.same(outcome, { state: 'JobComplete' });
  t.equal(run.progress.retries, 3);
  t.same(attempts, ['0:0', '0:1', '0:2', '0:3'], 'attempts are numbered from 0');
  t.equal(store.table('Account')!.count(), 5, 'each record written once');
});

t.test(`after ${MAX_BATCH_RETRIES} retries the job fails; the rest is unprocessed`, async (t) => {
  const store = makeStore();
  const env = makeEnv(store, { parallelism: 4, timeouts: (_job, b) => b === 1 });
  const { run, outcome } = await runJob(env, spec('Account', 'insert'), accountsCsv(25_000));
  t.same(outcome, { state: 'Failed', errorMessage: `InternalServerError : Retried more than ${MAX_BATCH_RETRIES} times` });
  t.equal(run.progress.retries, MAX_BATCH_RETRIES);
  t.same(counts(run), { successful: 15_000, failed: 0, unprocessed: 10_000 }, 'batches 0 and 2 completed and are kept');
  t.equal(run.progress.numberRecordsProcessed, 15_000);
  const un = dataRows(run.unprocessedRecords());
  t.same([un[0], un[un.length - 1]], [['Acc 10000'], ['Acc 19999']]);

  const store2 = makeStore();
  const env2 = makeEnv(store2, { parallelism: 1, timeouts: (_job, b) => b === 0 });
  const r2 = await runJob(env2, spec('Account', 'insert'), accountsCsv(25_000));
  t.equal(r2.outcome.state, 'Failed');
  t.same(counts(r2.run), { successful: 0, failed: 0, unprocessed: 25_000 }, 'serial: nothing after the failing batch runs');
});

t.test('daily allocations: records and batches', async (t) => {
  const store = makeStore();
  const env = makeEnv(store, { parallelism: 1, recordAllocation: 15_000 });
  const { run, outcome } = await runJob(env, spec('Account', 'insert'), accountsCsv(25_000));
  t.same(outcome, { state: 'Failed', errorMessage: 'ExceededQuota : ApiBatchItems Limit exceeded' });
  t.same(counts(run), { successful: 10_000, failed: 0, unprocessed: 15_000 });
  t.equal(env.used.records, 10_000);

  const store2 = makeStore();
  const env2 = makeEnv(store2, { parallelism: 4, batchAllocation: 2 });
  const r2 = await runJob(env2, spec('Account', 'insert'), accountsCsv(25_000));
  t.same(r2.outcome, { state: 'Failed', errorMessage: 'ExceededQuota : ApiBatches Limit exceeded' });
  t.same(counts(r2.run), { successful: 20_000, failed: 0, unprocessed: 5_000 }, 'batches allocated before the limit still run');
});

t.test('abort stops after the batch in flight', async (t) => {
  const store = makeStore();
  const env = makeEnv(store, { processingRate: 100_000, parallelism: 1 });
  const run = new IngestRun(env, spec('Account', 'insert'), Buffer.from(accountsCsv(30_000)));
  const done = run.start();
  while (run.progress.numberRecordsProcessed === 0) await new Promise((r) => setTimeout(r, 5));
  run.abort();
  t.same(await done, { state: 'Aborted' });
  t.same(counts(run), { successful: 10_000, failed: 0, unprocessed: 20_000 });

  const early = new IngestRun(env, spec('Account', 'insert'), Buffer.from(accountsCsv(3)));
  early.abort();
  t.same(await early.start(), { state: 'Aborted' });
  t.same(counts(early), { successful: 0, failed: 0, unprocessed: 3 });
});

/** Contacts for `parents` accounts: row i references parents[pick(i)]. */
function contactsCsv(n: number, parents: readonly string[], pick: (i: number) => number): string {
  const lines = ['LastName,AccountId'];
  for (let i = 0; i < n; i++) lines.push(`C${i},${parents[pick(i)]}`);
  return lines.join('\n') + '\n';
}

async function parentsOf(n: number) {
  const store = makeStore();
  const { run } = await runJob(makeEnv(store), spec('Account', 'insert'), accountsCsv(n));
  return { store, ids: dataRows(run.successfulResults()).map((r) => r[0]) };
}

t.test('UNABLE_TO_LOCK_ROW when a parent spans two batches running at the same moment', async (t) => {
  const { store, ids } = await parentsOf(2);
  const env = makeEnv(store, { lockFailureRate: 1, parallelism: 2 });
  // parent 0 in both batches, parent 1 only in the second one
  const csv = contactsCsv(2 * BATCH_SIZE, ids, (i) => (i < BATCH_SIZE ? 0 : i % 2));
  const { run, outcome } = await runJob(env, spec('Contact', 'insert'), csv);
  t.same(outcome, { state: 'JobComplete' });
  const failed = dataRows(run.failedResults());
  t.equal(failed.length, BATCH_SIZE + BATCH_SIZE / 2, 'every row on the shared parent fails at rate 1');
  t.ok(failed.every((r) => r[1] === 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--'));
  t.ok(failed.every((r) => r[3] === ids[0]), 'only rows of the shared parent');
  t.equal(env.locks.size, 0, 'locks released at the end of the wave');

  // a partial rate is seeded: the same seed gives the same failures
  const runs = [];
  for (let k = 0; k < 2; k++) {
    const e = makeEnv(store, { lockFailureRate: 0.3, parallelism: 2, rng: seededRng(7) });
    runs.push((await runJob(e, spec('Contact', 'insert'), contactsCsv(2 * BATCH_SIZE, ids, () => 0))).run);
  }
  const f0 = runs[0].progress.numberRecordsFailed;
  t.ok(f0 > 0.25 * 2 * BATCH_SIZE && f0 < 0.35 * 2 * BATCH_SIZE, `about 30% fail (${f0})`);
  t.equal(runs[1].progress.numberRecordsFailed, f0, 'deterministic');
  t.same(dataRows(runs[1].failedResults()).map((r) => r[2]), dataRows(runs[0].failedResults()).map((r) => r[2]));
});

t.test('no contention when rows are grouped by parent or batches run one at a time', async (t) => {
  const { store, ids } = await parentsOf(2);
  const grouped = makeEnv(store, { lockFailureRate: 1, parallelism: 2 });
  const g = await runJob(grouped, spec('Contact', 'insert'), contactsCsv(2 * BATCH_SIZE, ids, (i) => (i < BATCH_SIZE ? 0 : 1)));
  t.equal(g.run.progress.numberRecordsFailed, 0, 'each parent within one batch');
  const serial = makeEnv(store, { lockFailureRate: 1, parallelism: 1 });
  const s = await runJob(serial, spec('Contact', 'insert'), contactsCsv(2 * BATCH_SIZE, ids, () => 0));
  t.equal(s.run.progress.numberRecordsFailed, 0, 'one batch at a time');
  const rel = await runJob(grouped, spec('Contact', 'insert'), 'LastName,Account.Id\nA,' + ids[0] + '\n');
  t.equal(rel.run.progress.numberRecordsFailed, 0);
});

t.test('jobs running at the same moment contend; jobs run one after the other do not', async (t) => {
  const { store, ids } = await parentsOf(1);
  const locks = new LockRegistry();
  const envA = makeEnv(store, { lockFailureRate: 1, locks, rng: seededRng(1) });
  const envB = makeEnv(store, { lockFailureRate: 1, locks, rng: seededRng(2) });
  const csv = Buffer.from(contactsCsv(1000, ids, () => 0));
  const a = new IngestRun(envA, spec('Contact', 'insert'), csv);
  const b = new IngestRun(envB, spec('Contact', 'insert'), csv);
  await Promise.all([a.start(), b.start()]);
  // A's chunks all run while B holds the parent; B's last chunk runs after A has finished and released it
  t.equal(a.progress.numberRecordsFailed, 1000, 'both jobs hold the parent at the same moment');
  t.ok(b.progress.numberRecordsFailed >= 800, `B collides while A runs (${b.progress.numberRecordsFailed})`);
  const c = await runJob(envA, spec('Contact', 'insert'), csv);
  const d = await runJob(envB, spec('Contact', 'insert'), csv);
  t.equal(c.run.progress.numberRecordsFailed + d.run.progress.numberRecordsFailed, 0, 'serial jobs never collide');
  t.equal(locks.size, 0);

  // deletes lock the parent of the deleted child too
  const ids2 = dataRows(c.run.successfulResults()).map((r) => r[0]);
  const delCsv = Buffer.from('Id\n' + ids2.join('\n') + '\n');
  const half = Buffer.from('Id\n' + dataRows(d.run.successfulResults()).map((r) => r[0]).join('\n') + '\n');
  const x = new IngestRun(envA, spec('Contact', 'delete'), delCsv);
  const y = new IngestRun(envB, spec('Contact', 'delete'), half);
  await Promise.all([x.start(), y.start()]);
  t.equal(x.progress.numberRecordsFailed, 1000);
  t.ok(y.progress.numberRecordsFailed >= 800);
});

t.test('accounting: successful + failed + unprocessed = uploaded, input order kept', async (t) => {
  const store = makeStore();
  const env = makeEnv(store, { parallelism: 3, recordAllocation: 30_000 });
  const n = 45_001;
  const { run, outcome } = await runJob(env, spec('Account', 'insert'), accountsCsv(n, 'Name,NumberOfEmployees', (i) => `A${i},${i % 7 === 0 ? 'x' : i % 1000}`));
  t.equal(outcome.state, 'Failed');
  const c = counts(run);
  t.equal(c.successful + c.failed + c.unprocessed, n);
  t.equal(run.progress.numberRecordsProcessed, c.successful + c.failed);
  t.equal(run.progress.numberRecordsFailed, c.failed);
  t.same(run.resultCounts(), c);
  const names = dataRows(run.successfulResults()).map((r) => Number(r[2].slice(1)));
  t.ok(names.every((v, i) => i === 0 || v > names[i - 1]), 'successful rows in input order');
});
