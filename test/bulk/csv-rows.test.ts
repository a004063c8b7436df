import t from 'tap';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { CsvRows } from '../../src/bulk/csv/csv-rows.js';
import { decodedBody } from '../../src/bulk/http/decoded-body.js';

const csv = '"sf__Id","sf__Created",Name,Note\n"001A","true","Acme","multi\nline, ""quoted"""\n"001B","false","Beta",""\n';

async function collect(rows: CsvRows): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for await (const r of rows) out.push({ ...r });
  return out;
}

t.test('plain and gzip bodies decode to the same rows, by magic bytes', async (t) => {
  const chunks = (buf: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size)));
  for (const [label, body] of [
    ['plain', chunks(Buffer.from(csv), 1)],
    ['gzip', chunks(gzipSync(csv), 1)],
    ['gzip in one chunk', Readable.from([gzipSync(csv)])],
  ] as const) {
    const rows = new CsvRows(decodedBody(body));
    const got = await collect(rows);
    t.same(got, [
      { sf__Id: '001A', sf__Created: 'true', Name: 'Acme', Note: 'multi\nline, "quoted"' },
      { sf__Id: '001B', sf__Created: 'false', Name: 'Beta', Note: '' },
    ], label);
    t.same(rows.columns, ['sf__Id', 'sf__Created', 'Name', 'Note']);
    t.equal(rows.count, 2);
  }
});

t.test('a header-only or empty body yields no rows', async (t) => {
  t.same(await collect(new CsvRows(decodedBody(Readable.from([Buffer.from('"sf__Id","sf__Error"\n')])))), []);
  t.same(await collect(new CsvRows(decodedBody(Readable.from([])))), []);
  t.same(await collect(new CsvRows(decodedBody(Readable.from([Buffer.from('I')])))), [], 'a single byte is not lost');
});

t.test('other delimiters are honoured', async (t) => {
  const rows = new CsvRows(decodedBody(Readable.from([Buffer.from('Id|Name\n1|a,b\n')])), { columnDelimiter: 'PIPE' });
  t.same(await collect(rows), [{ Id: '1', Name: 'a,b' }]);
});

t.test('a malformed CSV and a broken stream surface as errors (mapped when asked)', async (t) => {
  const bad = new CsvRows(decodedBody(Readable.from([Buffer.from('a,b\n"1,2\n')])), { mapError: (e) => new Error(`mapped: ${(e as Error).message}`) });
  await t.rejects(collect(bad), /mapped:/);
  const broken = new Readable({ read() { this.push(Buffer.from('a,b\n1,2\n')); this.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })); } });
  await t.rejects(collect(new CsvRows(decodedBody(broken))), { code: 'UND_ERR_SOCKET' });
});

t.test('reading is pull-driven: a large body is not read ahead of the consumer', async (t) => {
  let produced = 0;
  const row = Buffer.from('x,y\n'.repeat(1000));
  const source = new Readable({
    read() {
      produced += row.length;
      this.push(produced === row.length ? Buffer.concat([Buffer.from('a,b\n'), row]) : row);
    },
  });
  const rows = new CsvRows(decodedBody(source));
  let n = 0;
  for await (const _ of rows) if (++n === 10) break;
  t.ok(produced < 2_000_000, `only ${produced} bytes were produced for 10 rows`);
  for (let i = 0; i < 20 && !source.destroyed; i++) await new Promise((r) => setTimeout(r, 5));
  t.ok(source.destroyed, 'stopping early releases the source');
});
