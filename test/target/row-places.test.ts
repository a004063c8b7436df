// A chunk's row places file read back: the places written beside a real chunk (CSV and sidecar) come back with
// their row numbers and offsets derived, keys of any content intact, and a file that does not describe its chunk is
// refused instead of guessed at.
import t from 'tap';
import type { Test } from 'tap';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvChunkWriter, csvLine } from '../../src/streams/csv-chunker.js';
import type { RowPlace } from '../../src/target/job-ledger.js';
import { rowHash } from '../../src/target/row-hash.js';
import { readRowPlaces, RowPlaceLog } from '../../src/target/row-places.js';

function chunkDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'row-places-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const KEYS: (string | null)[] = ['A-1', null, 'two\nlines, "quoted"\ttab', 'Müller 東京 🚀', ''];
/** One key larger than the writer's 1 MB block (once: every row with it would write 3 MB). */
const BIG_KEY = 'x'.repeat(3 << 20);

t.test('places written beside a chunk read back with derived rows and offsets that point at each row', async (t) => {
  const dir = chunkDir(t);
  const files = { csvPath: join(dir, '1.csv'), sidePath: join(dir, '1.jsonl'), lineEnding: 'CRLF' } as const;
  const writer = new CsvChunkWriter(files, ['Name', 'Key__c'], 'CRLF');
  const log = new RowPlaceLog(join(dir, '1.places'), writer.headerBytes);
  const written: RowPlace[] = [];
  for (let i = 0; i < 2500; i++) {
    const key = i === 7 ? BIG_KEY : KEYS[i % KEYS.length]!;
    const p = writer.addLine(csvLine([`row ${i}`, key ?? ''], 'CRLF'), JSON.stringify({ type: 'RECORD', record: { n: i, key } }));
    const place = { ...p, hash: `h${i % 7}`, key, parentKey: i % 3 ? `P-${i % 5}` : null };
    log.push(place);
    written.push(place);
  }
  writer.seal();
  log.seal();
  const read = [...readRowPlaces(join(dir, '1.places'), files, 1000)];
  t.same(read.map((p) => p.length), [1000, 1000, 500], 'in pages');
  t.same(read.flat(), written, 'every place as it was written, row numbers and offsets derived');
  const csv = readFileSync(files.csvPath);
  const side = readFileSync(files.sidePath);
  const p = read.flat()[1003]!;
  t.equal(csv.subarray(p.csvOffset, p.csvOffset + p.csvLength).toString(), csvLine(['row 1003', KEYS[1003 % KEYS.length] ?? ''], 'CRLF'), 'the CSV offset finds the row');
  t.same(JSON.parse(side.subarray(p.sideOffset, p.sideOffset + p.sideLength).toString()).record.n, 1003, 'the sidecar offset finds its source line');
});

t.test('a places file that does not describe its chunk is refused', async (t) => {
  const dir = chunkDir(t);
  const files = { csvPath: join(dir, '2.csv'), sidePath: join(dir, '2.jsonl'), lineEnding: 'LF' } as const;
  const writer = new CsvChunkWriter(files, ['Name'], 'LF');
  const log = new RowPlaceLog(join(dir, '2.places'), writer.headerBytes);
  for (let i = 0; i < 10; i++) log.push({ ...writer.addLine(`n${i}\n`, `{"n":${i}}`), hash: 'h', key: null, parentKey: null });
  writer.seal();
  log.seal();
  t.equal([...readRowPlaces(join(dir, '2.places'), files)].flat().length, 10);
  appendFileSync(files.csvPath, 'n10\n');
  t.throws(() => [...readRowPlaces(join(dir, '2.places'), files)], /10 row places cover \d+ CSV bytes .* but the files hold/, 'a CSV row the places do not know');
  truncateSync(join(dir, '2.places'), readFileSync(join(dir, '2.places')).length - 3);
  t.throws(() => [...readRowPlaces(join(dir, '2.places'), files)], /end in the middle of a row/, 'a places file cut short');
  t.throws(() => [...readRowPlaces(files.sidePath, files)], /not a row places file/, 'another file');
  t.throws(() => [...readRowPlaces(files.sidePath, files)], { code: 'RUN_FAILED', where: files.sidePath }, 'a typed error naming the file');
});

for (const eol of ['LF', 'CRLF'] as const) {
  t.test(`hashes left out of the places are those of the rows' cells, derived from the ${eol} CSV when read back`, async (t) => {
    const dir = chunkDir(t);
    const files = { csvPath: join(dir, '3.csv'), sidePath: join(dir, '3.jsonl'), lineEnding: eol };
    const writer = new CsvChunkWriter(files, ['Name', 'Key__c'], eol);
    const log = new RowPlaceLog(join(dir, '3.places'), writer.headerBytes);
    const cells: string[][] = [];
    for (let i = 0; i < 3000; i++) {
      // Rows longer than the reader's 1 MB buffer now and then, and every few rows a stored hash between.
      const row = [i % 1000 === 5 ? 'y'.repeat((1 << 20) + 17) : `row ${i}`, eol === 'CRLF' && i % 4 === 1 ? 'two\r\nlines, "q"' : KEYS[i % KEYS.length] ?? ''];
      cells.push(row);
      const p = writer.addLine(csvLine(row, eol), `{"n":${i}}`);
      log.push({ ...p, hash: i % 3 === 0 ? `stored ${i}` : null, key: null, parentKey: null });
    }
    writer.seal();
    log.seal();
    const read = [...readRowPlaces(join(dir, '3.places'), files)].flat();
    t.equal(read.length, 3000);
    const wrong = read.filter((p, i) => p.hash !== (i % 3 === 0 ? `stored ${i}` : rowHash(cells[i]!)));
    t.same(wrong.map((p) => p.row), [], 'every derived hash is rowHash of the cells; stored ones as stored');
  });
}
