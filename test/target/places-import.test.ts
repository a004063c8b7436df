// Spooling writes each chunk's row places to a file beside its CSV; the ledger imports them into chunk_rows only when
// first needed, in one transaction that also marks the chunk indexed. kill -9 inside that import (the `rows-imported`
// failpoint, after the rows are inserted and before the chunk is marked) must leave nothing half-done: the re-run
// imports again, and the org ends with every record exactly once (counted through the emulator).
import t from 'tap';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { killHard, query, record, runTarget, schema, startTarget, state, waitForStderr, workDir, writeConfig } from './target-harness.js';

interface LedgerChunk { id: number; phase: string; job_id: string | null; rows_indexed: number; imported: number }

/** What the killed run left in its ledger (read-only: the re-run owns it next). */
function ledgerChunks(dir: string): LedgerChunk[] {
  const db = new Database(join(dir, 'state', 'ledger.sqlite'), { readonly: true });
  try {
    return db
      .prepare(`SELECT id, phase, job_id, rows_indexed, (SELECT count(*) FROM chunk_rows r WHERE r.chunk_id = c.id) AS imported FROM chunks c ORDER BY id`)
      .all() as LedgerChunk[];
  } finally {
    db.close();
  }
}

function startAtFailpoint(cfg: string, lines: string[]) {
  process.env.TARGET_SALESFORCE_BULK_FAILPOINT = 'rows-imported';
  try {
    return startTarget(cfg, lines.join('\n') + '\n', ['--log-level', 'debug']);
  } finally {
    delete process.env.TARGET_SALESFORCE_BULK_FAILPOINT;
  }
}

t.test('killed inside the import of a reconciled chunk\'s rows: the re-run imports again, no duplicate, no loss', async (t) => {
  const N = 120;
  const lines = [
    schema('acc', { Name: { type: 'string' }, Description: { type: 'string' } }),
    ...Array.from({ length: N }, (_, i) => record('acc', { Name: `I${String(i).padStart(4, '0')}`, Description: i % 9 === 0 ? 'multi\nline, "quoted"' : 'plain' })),
    state({ done: N }),
  ];
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_records_per_job: 50, max_parallel_jobs: 1 });
  const run = startAtFailpoint(cfg, lines);
  await waitForStderr(run, /failpoint rows-imported reached/);
  const killed = await killHard(run);
  t.same(killed.states, [], 'no STATE left before the kill');
  t.match(run.stderr(), /job \w+: terminal/, 'the kill landed in reconciliation');

  const left = ledgerChunks(dir);
  const first = left[0]!;
  t.same([first.phase, first.rows_indexed, first.imported], ['closed', 0, 0], 'the chunk whose import was cut short holds no rows and is not marked indexed');
  t.ok(first.job_id, 'and keeps its job for the re-run to reattach to');
  t.equal((await query(h, 'SELECT Name FROM Account')).length, 50, 'the job itself had loaded its 50 rows');

  const r = await runTarget(cfg, lines);
  t.equal(r.code, 0, r.stderr);
  t.same(r.states.at(-1), { done: N }, 'the re-run ends with the final STATE');
  const names = (await query(h, 'SELECT Name FROM Account')).map((a) => a.Name!);
  t.equal(names.length, N, 'no record inserted twice, none lost');
  t.equal(new Set(names).size, N, 'every record once');
  const jobs = await h.admin<{ numberRecordsProcessed: number }[]>('/jobs');
  t.equal(jobs.reduce((s, j) => s + j.numberRecordsProcessed, 0), N, 'Salesforce processed every row exactly once');
});

t.test('killed inside the import before the parent sort: the unsent chunk is dropped and sent once by the re-run', async (t) => {
  const parents = Array.from({ length: 5 }, (_, i) => ({ Name: `Parent ${i}`, External_Id__c: `P-${i}` }));
  const N = 60;
  const lines = [
    schema('con', { LastName: { type: 'string' }, account: { type: 'string' } }),
    // Parents interleaved, so the sort has work to do.
    ...Array.from({ length: N }, (_, i) => record('con', { LastName: `C${String(i).padStart(3, '0')}`, account: `P-${i % 5}` })),
    state({ done: N }),
  ];
  const h = await withEmulator(t, { seed: { records: { Account: parents } } });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { con: { object: 'Contact', field_map: { account: 'Account.External_Id__c' } } }, max_records_per_job: 25, max_parallel_jobs: 1 });
  const run = startAtFailpoint(cfg, lines);
  await waitForStderr(run, /failpoint rows-imported reached/);
  await killHard(run);
  const left = ledgerChunks(dir);
  t.same(left.map((c) => [c.phase, c.rows_indexed, c.imported]), [['open', 0, 0], ['building', 0, 0]], 'the chunk, not yet sealed, and its sorted copy about to be written: nothing imported');
  t.equal((await h.admin<unknown[]>('/jobs')).length, 0, 'no job was created');

  const r = await runTarget(cfg, lines);
  t.equal(r.code, 0, r.stderr);
  t.same(r.states.at(-1), { done: N });
  const rows = await query(h, 'SELECT LastName, Account.External_Id__c FROM Contact');
  t.equal(rows.length, N, 'no record inserted twice, none lost');
  t.equal(new Set(rows.map((c) => c.LastName)).size, N, 'every record once');
  t.ok(rows.every((c) => c['Account.External_Id__c'] === `P-${Number(c.LastName!.slice(1)) % 5}`), 'every child found its own parent');
});
