// Review: an ingest job aborted mid-batch. Once a job reads Aborted its three result files, its counters and
// the org must stop changing: clients fetch unprocessedrecords right after the abort and re-submit those rows
// (shared/reference/bulk-api-2.md §3 Results: "rows never attempted"; every uploaded row in exactly one file).
// The engine finishes the batch in flight (src/emulator/ingest/README.md: "abort() stops after the wave in
// flight"), so the results endpoints wait for the run to settle before answering.
import t from 'tap';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

const N = 30_000;

async function snapshot(h: Harness, id: string) {
  const rows = async (set: string) => csvRows(await (await h.call(`jobs/ingest/${id}/${set}`)).text()).length - 1;
  const info = (await h.json(`jobs/ingest/${id}`)).body;
  return {
    successful: await rows('successfulResults'),
    failed: await rows('failedResults'),
    unprocessed: await rows('unprocessedrecords'),
    live: (await h.admin('/counts')).Account.live as number,
    processed: info.numberRecordsProcessed as number,
  };
}

t.test('abort mid-batch: results, counters and the org are final once the job reads Aborted', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', processingRate: 5_000, parallelism: 1 });
  const lines = ['Name'];
  for (let i = 0; i < N; i++) lines.push(`Abort ${i}`);
  const c = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) });
  const id = c.body.id as string;
  const put = await h.call(`jobs/ingest/${id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: lines.join('\n') + '\n' });
  t.equal(put.status, 201);
  await h.json(`jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && ((await h.json(`jobs/ingest/${id}`)).body.numberRecordsProcessed ?? 0) === 0) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const abort = await h.json(`jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'Aborted' }) });
  t.equal(abort.body.state, 'Aborted');
  const first = await snapshot(h, id);
  await new Promise((r) => setTimeout(r, 2_500)); // longer than a 10,000-row batch at 5,000 records/s
  const later = await snapshot(h, id);
  t.equal(first.successful + first.failed + first.unprocessed, N, 'every row in exactly one file');
  t.same(later, first, 'nothing moves after the job reads Aborted');
  t.equal(first.live, first.successful, 'the org holds exactly the successful rows');
  t.equal(first.processed, first.successful + first.failed, 'numberRecordsProcessed agrees with the result files');
});
