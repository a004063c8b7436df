// The real binary with its transform threads (config key transform_threads), over real pipes, on inputs big enough
// to leave the reader's thread (the first 1 MB is built there): the same rows, counts, failures and error as with
// everything on one thread, and SIGTERM mid-read still stops cleanly.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { query, record, schema, startTarget, state, waitForStderr, workDir, writeConfig, type TargetResult } from './target-harness.js';

const N = 12_000;
const ODD = 'comma, "quote", CRLF\r\nline, é日😀, =1+1';

function lines(badAt?: number): string[] {
  const out = [schema('acc', { Name: { type: 'string' }, Description: { type: ['string', 'null'] }, NumberOfEmployees: { type: ['integer', 'null'] } })];
  for (let i = 0; i < N; i++) {
    // Every 7th row is refused before upload (no Name: REQUIRED_FIELD_MISSING), every 11th fails its schema.
    const rec: Record<string, unknown> = { Description: i % 5 ? `row ${i} ${'x'.repeat(200)}` : `${ODD} ${i}`, NumberOfEmployees: i % 11 ? i : 'many' };
    if (i % 7) rec.Name = `T${String(i).padStart(6, '0')}`;
    out.push(record('acc', rec));
    if (i % 4000 === 3999) out.push(state({ at: i + 1 }));
  }
  if (badAt !== undefined) out.splice(badAt, 0, '{"type": "RECORD", "stream": "acc", oops');
  return out;
}

t.test('dry run through the binary: with and without transform threads, the same summary, failures and stopping error', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const badAt = N - 500;
  const input = lines(badAt).join('\n') + '\n';
  t.ok(input.length > 3_000_000, 'several MB: most of it is built by the threads');
  const outcome = async (workers: number): Promise<{ r: TargetResult; summary: Record<string, unknown> }> => {
    const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, transform_threads: workers }, `config-${workers}.json`);
    const file = join(dir, `summary-${workers}.json`);
    const r = await startTarget(cfg, input, ['--dry-run', '--summary', file]).done;
    const { seconds: _s, recordsPerSecond: _r, streams, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as { seconds: number; recordsPerSecond: number; streams: Record<string, { seconds: number }> };
    return { r, summary: { ...rest, streams: Object.fromEntries(Object.entries(streams).map(([k, { seconds: _t, ...c }]) => [k, c])) } };
  };
  const alone = await outcome(0);
  const threads = await outcome(2);
  t.equal(alone.r.code, 2, 'bad input: exit 2');
  t.match(alone.r.stderr, new RegExp(`input line ${badAt + 1}: not JSON`));
  t.equal(threads.r.code, alone.r.code);
  t.equal(/input line \d+: not JSON[^\n]*/.exec(threads.r.stderr)?.[0], /input line \d+: not JSON[^\n]*/.exec(alone.r.stderr)?.[0], 'the same error, naming the same line');
  t.same(threads.summary, alone.summary, 'the same counts and failure codes');
  const acc = (alone.summary.streams as Record<string, { read: number; failedByCode: Record<string, number> }>).acc!;
  t.ok(acc.read > 10_000, `${acc.read} records read before the bad line`);
  t.ok(acc.failedByCode.INVALID_RECORD! > 0 && acc.failedByCode.REQUIRED_FIELD_MISSING! > 0, JSON.stringify(acc.failedByCode));
});

t.test('a load through the transform threads: every good row once, values byte-exact, the last STATE out', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const cfg = writeConfig(workDir(t), h, { streams: { acc: { object: 'Account' } }, max_parallel_jobs: 3, max_bytes_per_upload: 1_000_000, allow_failed_rows: true, transform_threads: 2 });
  const r = await startTarget(cfg, lines().join('\n') + '\n').done;
  t.equal(r.code, 0, r.stderr);
  t.same(r.states.at(-1), { at: N });
  const rows = await query(h, 'SELECT Name, Description, NumberOfEmployees FROM Account');
  const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i % 7 && i % 11);
  t.equal(rows.length, expected.length, 'every row that passes the checks, once');
  const byName = new Map(rows.map((a) => [a.Name!, a]));
  t.equal(byName.size, rows.length, 'no name twice');
  for (const i of [5, 10, 20, expected.at(-1)!]) {
    const a = byName.get(`T${String(i).padStart(6, '0')}`);
    t.equal(a?.Description, i % 5 ? `row ${i} ${'x'.repeat(200)}` : `${ODD} ${i}`, `row ${i} byte-exact`);
    t.equal(a?.NumberOfEmployees, String(i));
  }
});

t.test('SIGTERM while the transform threads are reading: the run stops, exits 130, nothing hangs', async (t) => {
  const h = await withEmulator(t, { seed: 'empty', faults: { holdJobs: [{ state: 'UploadComplete', seconds: 1, object: 'Account', jobType: 'ingest' }] } });
  const cfg = writeConfig(workDir(t), h, { streams: { acc: { object: 'Account' } }, max_bytes_per_upload: 200_000, allow_failed_rows: true, transform_threads: 2 });
  // Input keeps coming (stdin stays open): the target is mid-read when the signal arrives.
  const run = startTarget(cfg, lines().join('\n') + '\n', ['--log-level', 'debug'], true);
  await waitForStderr(run, /chunk 6 \(acc, \d+ rows, \d+ bytes\): spooled/); // past the first MB: the threads build the rows
  run.child.kill('SIGTERM');
  const r = await run.done;
  t.equal(r.code, 130, r.stderr.slice(-2000));
  t.match(r.stderr, /interrupted: stopped reading/);
  const read = Number(/read (\d+),/.exec(r.stderr)?.[1]);
  t.ok(read > 5000 && read < N, `${read} records read when it stopped`);
});
