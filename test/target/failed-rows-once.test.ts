// kill -9 after a chunk's permanent failures were written to the failed-rows output but before the ledger recorded
// the chunk done (reached through the `after-dead-letter` failpoint): the re-run reconciles the chunk again and must
// not leave its failed rows in the output twice.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { killHard, query, record, runTarget, schema, startTarget, state, waitForStderr, workDir, writeConfig } from './target-harness.js';

const N = 40;
const input = (): string[] => [
  schema('acc', { Name: { type: 'string' }, AnnualRevenue: { type: 'number' } }),
  ...Array.from({ length: N }, (_, i) => record('acc', { Name: `F${String(i).padStart(3, '0')}`, AnnualRevenue: i % 5 === 0 ? -1 : i })),
  state({ done: N }),
];
const BAD = Array.from({ length: N }, (_, i) => i).filter((i) => i % 5 === 0).map((i) => `F${String(i).padStart(3, '0')}`);

t.test('killed between writing failed rows and marking the chunk done', async (t) => {
  const h = await withEmulator(t, {
    seed: { validationRules: { Account: [{ name: 'NoNegativeRevenue', active: true, errorWhen: 'AnnualRevenue < 0', errorMessage: 'Annual revenue cannot be negative', errorField: 'AnnualRevenue' }] } },
  });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_records_per_job: 20, max_parallel_jobs: 1 });
  process.env.TARGET_SALESFORCE_BULK_FAILPOINT = 'after-dead-letter';
  const run = startTarget(cfg, input().join('\n') + '\n');
  delete process.env.TARGET_SALESFORCE_BULK_FAILPOINT;
  await waitForStderr(run, /failpoint after-dead-letter reached/);
  await killHard(run);
  const failedDir = join(dir, 'failed');
  const lines = (ext: string): string[] =>
    readdirSync(failedDir).filter((f) => f.endsWith(ext)).flatMap((f) => readFileSync(join(failedDir, f), 'utf8').split('\n').filter((l) => l.trim()));
  t.equal(lines('.jsonl').length, BAD.length / 2, 'the killed run had written the first chunk\'s failed rows');

  const r = await runTarget(cfg, input());
  t.equal(r.code, 3, r.stderr);
  t.same(r.states.at(-1), { done: N });
  const names = lines('.jsonl').map((l) => (JSON.parse(l) as { record: { Name: string } }).record.Name).sort();
  t.same(names, BAD, 'every failed row is in the failed-rows output exactly once');
  const csvRows = lines('.csv').filter((l) => !l.startsWith('sf__Error'));
  t.equal(csvRows.length, BAD.length, 'and once in the CSV twin');
  const loaded = (await query(h, 'SELECT Name FROM Account')).map((a) => a.Name!);
  t.equal(loaded.length, N - BAD.length, 'the good rows loaded once');
  t.equal(new Set(loaded).size, loaded.length);
});
