// Empty windows cost no query job: with start_date 2000-01-01 and 30-day windows (over 300 windows), the tap
// asks for the earliest replication-key value with one REST call and runs a job only for windows holding rows,
// checked in the emulator's request log; every row once, bookmarks on the window grid and only forward.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { connection, discoverCatalog, iso, orgRows, records, runTap, seedAccounts, selectStreams, states, writeJson } from './tap-harness.js';

const DAY = 86_400_000;
const START = Date.parse('2000-01-01T00:00:00.000Z');
const WINDOW = 30 * DAY;

t.test('start_date 2000-01-01: a query job per window that holds rows, none for the empty ones', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Account']));
  const now = Date.now();
  const stamps = [
    Date.parse('2003-05-06T07:08:09.000Z'),
    Date.parse('2003-05-08T00:00:00.000Z'), // same 30-day window as the one before
    Date.parse('2011-11-11T11:11:11.000Z'),
    START + 40 * WINDOW, // exactly on a window boundary: belongs to the window it starts
    now - 5 * DAY,
    now - 2 * DAY,
  ];
  await seedAccounts(h, stamps.map((stamp, i) => ({ Name: `Sparse-${i}`, stamp })));
  const cell = (ms: number) => Math.floor((ms - START) / WINDOW);
  const cellsWithRows = new Set(stamps.map(cell));

  for (const include_deleted of [true, false]) {
    const before = ((await h.admin<any[]>('/requests')) ?? []).length;
    const cfg = writeJson(dir, `c-${include_deleted}.json`, connection(h.url, { start_date: '2000-01-01T00:00:00Z', window_size_days: 30, include_deleted }));
    const run = await runTap(['--config', cfg, '--catalog', catalog], 30_000);
    t.equal(run.code, 0, run.stderr);
    const log = ((await h.admin<any[]>('/requests')) ?? []).slice(before);
    const creates = log.filter((r) => r.method === 'POST' && /\/jobs\/query$/.test(r.path));
    t.equal(creates.length, cellsWithRows.size, `${cellsWithRows.size} query jobs, one per window with rows (of ${Math.ceil((now - START) / WINDOW)} windows)`);
    const lookups = log.filter((r) => r.method === 'GET' && /\/query(All)?$/.test(r.path));
    t.ok(lookups.length <= cellsWithRows.size + 1, `at most one REST lookup per job, plus the one that finds no more rows (${lookups.length})`);
    t.ok(lookups.every((r) => r.path.endsWith(include_deleted ? '/queryAll' : '/query')), 'the lookup sees deleted rows exactly when the jobs do');

    const org = await orgRows(h, 'SELECT Id FROM Account ORDER BY SystemModstamp ASC, Id ASC');
    t.same(records(run.lines).map((r) => r.record.Id), org.map((r) => r.Id), 'every row once, in order');

    const values = states(run.lines).map((s) => s.bookmarks.Account?.replication_key_value).filter((v): v is string => typeof v === 'string');
    t.same([...values].sort(), values, 'bookmarks only move forward');
    const finalMs = Date.parse(values.at(-1)!);
    t.ok(finalMs >= now && finalMs <= Date.now(), 'the last bookmark is the signpost');
    for (const v of new Set(values.filter((v) => v !== values.at(-1)))) t.equal((Date.parse(v) - START) % WINDOW, 0, `bookmark ${v} is on the window grid`);
    // The first bookmark after the skip is the start of the first window with rows: nothing before it was missed.
    t.equal(values[0], iso(START + cell(stamps[0]!) * WINDOW), 'the empty windows before the first row are passed over at once');
  }
});
