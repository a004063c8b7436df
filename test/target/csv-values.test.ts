// Values arrive byte-exact: the CSV writer is pinned against csv-stringify, Salesforce's formats are pinned, and
// tricky values go through the real binary into the org and are queried back unchanged.
import t from 'tap';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { withEmulator } from '../helpers/emulator.js';
import { csvLine, lineEndingFor } from '../../src/streams/csv-chunker.js';
import { cellFor, plainNumber, utcDateTime } from '../../src/target/field-values.js';
import { query, record, runTarget, schema, workDir, writeConfig } from './target-harness.js';

t.test('csvLine writes exactly what csv-stringify writes, for any cells', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 }), (cells) => {
      // csv-stringify writes a lone empty cell as "" (a blank line would be skipped); our rows always have several
      // columns or a non-empty key, so compare rows that are not one empty cell.
      fc.pre(!(cells.length === 1 && cells[0] === ''));
      return csvLine(cells, 'LF') === stringify([cells], { record_delimiter: '\n' }) &&
        csvLine(cells, 'CRLF') === stringify([cells], { record_delimiter: '\r\n' });
    }),
    { numRuns: 2000 },
  );
});

t.test('Salesforce formats: numbers without exponents, datetimes in UTC, dates, booleans, null handling', async (t) => {
  t.equal(plainNumber(1e21), '1000000000000000000000');
  t.equal(plainNumber(1.5e-7), '0.00000015');
  t.equal(plainNumber(-2.5e22), '-25000000000000000000000');
  t.equal(plainNumber(123.45), '123.45');
  t.equal(utcDateTime('2024-05-01T14:00:00+02:00'), '2024-05-01T12:00:00.000Z');
  t.equal(utcDateTime('not a date'), undefined);
  const dt = { type: 'datetime' } as never;
  const d = { type: 'date' } as never;
  t.equal(cellFor('2024-05-01T23:30:00-05:00', dt, ''), '2024-05-02T04:30:00.000Z');
  t.equal(cellFor('2024-05-01T23:30:00-05:00', d, ''), '2024-05-01');
  t.equal(cellFor(true, undefined, ''), 'true');
  t.equal(cellFor(null, undefined, '#N/A'), '#N/A');
  t.equal(cellFor({ a: [1] }, undefined, ''), '{"a":[1]}');
  t.equal(lineEndingFor(['a\r\nb']), 'CRLF');
  t.equal(lineEndingFor(['a\nb']), 'LF');
  t.equal(lineEndingFor(['a\nb', 'c\r\nd']), undefined);
});

t.test('commas, quotes, CR/LF, non-ASCII and a leading = reach the org byte-exact', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } } });
  const values = [
    'comma, inside',
    'a "quoted" word',
    '""',
    'line one\nline two',
    'windows\r\nline',
    'naïve café 日本語 🎉',
    '=HYPERLINK("http://x")',
    ' leading and trailing spaces ',
    '#N/A is text here',
    'tab\tinside',
  ];
  const r = await runTarget(cfg, [
    schema('acc', { Name: { type: 'string' }, Description: { type: 'string' } }),
    ...values.map((v, i) => record('acc', { Name: `V${i}`, Description: v })),
    record('acc', { Name: 'mixed', Description: 'both\r\nkinds\nof breaks' }),
  ]);
  t.equal(r.code, 3, 'the one row mixing CRLF and LF cannot travel in any upload: failed before upload');
  t.match(r.stderr, /INVALID_LINE_BREAKS 1/);
  const rows = await query(h, 'SELECT Name, Description FROM Account');
  t.equal(rows.length, values.length);
  for (const [i, v] of values.entries()) t.equal(rows.find((x) => x.Name === `V${i}`)?.Description, v, JSON.stringify(v));
});
