// The result sets echo each uploaded row with every cell quoted: the byte-for-byte echo of rows without quotes
// gives exactly what decoding the cells and quoting them again gives, for any cells, delimiter and line ending.
import fc from 'fast-check';
import t from 'tap';
import { DELIMITER_CHARS, parseRecord, quoteCell, scanCsv } from '../../src/emulator/ingest/csv.js';
import { resultSetChunks, type ResultSetKind } from '../../src/emulator/ingest/result-sets.js';
import { ROW_CREATED, ROW_FAILED, ROW_UPDATED, RowOutcomes } from '../../src/emulator/ingest/row-outcomes.js';
import type { ColumnDelimiter, LineEnding } from '../../src/emulator/ingest/types.js';

const DELIMITERS = Object.keys(DELIMITER_CHARS) as ColumnDelimiter[];

/** A cell as a client would write it: quoted when it must be (or at random), quotes doubled. */
function writeCell(v: string, d: string, quote: boolean): string {
  return quote || v.includes(d) || v.includes('"') || v.includes('\n') || v.includes('\r') || v === '' ? `"${v.replaceAll('"', '""')}"` : v;
}

const cell = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', '"', 'a"b', ',', '|', '\t', ';', '^', '`', 'x\ny', 'é', '日本', '😀', '#N/A'),
);

t.test('every result set, rendered from the bytes, equals the decoded cells quoted again', async (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...DELIMITERS),
      fc.constantFrom<LineEnding>('LF', 'CRLF'),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.tuple(fc.array(cell, { minLength: 4, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.constantFrom(0, 1, 2, 3)), { minLength: 1, maxLength: 12 }),
      (delimiter, lineEnding, ncols, rows) => {
        const d = DELIMITER_CHARS[delimiter];
        const eol = lineEnding === 'CRLF' ? '\r\n' : '\n';
        // bare line breaks inside values would break the job's line-ending rule: keep them to the job's own
        const fix = (v: string) => v.replace(/\r?\n/g, eol);
        const header = Array.from({ length: ncols }, (_, k) => `C${k}`).join(d);
        const lines = rows.map(([cells, quoted]) => cells.slice(0, ncols).map((v, k) => writeCell(fix(v), d, quoted[k])).join(d));
        const csv = Buffer.from([header, ...lines].join(eol) + eol, 'utf8');
        const scanned = scanCsv(csv, delimiter, lineEnding);
        if (scanned.count !== rows.length) return; // a row of one empty cell reads as an empty line, which is skipped
        const outcomes = new RowOutcomes(scanned.count);
        rows.forEach(([, , st], i) => {
          if (st === ROW_FAILED) outcomes.record(i, { status: ROW_FAILED, id: i % 2 ? '' : 'x"y', error: `E "${i}" ü` });
          else if (st === ROW_CREATED || st === ROW_UPDATED) outcomes.record(i, { status: st, id: `001000000000${String(i).padStart(3, '0')}AAA` });
        });
        for (const kind of ['successful', 'failed', 'unprocessed'] as ResultSetKind[]) {
          const got = Buffer.concat([...resultSetChunks({ csv, scanned, columnDelimiter: delimiter, lineEnding, outcomes }, kind)]).toString('utf8');
          const want: string[] = [(kind === 'successful' ? `"sf__Id"${d}"sf__Created"${d}` : kind === 'failed' ? `"sf__Id"${d}"sf__Error"${d}` : '') + header];
          for (let i = 0; i < scanned.count; i++) {
            const st = outcomes.status[i];
            const data = parseRecord(csv, scanned.starts[i], scanned.ends[i], delimiter).map(quoteCell).join(d);
            if (kind === 'successful' && (st === ROW_CREATED || st === ROW_UPDATED)) want.push([quoteCell(outcomes.ids[i]!), st === ROW_CREATED ? '"true"' : '"false"', data].join(d));
            if (kind === 'failed' && st === ROW_FAILED) want.push([quoteCell(outcomes.ids[i] ?? ''), quoteCell(outcomes.errors.get(i)!), data].join(d));
            if (kind === 'unprocessed' && st === 0) want.push(data);
          }
          if (got !== want.join(eol) + eol) throw new Error(`${kind}:\n${JSON.stringify(got)}\n!=\n${JSON.stringify(want.join(eol) + eol)}`);
        }
      },
    ),
    { numRuns: 300, seed: 9 },
  );
  t.pass('300 random uploads');
});

t.test('bytes that are not UTF-8 are decoded as before (replacement character), not echoed raw', async (t) => {
  const csv = Buffer.concat([Buffer.from('Name,Description\nA,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
  const scanned = scanCsv(csv, 'COMMA', 'LF');
  const outcomes = new RowOutcomes(1);
  const got = Buffer.concat([...resultSetChunks({ csv, scanned, columnDelimiter: 'COMMA', lineEnding: 'LF', outcomes }, 'unprocessed')]).toString('utf8');
  t.equal(got, 'Name,Description\n"A","\ufffd\ufffd"\n');
});

t.test('a large result set comes in pieces of about 64 KB, never as one buffer', async (t) => {
  const lines = ['Name,Description'];
  for (let i = 0; i < 20_000; i++) lines.push(`Account ${i},${'x'.repeat(40)}`);
  const csv = Buffer.from(lines.join('\n') + '\n');
  const scanned = scanCsv(csv, 'COMMA', 'LF');
  const chunks = [...resultSetChunks({ csv, scanned, columnDelimiter: 'COMMA', lineEnding: 'LF', outcomes: new RowOutcomes(scanned.count) }, 'unprocessed')];
  t.ok(chunks.length > 10, `${chunks.length} pieces`);
  t.ok(chunks.every((c) => c.length <= 64 * 1024 && c[c.length - 1] === 0x0a), 'each at most 64 KB and ending a line');
});

t.test('served with reuse, one Buffer is filled again and again, and read as it comes gives the same bytes', async (t) => {
  const lines = ['Name,Description'];
  // a row longer than a piece in the middle: the Buffer grows once, then is reused at its new size
  for (let i = 0; i < 20_000; i++) lines.push(`Account ${i},${i === 9_000 ? 'y'.repeat(100_000) : 'x'.repeat(40)}`);
  const csv = Buffer.from(lines.join('\n') + '\n');
  const scanned = scanCsv(csv, 'COMMA', 'LF');
  const src = { csv, scanned, columnDelimiter: 'COMMA' as const, lineEnding: 'LF' as const, outcomes: new RowOutcomes(scanned.count) };
  const fresh = Buffer.concat([...resultSetChunks(src, 'unprocessed')]);
  const copies: Buffer[] = [];
  const stores = new Set<ArrayBufferLike>();
  for (const c of resultSetChunks(src, 'unprocessed', true)) {
    copies.push(Buffer.from(c));
    stores.add(c.buffer);
  }
  t.ok(copies.length > 10, `${copies.length} pieces`);
  t.ok(Buffer.concat(copies).equals(fresh), 'the same bytes as fresh Buffers give');
  t.ok(stores.size <= 3, `${stores.size} Buffers behind ${copies.length} pieces (header, the first, the grown one)`);
});
