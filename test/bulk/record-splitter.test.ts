// The RFC 4180 splitter: same records whatever the chunking, quotes and line endings as Salesforce writes them.
import t from 'tap';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { CsvRecordSplitter, CsvRecordTooLongError, CsvSyntaxError, MAX_RECORD_CHARS } from '../../src/bulk/csv/record-splitter.js';
import { CsvRows } from '../../src/bulk/csv/csv-rows.js';
import { decodedBody } from '../../src/bulk/http/decoded-body.js';

function splitAll(text: string, cuts: number[], delim = ','): string[][] {
  const s = new CsvRecordSplitter(delim);
  const out: string[][] = [];
  let at = 0;
  for (const c of cuts) {
    out.push(...s.push(text.slice(at, c)));
    at = c;
  }
  out.push(...s.end(text.slice(at)));
  return out;
}

const SAMPLE =
  '"Id","Name","Note"\r\n' +
  '"001A","Acme, Inc.","said ""hi""\nthen left"\r\n' +
  '"001B","","multi\r\nline"\r\n' +
  '"001C","Ünïcødé ✓",""\r\n';
const EXPECTED = [
  ['Id', 'Name', 'Note'],
  ['001A', 'Acme, Inc.', 'said "hi"\nthen left'],
  ['001B', '', 'multi\r\nline'],
  ['001C', 'Ünïcødé ✓', ''],
];

t.test('every split point of the text gives the same records', async (t) => {
  t.same(splitAll(SAMPLE, []), EXPECTED);
  for (let i = 0; i <= SAMPLE.length; i++) {
    t.same(splitAll(SAMPLE, [i]), EXPECTED, `cut at ${i}`);
  }
  for (let i = 0; i < SAMPLE.length; i += 3) t.same(splitAll(SAMPLE, [i, i + 1, i + 2]), EXPECTED, `three cuts at ${i}`);
});

t.test('unquoted cells, LF endings, empty trailing fields, other delimiters, no final newline', async (t) => {
  t.same(splitAll('a,b,\n1,,3\n', [5]), [['a', 'b', ''], ['1', '', '3']]);
  t.same(splitAll('a|b\n1|x,y', [], '|'), [['a', 'b'], ['1', 'x,y']]);
  t.same(splitAll('a\tb\r\n"1"\t"2"', [6], '\t'), [['a', 'b'], ['1', '2']]);
  t.same(splitAll('', []), []);
});

t.test('malformed bodies are errors with the record number', async (t) => {
  t.throws(() => splitAll('"a","b\n', []), /a quoted field is not closed/, 'an unclosed quote');
  t.ok(new CsvSyntaxError('x', 1).code === 'CSV_SYNTAX', 'a stable code');
  t.throws(() => splitAll('"a"x,"b"\n', []), /after a closing quote \(record 1\)/);
});

t.test('any records, written as Salesforce quotes them and cut anywhere, split back to themselves', async (t) => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é') , maxLength: 12 });
  const quoted = (c: string) => `"${c.replace(/"/g, '""')}"`;
  fc.assert(
    fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (records, cuts, eol) => {
      const text = records.map((r) => r.map(quoted).join(',')).join(eol) + eol;
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      t.same(splitAll(text, points), records);
    }),
    { numRuns: 300 },
  );
});

t.test('a record longer than the cap is a CsvRecordTooLongError, however it is chunked; the cap leaves room for real records', async (t) => {
  t.ok(MAX_RECORD_CHARS >= 1_638_400 * 2, 'the default cap is beyond every field of a record together');
  const small = () => new CsvRecordSplitter(',', 100);
  const fine = small();
  t.same(fine.push('"a","' + 'x'.repeat(40)), []);
  t.same(fine.end('y".\n'.replace('.', '')), [['a', 'x'.repeat(40) + 'y']], 'a record under the cap across chunks is whole');
  const s = small();
  s.push('"Id","Note"\n"1","ok"\n');
  const e = (() => {
    try {
      for (let i = 0; i < 50; i++) s.push(i === 0 ? '"2","never closed' : 'xxxxxxxxxx');
    } catch (x) {
      return x;
    }
    return undefined;
  })();
  t.type(e, CsvRecordTooLongError);
  t.equal((e as CsvRecordTooLongError).code, 'CSV_RECORD_TOO_LONG');
  t.equal((e as CsvRecordTooLongError).record, 3, 'it names the record');
  t.match((e as Error).message, /unclosed quote/);
  const unquoted = small();
  t.throws(() => {
    for (let i = 0; i < 20; i++) unquoted.push('abcdefghij');
  }, { code: 'CSV_RECORD_TOO_LONG' }, 'an unquoted run without a line break is capped too');
});

t.test('a long field cut into one-character chunks is scanned once per character', async (t) => {
  const s = new CsvRecordSplitter(',');
  const field = 'x'.repeat(200_000);
  const started = performance.now();
  s.push('"');
  for (let i = 0; i < field.length; i++) s.push(field[i]!);
  const got = s.end('"\n');
  t.same(got.map((r) => r[0]!.length), [field.length]);
  // Rescanning the held text on every chunk would take 200,000^2 / 2 character steps (minutes); one pass is milliseconds.
  t.ok(performance.now() - started < 5000, `took ${Math.round(performance.now() - started)} ms`);
});

t.test('CsvRows: byte chunks split inside a multi-byte character, a BOM, a ragged row', async (t) => {
  const bytes = Buffer.from('\ufeff' + SAMPLE, 'utf8');
  for (const cut of [1, 2, 3, 25, 60, bytes.indexOf(Buffer.from('✓')) + 1]) {
    const rows = new CsvRows(decodedBody(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)])));
    const got = [];
    for await (const r of rows) got.push(r);
    t.same(rows.columns, ['Id', 'Name', 'Note'], `header, cut at byte ${cut}`);
    t.same(got.map((r) => [r.Id, r.Name, r.Note]), EXPECTED.slice(1), `rows, cut at byte ${cut}`);
  }
  const ragged = new CsvRows(decodedBody(Readable.from([Buffer.from('"a","b"\n"1"\n')])));
  await t.rejects(async () => {
    for await (const _ of ragged) void _;
  }, /1 cells where the header has 2/);
});
