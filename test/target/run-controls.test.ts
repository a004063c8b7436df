// skip_unchanged, --dry-run with --summary, the quota guard, and SIGTERM: each through the real binary.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { jobCreates, query, record, requests, runTarget, schema, startTarget, state, waitForStderr, workDir, writeConfig } from './target-harness.js';

const ACC = { ext: { type: 'string' }, Name: { type: 'string' }, rev: { type: ['number', 'null'] } };

t.test('skip_unchanged: a second run sends only the rows whose values changed since their confirmed load', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, {
    streams: { acc: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c', field_map: { ext: 'External_Id__c', rev: 'AnnualRevenue' } } },
    skip_unchanged: true,
  });
  const rows = (changed: number) => Array.from({ length: 20 }, (_, i) => record('acc', { ext: `S-${i}`, Name: `Name ${i}`, rev: i < changed ? 999 : i }));
  const r1 = await runTarget(cfg, [schema('acc', ACC), ...rows(0)]);
  t.equal(r1.code, 0, r1.stderr);
  const r2 = await runTarget(cfg, [schema('acc', ACC), ...rows(5), state({ s: 2 })]);
  t.equal(r2.code, 0, r2.stderr);
  t.match(r2.stderr, /loaded 5, failed 0, retried 0, skipped unchanged 15/);
  t.same(r2.states, [{ s: 2 }]);
  const uploads = (await requests(h)).filter((q) => q.method === 'PUT').map((q) => q.records);
  t.same(uploads, [20, 5], 'the second job carried only the five changed rows');
  t.equal(Number((await query(h, `SELECT AnnualRevenue FROM Account WHERE External_Id__c = 'S-3'`))[0]!.AnnualRevenue), 999);
  const r3 = await runTarget(cfg, [schema('acc', ACC), ...rows(5)]);
  t.match(r3.stderr, /loaded 0, failed 0, retried 0, skipped unchanged 20, jobs 0/);
  t.equal((await jobCreates(h)).length, 2, 'nothing changed: no job at all');
});

t.test('--dry-run checks everything on the real input, creates nothing, writes no STATE, and says what would be sent', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } } });
  const summaryFile = join(dir, 'summary.json');
  const r = await runTarget(cfg, [
    schema('acc', { Name: { type: ['string', 'null'] }, Description: { type: 'string' } }),
    record('acc', { Name: 'fine', Description: 'ok' }),
    record('acc', { Name: 'fine too', Description: 'ok' }),
    record('acc', { Name: null, Description: 'no name' }),
    record('acc', { Name: 'x', Description: 'y'.repeat(32_001) }),
    state({ s: 1 }),
  ], ['--dry-run', '--summary', summaryFile]);
  t.equal(r.code, 3, 'rows would fail: the exit code says so');
  t.same(r.states, [], 'nothing was loaded, so no STATE');
  t.equal((await h.admin('/jobs')).length, 0, 'no job created');
  const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
  t.equal(s.dryRun, true);
  t.equal(s.streams.acc.queued, 2, 'two rows would be sent');
  t.same(s.streams.acc.failedByCode, { REQUIRED_FIELD_MISSING: 1, STRING_TOO_LONG: 1 }, 'and two would fail, with why');
  t.equal(s.streams.acc.operation, 'insert');
  t.notOk(existsSync(join(dir, 'failed')), 'no failed-rows files in a dry run');
  t.match(r.stderr, /dry run, nothing sent/);
});

t.test('the quota guard stops cleanly before a job when the daily allocation runs low, with STATE at the last durable point', async (t) => {
  const h = await withEmulator(t, { seed: { settings: { allocations: { dailyApiRequests: 60 } } } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_records_per_job: 10, max_parallel_jobs: 1, min_remaining_api_percent: 50 });
  const lines = [schema('acc', { Name: { type: 'string' } })];
  for (let i = 0; i < 100; i++) {
    lines.push(record('acc', { Name: `Q${i}` }));
    if (i % 10 === 9) lines.push(state({ n: i + 1 }));
  }
  const r = await runTarget(cfg, lines);
  t.equal(r.code, 4, r.stderr);
  t.match(r.stderr, /below min_remaining_api_percent \(50%\): stopped before creating another job/);
  const loaded = (await query(h, 'SELECT Id FROM Account')).length;
  t.ok(loaded > 0 && loaded < 100, `${loaded} loaded before the guard stopped the run`);
  const last = r.states.at(-1) as { n: number } | undefined;
  t.ok(last !== undefined && last.n <= loaded, `the last STATE (${last?.n}) covers only loaded records`);
});

t.test('SIGTERM: stop reading, finish the job in flight, write STATE for it, exit 130; a re-run loads the rest once', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { holdJobs: [{ state: 'InProgress', seconds: 1, object: 'Account', jobType: 'ingest' }] } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_records_per_job: 10 });
  const first = [schema('acc', { Name: { type: 'string' } }), ...Array.from({ length: 10 }, (_, i) => record('acc', { Name: `T${i}` })), state({ n: 10 })];
  const rest = [...Array.from({ length: 5 }, (_, i) => record('acc', { Name: `T${10 + i}` })), state({ n: 15 })];
  const run = startTarget(cfg, first.join('\n') + '\n', ['--log-level', 'debug'], true);
  await waitForStderr(run, /job \w+: polling/);
  run.child.kill('SIGTERM');
  const r = await run.done;
  t.equal(r.code, 130);
  t.same(r.states, [{ n: 10 }], 'the job in flight was finished and its STATE written');
  t.equal((await query(h, 'SELECT Id FROM Account')).length, 10);
  const r2 = await runTarget(cfg, [...first, ...rest]);
  t.equal(r2.code, 0, r2.stderr);
  t.same(r2.states.at(-1), { n: 15 });
  t.equal((await query(h, 'SELECT Id FROM Account')).length, 15);
});
