// Query pages are written as bytes straight from stored values: for any value of any kind, exactly the text
// formatValue prints (quotes doubled in text), and isoDateTime agrees with Date#toISOString.
import fc from 'fast-check';
import t from 'tap';
import { escapeQuotes, formatValue, isoDateTime, type ValueKind } from '../../src/emulator/query/csv-values.js';
import { SnapshotResult, type ResultColumn } from '../../src/emulator/query/result.js';
import type { FieldValue, Row } from '../../src/emulator/org/types.js';

const KINDS: ValueKind[] = ['text', 'id', 'multi', 'bool', 'int', 'double', 'date', 'datetime', 'time'];
const QUOTABLE = new Set<ValueKind>(['text', 'multi', 'time']);

const value: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -20_000_000, max: 20_000_000 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, 1e7, -1e7, 9_999_999, 1e-3, 0.5, 1e21, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -1.7e300, Infinity, -Infinity),
  fc.integer({ min: -62_167_219_200_000 - 5, max: 253_402_300_799_999 + 5 }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('a"b', '""', 'é"ü', '日本', '😀"', '\n', 'x,y'),
);

t.test('every kind of value prints as formatValue says, quotes doubled only in text', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...KINDS), value), { minLength: 1, maxLength: 6 }), (cells) => {
      const columns: ResultColumn[] = cells.map(([kind], k) => ({ header: `C"${k}`, chain: -1, field: `F${k}`, kind }));
      const row: Row = Object.fromEntries(cells.map(([, v], k) => [`F${k}`, v]));
      const page = () => new SnapshotResult([row], [], columns).page(0, 1, { columnDelimiter: 'PIPE', lineEnding: 'CRLF' });
      const text = (v: FieldValue, kind: ValueKind) =>
        v === null ? '' : typeof v === 'string' ? (QUOTABLE.has(kind) ? escapeQuotes(v) : v) : formatValue(v, kind);
      let want: string;
      try {
        want = columns.map((c) => `"${escapeQuotes(c.header)}"`).join('|') + '\r\n' + cells.map(([kind, v]) => `"${text(v, kind)}"`).join('|') + '\r\n';
      } catch (e) {
        // a datetime no Date can hold: the page refuses it the same way
        t.throws(page, { name: (e as Error).name });
        return;
      }
      const got = page();
      if (got !== want) throw new Error(`${JSON.stringify(cells)}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }),
    { numRuns: 2000, seed: 21 },
  );
  t.pass('2,000 random rows');
});

t.test('isoDateTime is Date#toISOString for every millisecond in years 0000-9999 and beyond', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -62_167_219_200_000 - 86_400_000, max: 253_402_300_799_999 + 86_400_000 }), (ms) => {
      if (isoDateTime(ms) !== new Date(ms).toISOString()) throw new Error(`${ms}: ${isoDateTime(ms)}`);
    }),
    { numRuns: 20_000, seed: 4 },
  );
  for (const ms of [0, -1, 951_782_400_000 /* 2000-02-29 */, 4_107_542_399_999 /* 2100-02-28T23:59:59.999 */, -62_167_219_200_000, 253_402_300_799_999]) {
    t.equal(isoDateTime(ms), new Date(ms).toISOString(), String(ms));
  }
});

t.test('a long text value that does not fit the rest of a piece starts a new one', async (t) => {
  const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({ N: `${i}:${'é'.repeat(5_000)}"` }));
  const r = new SnapshotResult(rows, [], [{ header: 'N', chain: -1, field: 'N', kind: 'text' }]);
  const pieces = [...r.pageChunks(0, 40, { columnDelimiter: 'COMMA', lineEnding: 'LF' })];
  t.ok(pieces.length > 1);
  const want = '"N"\n' + rows.map((x) => `"${escapeQuotes(x.N as string)}"\n`).join('');
  t.equal(Buffer.concat(pieces).toString('utf8'), want);
});

t.test('with reuse, one Buffer is filled again and again, and read as it comes gives the same bytes', async (t) => {
  // one value longer than a piece: the Buffer grows once, then is reused at its new size
  const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => ({ N: i === 2_000 ? 'é'.repeat(60_000) : `row ${i} "${'x'.repeat(60)}"` }));
  const r = new SnapshotResult(rows, [], [{ header: 'N', chain: -1, field: 'N', kind: 'text' }]);
  const format = { columnDelimiter: 'COMMA', lineEnding: 'LF' } as const;
  const fresh = Buffer.concat([...r.pageChunks(0, rows.length, format)]);
  const copies: Buffer[] = [];
  const stores = new Set<ArrayBufferLike>();
  for (const c of r.pageChunks(0, rows.length, format, true)) {
    copies.push(Buffer.from(c));
    stores.add(c.buffer);
  }
  t.ok(copies.length > 6, `${copies.length} pieces`);
  t.ok(Buffer.concat(copies).equals(fresh), 'the same bytes as fresh Buffers give');
  t.ok(stores.size <= 2, `${stores.size} Buffers behind ${copies.length} pieces`);
});

t.test('values that print long (an int field holding 1e308 prints 309 digits) keep whole cells across pieces', async (t) => {
  const rows: Row[] = Array.from({ length: 400 }, (_, i) => ({ N: i % 2 ? 1e308 : -1.7e300, D: 1e308 }));
  const columns: ResultColumn[] = [
    { header: 'N', chain: -1, field: 'N', kind: 'int' },
    { header: 'D', chain: -1, field: 'D', kind: 'double' },
  ];
  const r = new SnapshotResult(rows, [], columns);
  const pieces = [...r.pageChunks(0, 400, { columnDelimiter: 'COMMA', lineEnding: 'LF' })];
  t.ok(pieces.length > 1, `${pieces.length} pieces`);
  const want = '"N","D"\n' + rows.map((x) => `"${formatValue(x.N, 'int')}","${formatValue(x.D, 'double')}"\n`).join('');
  t.equal(Buffer.concat(pieces).toString('utf8'), want);
});
