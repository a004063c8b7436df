// on_interrupt: "abort": SIGTERM while jobs are still receiving their uploads. The target aborts those jobs (none
// is left Open), records their chunks as unsent, exits 130, and the re-run sends exactly the rows that were not
// loaded: no reattach, no leftover to clean, every record once.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { query, record, requests, runTarget, schema, startTarget, state, waitForStderr, workDir, writeConfig } from './target-harness.js';

const N = 120;
const input = (): string[] => [
  schema('acc', { Name: { type: 'string' } }),
  ...Array.from({ length: N }, (_, i) => record('acc', { Name: `I${String(i).padStart(4, '0')}` })),
  state({ done: N }),
];

interface Job {
  id: string;
  state: string;
  numberRecordsProcessed: number;
}

t.test('SIGTERM with on_interrupt abort: jobs not yet UploadComplete are aborted, and only their rows are sent again', async (t) => {
  // The first upload goes through; every later one is held, so two jobs are mid-upload at the signal.
  const h = await withEmulator(t, { seed: 'empty', faults: { rules: [{ kind: 'latency', method: 'PUT', skip: 1, latencyMs: 20_000 }] } });
  const cfg = writeConfig(workDir(t), h, { streams: { acc: { object: 'Account' } }, max_records_per_job: 50, max_parallel_jobs: 2, on_interrupt: 'abort' });
  const run = startTarget(cfg, input().join('\n') + '\n', ['--log-level', 'debug']);
  await waitForStderr(run, /: reconciled/);
  await waitForStderr(run, /(: uploading[\s\S]*){3}/);
  run.child.kill('SIGTERM');
  const r = await run.done;
  t.equal(r.code, 130, 'exit 130, as the README documents for an interruption');
  t.match(r.stderr, /interrupted: aborted job \w+ before UploadComplete/);
  const first = await h.admin<Job[]>('/jobs');
  t.same(first.filter((j) => j.state === 'Open'), [], 'no job is left Open');
  const aborted = first.filter((j) => j.state === 'Aborted');
  t.equal(aborted.length, 2, 'both jobs still receiving their uploads were aborted');
  const loadedFirst = first.reduce((s, j) => s + j.numberRecordsProcessed, 0);
  t.equal(loadedFirst, 50, 'the job that had its UploadComplete was finished');
  t.equal((await query(h, 'SELECT Id FROM Account')).length, 50);

  await h.admin('/faults', { method: 'DELETE' });
  const since = (await requests(h)).at(-1)?.seq ?? 0;
  const r2 = await runTarget(cfg, input(), ['--log-level', 'debug']);
  t.equal(r2.code, 0, r2.stderr);
  t.same(r2.states.at(-1), { done: N });
  t.notMatch(r2.stderr, /reattached|left Open|aborting it/, 'the ledger knew the aborted jobs: nothing to reattach or clean up');
  const rerunJobs = (await h.admin<Job[]>('/jobs')).filter((j) => !first.some((f) => f.id === j.id));
  t.equal(rerunJobs.reduce((s, j) => s + j.numberRecordsProcessed, 0), N - 50, 'the re-run sent exactly the rows not loaded');
  t.same((await requests(h, since)).filter((q) => q.method === 'PATCH' && aborted.some((a) => q.path.includes(a.id))), [], 'and never touched the aborted jobs');
  const names = (await query(h, 'SELECT Name FROM Account')).map((a) => a.Name!);
  t.equal(names.length, N, 'every record once');
  t.equal(new Set(names).size, N);
});
