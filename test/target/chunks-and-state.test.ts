// Size-bounded chunks, several jobs in flight, and STATE held back until every record before it is durable.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { StateGate } from '../../src/target/state-gate.js';
import { jobCreates, query, record, requests, runTarget, schema, startTarget, state, waitForRequest, workDir, writeConfig } from './target-harness.js';

t.test('a stream crossing several size-bounded chunks runs several jobs at once, each upload under the byte cap', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { holdJobs: [{ state: 'InProgress', seconds: 1, object: 'Account', jobType: 'ingest' }] } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_bytes_per_upload: 4096, max_parallel_jobs: 3 });
  const n = 400;
  const r = await runTarget(cfg, [
    schema('acc', { Name: { type: 'string' }, Description: { type: 'string' } }),
    ...Array.from({ length: n }, (_, i) => record('acc', { Name: `Chunked ${i}`, Description: 'x'.repeat(40) })),
    state({ at: n }),
  ]);
  t.equal(r.code, 0, r.stderr);
  t.same(r.states, [{ at: n }]);
  const log = await requests(h);
  const uploads = log.filter((q) => q.method === 'PUT' && q.status < 300);
  t.ok(uploads.length >= 6, `${uploads.length} uploads`);
  t.equal(uploads.reduce((s, q) => s + (q.records ?? 0), 0), n, 'every row uploaded once');
  t.ok(uploads.every((q) => (q as { bytesIn?: number }).bytesIn! <= 4096), 'no upload over max_bytes_per_upload');
  t.equal((await jobCreates(h)).length, uploads.length, 'one upload per job');
  // Jobs in flight at once: count UploadComplete PATCHes before the first result download.
  const firstResult = log.findIndex((q) => /successfulResults/.test(q.path));
  const closedBefore = log.slice(0, firstResult).filter((q) => q.method === 'PATCH' && q.state === 'UploadComplete').length;
  t.ok(closedBefore >= 2, `${closedBefore} jobs were processing at the same time`);
  t.ok(closedBefore <= 3, 'never more than max_parallel_jobs');
  t.equal((await query(h, 'SELECT Id FROM Account')).length, n);
  t.same(readdirSync(join(dir, 'state', 'chunks')), [], 'spooled chunks are removed once every row is accounted for');
});

t.test('StateGate: a STATE leaves only when every record before it is accounted for; the newest ready one wins', async (t) => {
  const out: string[] = [];
  const g = new StateGate((l) => out.push(l));
  const a = g.record();
  const holdA = g.hold(a);
  g.offer({ s: 1 });
  const b = g.record();
  const holdB = g.hold(b);
  g.offer({ s: 2 });
  t.same(out, [], 'held: record 0 is in flight');
  g.release(holdB);
  t.same(out, [], 'record 1 done, record 0 still in flight');
  g.release(holdA);
  t.same(out, ['{"s":2}\n'], 'both done: the newest STATE, once');
  g.offer({ s: 3 });
  t.same(out, ['{"s":2}\n', '{"s":3}\n'], 'nothing in flight: passes at once');
});

t.test('STATE is not written while its records are in a job that is still processing', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { holdJobs: [{ state: 'InProgress', seconds: 2, object: 'Account', jobType: 'ingest' }] } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_record_age_seconds: 0.1 });
  const run = startTarget(cfg, [schema('acc', { Name: { type: 'string' } }), record('acc', { Name: 'one' }), state({ n: 1 }), ''].join('\n'), [], true);
  // The age limit sends the chunk while stdin is still open; wait until its job is processing.
  await waitForRequest(h, (q) => q.method === 'PATCH' && q.state === 'UploadComplete');
  t.equal(run.stdout(), '', 'no STATE while the record is in a job that is not finished');
  const done = await waitForRequest(h, (q) => /successfulResults/.test(q.path));
  t.ok(done);
  run.child.stdin!.end();
  const r = await run.done;
  t.equal(r.code, 0, r.stderr);
  t.same(r.states, [{ n: 1 }]);
});
