// Parent-record lock contention over real HTTP, as the emulator models it (src/emulator/ingest/locks.ts, run.ts):
// an upload is split into internal batches of 10,000 rows; the batches of one wave (`parallelism`, default 4) run
// at the same moment and each holds every parent its rows reference until the wave ends. A row whose parent is also
// held by another batch fails with UNABLE_TO_LOCK_ROW at the rate `lockFailureRate`; rows grouped by parent, or
// jobs run one after the other, never collide.
import t, { type Test } from 'tap';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';
import type { EmulatorOptions } from '../../src/emulator/start-emulator.js';

const LOCK_ERROR = 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--';
const BATCH = 10_000;

/** Ids of the demo Accounts ACC-000001.. (live ones), by external id. */
async function parents(h: Harness, n: number): Promise<string[]> {
  const r = await h.admin<{ csv: string }>('/query', {
    method: 'POST',
    body: JSON.stringify({ soql: `SELECT Id FROM Account ORDER BY External_Id__c LIMIT ${n}` }),
  });
  const ids = csvRows(r.csv).slice(1).map((row) => row[0]);
  if (ids.length !== n) throw new Error(`wanted ${n} parents, got ${ids.length}`);
  return ids;
}

interface Outcome {
  readonly info: any;
  /** LastName of each failed row -> sf__Error */
  readonly failed: Map<string, string>;
  readonly succeeded: number;
  readonly unprocessed: number;
}

/** Inserts Contacts `LastName,AccountId` in one job and reads its results. */
async function insertContacts(t: Test, h: Harness, rows: readonly (readonly [string, string])[]): Promise<Outcome> {
  const csv = 'LastName,AccountId\n' + rows.map(([name, parent]) => `${name},${parent}`).join('\n') + '\n';
  const create = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Contact', operation: 'insert' }) });
  const id = create.body.id as string;
  const put = await h.call(`jobs/ingest/${id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv });
  if (put.status !== 201) throw new Error(`upload: ${put.status}`);
  await h.json(`jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  const info = await h.waitFor(`jobs/ingest/${id}`, ['JobComplete', 'Failed', 'Aborted'], 15_000);
  const text = async (set: string) => csvRows(await (await h.call(`jobs/ingest/${id}/${set}`)).text()).slice(1);
  const [ok, bad, un] = await Promise.all([text('successfulResults'), text('failedResults'), text('unprocessedrecords')]);
  t.equal(ok.length + bad.length + un.length, rows.length, 'every row in exactly one result set');
  t.equal(info.numberRecordsFailed, bad.length, 'numberRecordsFailed = failed rows');
  return { info, failed: new Map(bad.map((r) => [r[2], r[1]])), succeeded: ok.length, unprocessed: un.length };
}

/**
 * 20,000 rows = two internal batches. Parent A's children are spread over both batches; B's are only in the
 * first, C's only in the second.
 */
function spread(a: string, b: string, c: string): [string, string][] {
  const rows: [string, string][] = [];
  for (let i = 0; i < 2 * BATCH; i++) {
    const shared = i % 2 === 0;
    rows.push([`LockRow${i}`, shared ? a : i < BATCH ? b : c]);
  }
  return rows;
}

const fast: EmulatorOptions = { seed: 'demo', processingRate: 0 };

t.test('children of one parent spread over parallel batches fail with UNABLE_TO_LOCK_ROW', async (t) => {
  const h = await withEmulator(t, { ...fast, faults: { lockFailureRate: 1 } });
  const [a, b, c] = await parents(h, 3);
  const rows = spread(a, b, c);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const r = await insertContacts(t, h, rows);
  await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on a later tick
  process.off('warning', onWarning);
  t.same(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), [], 'serving a 1 MB result set leaks no listeners', {});
  t.equal(r.info.state, 'JobComplete', 'lock failures are row errors, not a job failure');
  t.equal(r.info.numberRecordsProcessed, rows.length);
  t.equal(r.failed.size, BATCH, "every child of the shared parent failed (rate 1), and only those");
  t.ok([...r.failed.values()].every((e) => e === LOCK_ERROR), `the error is ${LOCK_ERROR}`);
  const failedParents = new Set(rows.filter(([name]) => r.failed.has(name)).map(([, p]) => p));
  t.same([...failedParents], [a], 'only rows of the parent both batches hold');
  t.equal(r.succeeded, BATCH, "the other parents' children were inserted");
  const landed = await h.admin<{ count: number }>('/query', {
    method: 'POST',
    body: JSON.stringify({ soql: `SELECT Id FROM Contact WHERE AccountId = '${a}' AND LastName LIKE 'LockRow%'` }),
  });
  t.equal(landed.count, 0, 'no locked-out row was written');
});

t.test('the same rows sorted by parent collide nowhere', async (t) => {
  const h = await withEmulator(t, { ...fast, faults: { lockFailureRate: 1 } });
  const [a, b, c] = await parents(h, 3);
  const order = new Map([[a, 0], [b, 1], [c, 2]]);
  // A has exactly 10,000 children: sorted, they fill the first batch; B and C share the second.
  const rows = spread(a, b, c).sort((x, y) => order.get(x[1])! - order.get(y[1])!);
  const r = await insertContacts(t, h, rows);
  t.equal(r.info.state, 'JobComplete');
  t.equal(r.failed.size, 0, 'no UNABLE_TO_LOCK_ROW when each parent is in one batch');
  t.equal(r.succeeded, rows.length);
});

t.test('two jobs run one after the other never collide', async (t) => {
  const h = await withEmulator(t, { ...fast, faults: { lockFailureRate: 1 } });
  const [a, b, c] = await parents(h, 3);
  const rows = spread(a, b, c);
  const first = await insertContacts(t, h, rows.slice(0, BATCH));
  const second = await insertContacts(t, h, rows.slice(BATCH));
  t.equal(first.failed.size, 0, 'first job: no lock failures');
  t.equal(second.failed.size, 0, 'second job: its parents were released when the first ended');
  t.equal(first.succeeded + second.succeeded, rows.length);
});

t.test('one internal batch alone never collides, even with the shared parent', async (t) => {
  const h = await withEmulator(t, { ...fast, faults: { lockFailureRate: 1 } });
  const [a, b] = await parents(h, 2);
  const rows: [string, string][] = [];
  for (let i = 0; i < BATCH; i++) rows.push([`Solo${i}`, i % 2 ? a : b]);
  const r = await insertContacts(t, h, rows);
  t.equal(r.failed.size, 0);
});

t.test('the collisions are the same for the same seed', async (t) => {
  const run = async (randomSeed: number): Promise<string[]> => {
    const h = await withEmulator(t, { ...fast, randomSeed, faults: { lockFailureRate: 0.5 } });
    const [a, b, c] = await parents(h, 3);
    const r = await insertContacts(t, h, spread(a, b, c));
    await h.emu.close();
    return [...r.failed.keys()].sort();
  };
  const one = await run(11);
  const two = await run(11);
  t.ok(one.length > BATCH * 0.4 && one.length < BATCH * 0.6, `about half of the shared parent's 10,000 children fail at rate 0.5 (${one.length})`);
  t.same(two, one, 'the same seed fails the same rows');
  const other = await run(12);
  t.not(other.join(','), one.join(','), 'another seed fails other rows');
});
