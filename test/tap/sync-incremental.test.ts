// Incremental extraction: half-open windows from start_date, bookmarks that move window by window up to the
// signpost, a second run that sees only what changed, lookback for rows committed late, and rows sharing a
// timestamp across page boundaries all kept.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { connection, discoverCatalog, iso, orgRows, records, runTap, seedAccounts, selectStreams, states, writeJson } from './tap-harness.js';

const DAY = 86_400_000;

t.test('windows, bookmarks, a second run with only the changed rows, and lookback', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Account']));
  const t0 = Math.floor((Date.now() - 10 * DAY) / 1000) * 1000;
  const rows = [
    ...Array.from({ length: 40 }, (_, i) => ({ Name: `Inc-${i}`, stamp: t0 + i * 6 * 3_600_000 })),
    // 30 rows with one timestamp: they straddle pages of 7 rows.
    ...Array.from({ length: 30 }, (_, i) => ({ Name: `Same-${i}`, stamp: t0 + 5 * DAY + 1234 })),
  ];
  await seedAccounts(h, rows);
  const config = { start_date: iso(t0 - DAY), window_size_days: 2, page_size: 7, max_parallel_pages: 1, lookback_window_seconds: 0 };
  const cfg = writeJson(dir, 'c.json', connection(h.url, config));
  const before = Date.now();
  const first = await runTap(['--config', cfg, '--catalog', catalog]);
  t.equal(first.code, 0, first.stderr);
  const org = await orgRows(h, 'SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp ASC, Id ASC');
  t.equal(org.length, 70);
  t.same(records(first.lines).map((r) => r.record.Id), org.map((r) => r.Id), 'every row once, in (SystemModstamp, Id) order, the 30 equal timestamps across page boundaries included');

  const bookmarks = states(first.lines).map((s) => s.bookmarks.Account?.replication_key_value).filter((v, i, a) => v && v !== a[i - 1]);
  t.ok(bookmarks.length >= 5, `the bookmark moved window by window (${bookmarks.length} times)`);
  t.same([...bookmarks].sort(), bookmarks, 'and only forward');
  t.equal(bookmarks[0], iso(t0 - DAY + 2 * DAY), 'first window: [start_date, start_date + window_size_days)');
  const final = states(first.lines).at(-1);
  const signpost = Date.parse(final.bookmarks.Account.replication_key_value);
  t.ok(signpost >= before && signpost <= Date.now(), 'the last window ends at the run start (signpost)');
  const jobs = first.stderr.match(/query job 750\w+ \(queryAll\) for \[/g) ?? [];
  t.equal(jobs.length, bookmarks.length, 'one query job per window');

  // Changes after the first run: three rows modified now, one row committed late with a stamp before the bookmark.
  const changedAt = Date.now();
  const next = org.map((r, i) => ({ Id: r.Id, Name: i < 3 ? `${r.Name} (changed)` : r.Name, stamp: i < 3 ? changedAt : Date.parse(r.SystemModstamp) }));
  next.push({ Id: undefined as unknown as string, Name: 'Late', stamp: signpost - 60_000 });
  await seedAccounts(h, next);
  const stateFile = writeJson(dir, 'state.json', final);
  const second = await runTap(['--config', cfg, '--catalog', catalog, '--state', stateFile]);
  t.equal(second.code, 0, second.stderr);
  t.same(records(second.lines).map((r) => r.record.Name).sort(), org.slice(0, 3).map((r) => `${r.Name} (changed)`).sort(), 'the second run emits only the changed rows');
  t.ok(Date.parse(states(second.lines).at(-1).bookmarks.Account.replication_key_value) > signpost, 'and moves the bookmark on');

  const lookback = await runTap(['--config', writeJson(dir, 'c2.json', connection(h.url, { ...config, lookback_window_seconds: 3600 })), '--catalog', catalog, '--state', stateFile]);
  t.equal(lookback.code, 0, lookback.stderr);
  t.same(records(lookback.lines).map((r) => r.record.Name).sort(), [...org.slice(0, 3).map((r) => `${r.Name} (changed)`), 'Late'].sort(), 'lookback catches the row committed late');
});
