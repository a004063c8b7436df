// The scale-out recipe: examples/scale-out/run-partition.mjs lists quarterly partitions, runs them as parallel
// processes against an emulator (each with its own STATE file), and their union equals one full extract, row for
// row: no row lost at a partition boundary, none twice.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { orgRows } from '../tap/tap-harness.js';
import { BIN, example, exampleJson, node, tempDir } from './newcomer-harness.js';

const SCRIPT = example('scale-out/run-partition.mjs');

interface Rec {
  type: string;
  stream: string;
  record: Record<string, unknown>;
}

const recordsOf = (text: string): Rec[] => text.split('\n').filter((l) => l).map((l) => JSON.parse(l) as Rec).filter((m) => m.type === 'RECORD');

t.test('--list: consecutive half-open partitions covering the range', async (t) => {
  const r = await node(SCRIPT, ['--list', '--start', '2024-11-15', '--end', '2025-03-01', '--every', 'month']);
  t.equal(r.code, 0, r.stderr);
  t.same(r.stdout.trim().split('\n').map((l) => JSON.parse(l)), [
    { start: '2024-11-15', end: '2024-12-15' },
    { start: '2024-12-15', end: '2025-01-15' },
    { start: '2025-01-15', end: '2025-02-15' },
    { start: '2025-02-15', end: '2025-03-01' },
  ]);
  const bad = await node(SCRIPT, ['--list', '--start', '2025-03-01', '--end', '2025-01-01']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /start before end/);
});

t.test('quarterly partitions run in parallel processes: their union is the full extract, row for row', async (t) => {
  const h = await withEmulator(t, { seed: 'demo' });
  const dir = tempDir(t);
  const { start_date: _all, ...base } = exampleJson('tap.emulator.json');
  const cfg = join(dir, 'tap.json');
  writeFileSync(cfg, JSON.stringify({ ...base, login_url: h.url, window_size_days: 3650 }));
  // One object per partitioned run: the sample catalog's Account stream (soft-deleted rows included).
  const catalog = exampleJson('catalog.sample.json') as { streams: { tap_stream_id: string }[] };
  const cat = join(dir, 'catalog.account.json');
  writeFileSync(cat, JSON.stringify({ streams: catalog.streams.filter((s) => s.tap_stream_id === 'Account') }));

  const stamps = (await orgRows(h, 'SELECT SystemModstamp FROM Account ORDER BY SystemModstamp', true)).map((r) => r.SystemModstamp!);
  const first = `${stamps[0]!.slice(0, 4)}-01-01`;
  const last = `${Number(stamps.at(-1)!.slice(0, 4)) + 1}-01-01`;
  const list = await node(SCRIPT, ['--list', '--start', first, '--end', last, '--every', 'quarter']);
  const parts = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { start: string; end: string });
  t.ok(parts.length >= 4, `${parts.length} partitions`);

  const full = await node(BIN.tap, ['--config', cfg, '--catalog', cat]);
  t.equal(full.code, 0, full.stderr);
  const all = recordsOf(full.stdout);
  t.equal(all.length, stamps.length, 'the full extract has every Account, deleted ones included');

  const out = join(dir, 'parts');
  const runs = await Promise.all(parts.map((p) => node(SCRIPT, ['--config', cfg, '--catalog', cat, '--start', p.start, '--end', p.end, '--out', out, '--tap', BIN.tap])));
  runs.forEach((r, i) => t.equal(r.code, 0, `partition ${parts[i]!.start}: ${r.stderr}`));
  const creates = (await h.admin<{ method: string; path: string; status: number }[]>('/requests')).filter((q) => q.method === 'POST' && /\/jobs\/query\/?$/.test(q.path) && q.status < 300);
  t.ok(creates.length >= parts.length + 1, `a query job per partition (and the full run's): ${creates.length}`);

  const union = parts.flatMap((p) => recordsOf(readFileSync(join(out, `${p.start}_${p.end}.jsonl`), 'utf8')));
  const byId = (rs: Rec[]) => new Map(rs.map((r) => [r.record.Id as string, r.record]));
  t.equal(new Set(union.map((r) => r.record.Id)).size, union.length, 'no row in two partitions');
  t.equal(union.length, all.length, 'as many rows as the full extract');
  const fullById = byId(all);
  const mismatched = union.filter((r) => JSON.stringify(r.record) !== JSON.stringify(fullById.get(r.record.Id as string)));
  t.same(mismatched.map((r) => r.record.Id), [], 'every row equal, field for field');
  for (const p of parts) {
    const state = JSON.parse(readFileSync(join(out, `${p.start}_${p.end}.state.json`), 'utf8')) as { bookmarks: Record<string, unknown> };
    t.ok(state.bookmarks.Account, `partition ${p.start} kept its own STATE`);
  }
  for (const r of union) {
    const p = parts.find((q) => (r.record.SystemModstamp as string) >= `${q.start}T00:00:00.000Z` && (r.record.SystemModstamp as string) < `${q.end}T00:00:00.000Z`);
    if (!p) t.fail(`${String(r.record.Id)} has a SystemModstamp outside every partition`);
  }
});
