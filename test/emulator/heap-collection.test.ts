// The emulator collects garbage itself once ingest jobs have written `collectGarbageEveryRows` rows, before the job
// that crosses the line reports its state (so V8's mark of a multi-GB org lands in processing, not in the client's
// first result download). Observed through Node's GC performance entries: a forced major collection, and only then.
import t from 'tap';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { withEmulator, type Harness } from '../helpers/emulator.js';

/** Forced major collections while `f` runs. */
async function forcedMajorDuring(f: () => Promise<void>): Promise<number> {
  let n = 0;
  const seen = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const d = (e as unknown as { detail: { kind: number; flags: number } }).detail;
      if (d.kind === constants.NODE_PERFORMANCE_GC_MAJOR && (d.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) n++;
    }
  });
  seen.observe({ entryTypes: ['gc'] });
  try {
    await f();
    // GC entries are delivered asynchronously: one turn of the event loop after the job's answer
    await new Promise((r) => setImmediate(r));
    return n;
  } finally {
    seen.disconnect();
  }
}

async function insertAccounts(h: Harness, rows: number, tag: string): Promise<void> {
  const { body: job } = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) });
  const csv = ['Name', ...Array.from({ length: rows }, (_, i) => `${tag} ${i}`)].join('\n') + '\n';
  const put = await h.call(`jobs/ingest/${job.id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv });
  t.equal(put.status, 201);
  await h.json(`jobs/ingest/${job.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  const done = await h.waitFor(`jobs/ingest/${job.id}`);
  t.equal(done.state, 'JobComplete');
  t.equal(done.numberRecordsProcessed, rows);
}

t.test('a collection once the rows written cross collectGarbageEveryRows, not before', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', collectGarbageEveryRows: 50 });
  t.equal(await forcedMajorDuring(() => insertAccounts(h, 30, 'first')), 0, '30 rows written: none yet');
  t.equal(await forcedMajorDuring(() => insertAccounts(h, 30, 'second')), 1, '60 rows written: one collection');
  t.equal(await forcedMajorDuring(() => insertAccounts(h, 30, 'third')), 0, 'the count starts again after it');
});

t.test('0 leaves collection to V8', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', collectGarbageEveryRows: 0 });
  t.equal(await forcedMajorDuring(() => insertAccounts(h, 60, 'any')), 0);
});
