// The target's transform alone: Singer JSONL -> validated, mapped, checked rows -> size-bounded CSV chunk files
// (with their ledger rows, as the target writes them), no jobs. Compared with the JSON.parse-per-line floor on the
// same file, in the same run.
//   npm run build && node bench/target-transform.mjs [--records 1000000] [--runs 3]
// Prints a table: records/s, MB/s, and the ratio to the floor (goal >= 0.8).
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { readLineBatches, readSingerMessages } from '../dist/src/streams/singer-reader.js';
import { SchemaValidators } from '../dist/src/streams/schema-validators.js';
import { CsvChunker, CsvChunkWriter, csvLine, lineEndingFor } from '../dist/src/streams/csv-chunker.js';
import { planStream } from '../dist/src/target/stream-plan.js';
import { cellFor } from '../dist/src/target/field-values.js';
import { rowProblem } from '../dist/src/target/row-rules.js';
import { rowHash } from '../dist/src/target/row-hash.js';
import { JobLedger } from '../dist/src/target/job-ledger.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RECORDS = arg('records', 1_000_000);
const RUNS = arg('runs', 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const ACCOUNT_SCHEMA = {
  type: 'object',
  properties: {
    External_Id__c: { type: 'string' }, Name: { type: 'string' }, AnnualRevenue: { type: ['number', 'null'] },
    NumberOfEmployees: { type: ['integer', 'null'] }, Industry: { type: ['string', 'null'] }, Phone: { type: ['string', 'null'] },
    Website: { type: ['string', 'null'] }, BillingStreet: { type: ['string', 'null'] }, BillingCity: { type: ['string', 'null'] },
    BillingPostalCode: { type: ['string', 'null'] }, BillingCountry: { type: ['string', 'null'] }, Description: { type: ['string', 'null'] },
  },
};

/** Writes `n` Account-like Singer RECORDs with 12 fields (SCHEMA first) to `path`. */
export async function writeAccounts(path, n, stream = 'accounts') {
  const out = createWriteStream(path);
  out.write(JSON.stringify({ type: 'SCHEMA', stream, schema: ACCOUNT_SCHEMA, key_properties: ['External_Id__c'] }) + '\n');
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += JSON.stringify({ type: 'RECORD', stream, record: {
      External_Id__c: `BENCH-${i}`, Name: `Account ${i}, Inc.`, AnnualRevenue: (i % 1000) * 1250.5, NumberOfEmployees: i % 5000,
      Industry: 'Banking', Phone: `+1 415 555 ${String(i % 10000).padStart(4, '0')}`, Website: `https://a${i}.example.com`,
      BillingStreet: `${i} Market St`, BillingCity: 'San Francisco', BillingPostalCode: '94105', BillingCountry: 'USA',
      Description: i % 10 === 0 ? 'Key "account"\nwith notes' : 'Regular account',
    }, time_extracted: '2024-05-01T12:00:00Z' }) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

async function floor(path) {
  let n = 0;
  for await (const lines of readLineBatches(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    for (const line of lines) {
      JSON.parse(line);
      n++;
    }
  }
  return n;
}

async function transform(path, dir, describe) {
  const ledger = JobLedger.open(join(dir, `state-${Date.now()}`));
  const validators = new SchemaValidators();
  let plan;
  let rows = 0;
  let chunks = 0;
  const chunker = new CsvChunker(
    { maxBytes: 100_000_000, maxRows: 10_000_000 },
    () => {
      const record = ledger.addChunk({ stream: 'accounts', object: 'Account', operation: 'upsert', externalId: 'External_Id__c', lineEnding: 'LF', attempt: 1, phase: 'open' });
      return { writer: new CsvChunkWriter({ csvPath: record.csvPath, sidePath: record.sidePath }, plan.columns.map((c) => c.header), 'LF'), record, places: [] };
    },
    (c) => {
      ledger.addRows(c.record.id, c.places);
      c.places = [];
      chunks++;
    },
  );
  for await (const { text, message } of readSingerMessages(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    if (message.type === 'SCHEMA') {
      validators.set(message.stream, message.schema);
      plan = await planStream(message.stream, { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' }, message.schema, describe);
      continue;
    }
    if (message.type !== 'RECORD') continue;
    if (validators.check(message.stream, message.record) !== undefined) continue;
    // As TargetRun.onRecord does it.
    const cells = new Array(plan.columns.length);
    for (let i = 0; i < cells.length; i++) {
      const c = plan.columns[i];
      cells[i] = cellFor(message.record[c.property], c.field, '');
    }
    if (rowProblem(plan, cells) !== undefined) continue;
    const eol = lineEndingFor(cells);
    const csv = csvLine(cells, eol);
    const { chunk, place } = chunker.add(csv, text, Buffer.byteLength(csv));
    chunk.places.push({
      row: place.row, csvOffset: place.csvOffset, csvLength: place.csvLength, sideOffset: place.sideOffset, sideLength: place.sideLength,
      hash: rowHash(cells), parentKey: null, key: cells[plan.keyIndex],
    });
    if (chunk.places.length >= 5000) {
      ledger.addRows(chunk.record.id, chunk.places);
      chunk.places = [];
    }
    rows++;
  }
  chunker.flush();
  ledger.close();
  return { rows, chunks };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'target-bench-'));
  try {
    const path = join(dir, 'accounts.jsonl');
    await writeAccounts(path, RECORDS);
    const mb = readFileSync(path).length / 1e6;
    const account = JSON.parse(readFileSync(new URL('../data/describe/Account.json', import.meta.url), 'utf8'));
    account.fields.find((f) => f.name === 'External_Id__c') ?? account.fields.push({ ...account.fields.find((f) => f.name === 'AccountNumber'), name: 'External_Id__c', label: 'External Id', externalId: true, idLookup: true, unique: true });
    const describe = { describe: async () => account, sobjects: async () => ({ sobjects: [] }) };
    const t = { floor: [], transform: [] };
    let last;
    for (let r = 0; r < RUNS; r++) {
      let t0 = performance.now();
      const n = await floor(path);
      t.floor.push((performance.now() - t0) / 1000);
      if (n !== RECORDS + 1) throw new Error(`floor read ${n} lines`);
      t0 = performance.now();
      last = await transform(path, dir, describe);
      t.transform.push((performance.now() - t0) / 1000);
      if (last.rows !== RECORDS) throw new Error(`transform wrote ${last.rows} rows`);
    }
    const f = median(t.floor);
    const x = median(t.transform);
    console.log(`target transform, ${RECORDS} Account-like records (12 fields, ${mb.toFixed(0)} MB of JSONL), median of ${RUNS} runs`);
    console.log('| stage | seconds | records/s | MB/s | vs floor |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    console.log(`| JSON.parse per line (floor) | ${f.toFixed(2)} | ${Math.round(RECORDS / f)} | ${(mb / f).toFixed(1)} | 1.00 |`);
    console.log(`| transform -> ${last.chunks} CSV chunk file(s) + ledger rows | ${x.toFixed(2)} | ${Math.round(RECORDS / x)} | ${(mb / x).toFixed(1)} | ${(f / x).toFixed(2)} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
