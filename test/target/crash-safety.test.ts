// kill -9 at every phase of a chunk's life, then a re-run with the same input and config: the target reattaches
// to the jobs it had started, and the org ends with every record exactly once (counted through the emulator).
import t from 'tap';
import type { Test } from 'tap';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { killHard, query, record, runTarget, schema, startTarget, state, waitForRequest, waitForStderr, workDir, writeConfig } from './target-harness.js';

const N = 120;
const input = (): string[] => [
  schema('acc', { Name: { type: 'string' }, Description: { type: 'string' } }),
  ...Array.from({ length: N }, (_, i) => record('acc', { Name: `K${String(i).padStart(4, '0')}`, Description: i % 7 === 0 ? 'multi\nline, "quoted"' : 'plain' })),
  state({ done: N }),
];

async function exactlyOnce(t: Test, h: Harness): Promise<void> {
  const names = (await query(h, 'SELECT Name FROM Account')).map((a) => a.Name!);
  t.equal(names.length, N, 'no record inserted twice, none lost');
  t.equal(new Set(names).size, N, 'every record once');
}

async function rerun(t: Test, h: Harness, cfg: string): Promise<void> {
  await h.admin('/faults', { method: 'DELETE' });
  const r = await runTarget(cfg, input());
  t.equal(r.code, 0, r.stderr);
  t.same(r.states.at(-1), { done: N }, 'the re-run ends with the final STATE');
  await exactlyOnce(t, h);
}

const config = (dir: string, h: Harness): string =>
  writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_records_per_job: 50, max_parallel_jobs: 2 });

t.test('killed while reading (no chunk sealed yet)', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const cfg = config(workDir(t), h);
  const lines = input();
  const run = startTarget(cfg, lines.slice(0, 30).join('\n') + '\n', ['--log-level', 'debug'], true);
  await waitForRequest(h, (q) => /describe/.test(q.path));
  const r = await killHard(run);
  t.same(r.states, []);
  await rerun(t, h, cfg);
});

t.test('killed with a chunk spooled but its job create unanswered', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { rules: [{ kind: 'latency', method: 'POST', path: '/jobs/ingest/?$', latencyMs: 5000 }] } });
  const cfg = config(workDir(t), h);
  const run = startTarget(cfg, input().join('\n') + '\n', ['--log-level', 'debug']);
  await waitForStderr(run, /: spooled/);
  await killHard(run);
  await rerun(t, h, cfg);
});

t.test('killed after create, in the middle of the upload', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { rules: [{ kind: 'latency', method: 'PUT', latencyMs: 5000 }] } });
  const cfg = config(workDir(t), h);
  const run = startTarget(cfg, input().join('\n') + '\n', ['--log-level', 'debug']);
  await waitForStderr(run, /job \w+: uploading/);
  await killHard(run);
  await rerun(t, h, cfg);
  const aborted = (await h.admin<{ state: string }[]>('/jobs')).filter((j) => j.state === 'Aborted');
  t.ok(aborted.length >= 1, 'the job left Open was aborted by the re-run');
});

t.test('killed after UploadComplete, while the job processes (polling)', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { holdJobs: [{ state: 'InProgress', seconds: 2, object: 'Account', jobType: 'ingest' }] } });
  const cfg = config(workDir(t), h);
  const run = startTarget(cfg, input().join('\n') + '\n', ['--log-level', 'debug']);
  await waitForStderr(run, /job \w+: polling/);
  const polled = /job (\w+): polling/.exec(run.stderr())![1]!;
  await killHard(run);
  await rerun(t, h, cfg);
  const jobs = await h.admin<{ id: string; state: string; numberRecordsProcessed: number }[]>('/jobs');
  const job = jobs.find((j) => j.id === polled)!;
  t.same([job.state, job.numberRecordsProcessed], ['JobComplete', 50], 'the job that was processing at the kill was reattached and completed');
  t.equal(jobs.reduce((s, j) => s + j.numberRecordsProcessed, 0), N, 'Salesforce processed every row exactly once');
});

t.test('killed while fetching results', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { rules: [{ kind: 'latency', method: 'GET', path: '/failedResults/?$', latencyMs: 5000 }] } });
  const cfg = config(workDir(t), h);
  const run = startTarget(cfg, input().join('\n') + '\n', ['--log-level', 'debug']);
  await waitForStderr(run, /job \w+: terminal/);
  await waitForRequest(h, (q) => /successfulResults/.test(q.path));
  await killHard(run);
  await rerun(t, h, cfg);
  t.equal((await h.admin<{ numberRecordsProcessed: number }[]>('/jobs')).reduce((s, j) => s + j.numberRecordsProcessed, 0), N, 'no row processed twice');
});

t.test('killed while retrying unprocessed rows of a Failed job', async (t) => {
  // Every batch of the first job times out past Salesforce's retry limit: the job fails with its rows unprocessed.
  const h = await withEmulator(t, { seed: 'empty', faults: { batchTimeouts: { attempts: 100, object: 'Account' } } });
  const cfg = writeConfig(workDir(t), h, { streams: { acc: { object: 'Account' } }, max_parallel_jobs: 1 });
  const run = startTarget(cfg, input().join('\n') + '\n', ['--log-level', 'debug']);
  await waitForStderr(run, /job \w+: terminal/);
  // Heal the org, then hold the retry job in progress and kill the target while it waits for it.
  await h.admin('/faults', { method: 'POST', body: JSON.stringify({ holdJobs: [{ state: 'InProgress', seconds: 2, object: 'Account', jobType: 'ingest' }] }) });
  await waitForStderr(run, /attempt 2, \d+ rows\) job \w+: polling/);
  await killHard(run);
  t.equal((await query(h, 'SELECT Name FROM Account')).length, 0, 'nothing loaded before the kill');
  await rerun(t, h, cfg);
  const jobs = await h.admin<{ state: string }[]>('/jobs');
  t.equal(jobs.filter((j) => j.state === 'Failed').length, 1, 'the first job failed once');
});
