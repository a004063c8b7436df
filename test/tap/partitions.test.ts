// Scale-out by time partitions: runs bounded by [start_date, end_date) in parallel processes, each with its own
// STATE, together extract exactly what one full run does, with no row twice.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { connection, discoverCatalog, iso, lastState, records, runTap, seedAccounts, selectStreams, writeJson } from './tap-harness.js';

const DAY = 86_400_000;

t.test('three partitions in three processes equal one full run, row for row', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Account']));
  const start = Date.UTC(2025, 0, 1);
  // Rows on the partition bounds themselves (exactly at a bound belongs to the later partition) and between.
  const bounds = [start, start + 3 * DAY, start + 6 * DAY, start + 9 * DAY];
  await seedAccounts(h, [
    ...Array.from({ length: 90 }, (_, i) => ({ Name: `Row-${i}`, stamp: start + i * 2.4 * 3_600_000 })),
    ...bounds.slice(1, 3).flatMap((b) => [{ Name: `At-${b}`, stamp: b }, { Name: `Before-${b}`, stamp: b - 1 }]),
    { Name: 'Outside', stamp: bounds[3]! + 1000 },
  ]);
  const cfg = (from: number, to: number, name: string) =>
    writeJson(dir, name, connection(h.url, { start_date: iso(from), end_date: iso(to), window_size_days: 1, max_parallel_pages: 2 }));
  const full = await runTap(['--config', cfg(bounds[0]!, bounds[3]!, 'full.json'), '--catalog', catalog]);
  t.equal(full.code, 0, full.stderr);
  const parts = await Promise.all([0, 1, 2].map((i) => runTap(['--config', cfg(bounds[i]!, bounds[i + 1]!, `p${i}.json`), '--catalog', catalog])));
  for (const [i, p] of parts.entries()) {
    t.equal(p.code, 0, p.stderr);
    t.equal(lastState(p.lines).bookmarks.Account.replication_key_value, iso(bounds[i + 1]!), `partition ${i} ends its own STATE at its end_date`);
    t.ok(records(p.lines).every((r) => { const v = Date.parse(r.record.SystemModstamp); return v >= bounds[i]! && v < bounds[i + 1]!; }), `partition ${i} holds only [start_date, end_date)`);
  }
  const key = (r: any) => JSON.stringify(r.record);
  const union = parts.flatMap((p) => records(p.lines).map(key)).sort();
  const whole = records(full.lines).map(key).sort();
  t.equal(whole.length, 94, 'the full run holds every row in range, none outside');
  t.equal(new Set(union).size, union.length, 'no row in two partitions');
  t.same(union, whole, 'the union of the partitions is the full run, row for row');
});
