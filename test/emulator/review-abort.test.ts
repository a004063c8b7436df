// Review: an ingest job aborted mid-batch. Once a job reads Aborted its three result files, its counters and
// the org must stop changing: clients fetch unprocessedrecords right after the abort and re-submit those rows
// (shared/reference/bulk-api-2.md §3 Results: "rows never attempted"; every uploaded row in exactly one file).
// The engine finishes the batch in flight (src/emulator/ingest/README.md: "abort() stops after the wave in
// flight"), so the results endpoints wait for the run to settle before answering.
import t from 'tap';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

const N = 30_000;

/** Polls `ready` every 20 ms, at most 500 times (10 s). */
async function waitUntil(ready: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
  await waitUntil(async () => ((await h.json(`jobs/ingest/${id}`)).body.numberRecordsProcessed ?? 0) > 0, 'the first batch to start');
  const abort = await h.json(`jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'Aborted' }) });
  t.equal(abort.body.state, 'Aborted');
  // Read at once, before anything else can wait on the run: what a client sees the moment the job reads Aborted.
  const atAbort = {
    live: (await h.admin('/counts')).Account.live as number,
    processed: (await h.json(`jobs/ingest/${id}`)).body.numberRecordsProcessed as number,
  };
  // The result sets are served only once the run has stopped writing, so a second look after them is final.
  const files = await snapshot(h, id);
  const again = await snapshot(h, id);
  t.same({ live: files.live, processed: files.processed }, atAbort, 'nothing moved after the job read Aborted');
  t.same(again, files, 'the result sets do not change either');
  t.equal(files.successful + files.failed + files.unprocessed, N, 'every row in exactly one file');
  t.ok(files.unprocessed > 0, 'the abort came before the last batch');
  t.equal(files.live, files.successful, 'the org holds exactly the successful rows');
  t.equal(files.processed, files.successful + files.failed, 'numberRecordsProcessed agrees with the result files');
});
