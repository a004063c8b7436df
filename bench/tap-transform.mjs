// The tap's transform alone: a Bulk 2.0 result CSV (every cell quoted, as Salesforce writes it) becomes typed
// Singer RECORD JSON lines, no HTTP. Compared in the same run with the JSON.parse-per-line floor (reading back
// the same number of RECORD lines) and a peer-style transform (csv-parse objects, a coercion pass, then
// JSON.stringify of each message). Medians of --runs runs.
//
//   npm run build && node bench/tap-transform.mjs [--rows 1000000] [--runs 3]
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { CsvRows } from '../dist/src/bulk/index.js';
import { RecordCoercer } from '../dist/src/streams/record-coercer.js';
import { SingerWriter, recordPrefix } from '../dist/src/streams/singer-writer.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROWS = Number(arg('rows', 1_000_000));
const RUNS = Number(arg('runs', 3));

const PROPS = {
  Id: { type: 'string' },
  Name: { type: 'string' },
  Industry: { type: ['null', 'string'] },
  NumberOfEmployees: { type: ['null', 'integer'] },
  AnnualRevenue: { type: ['null', 'number'] },
  IsDeleted: { type: 'boolean' },
  CreatedDate: { type: 'string', format: 'date-time' },
  SystemModstamp: { type: 'string', format: 'date-time' },
  LastActivityDate: { type: ['null', 'string'], format: 'date' },
  BillingCity: { type: ['null', 'string'] },
  Phone: { type: ['null', 'string'] },
  Description: { type: ['null', 'string'] },
};
const COLS = Object.keys(PROPS);

function row(i) {
  const id = `001${String(i).padStart(12, '0')}AAA`;
  const cells = [id, `Account number ${i}, Inc.`, i % 3 ? 'Manufacturing' : '', String(i % 5000), i % 4 ? (i * 37.5).toFixed(2) : '', String(i % 50 === 0),
    '2025-11-22T14:43:08.000Z', '2026-11-22T14:43:08.000Z', i % 2 ? '2026-01-15' : '', 'Springfield', '(555) 010-2000', i % 7 ? '' : `A "quoted" note ${i}`];
  return `${cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')}\n`;
}

async function writeCsv(file) {
  const out = createWriteStream(file);
  out.write(`${COLS.map((c) => `"${c}"`).join(',')}\n`);
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    buf += row(i);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** A sink that counts bytes (stands in for stdout; a file would measure the disk). */
function sink() {
  let bytes = 0;
  const w = new Writable({ highWaterMark: 1 << 16, write(c, _e, cb) { bytes += c.length; cb(); } });
  return { w, bytes: () => bytes };
}

async function tapTransform(csv) {
  const { w } = sink();
  const writer = new SingerWriter(w);
  const prefix = recordPrefix('Account');
  const t0 = performance.now();
  let coercer;
  let n = 0;
  const rows = new CsvRows(createReadStream(csv, { highWaterMark: 1 << 16 }));
  const extracted = new Date().toISOString();
  for await (const r of rows) {
    coercer ??= new RecordCoercer(PROPS, rows.columns);
    if (writer.record(prefix, coercer.json(r), extracted)) await writer.flush();
    n++;
  }
  await writer.flush();
  return { n, ms: performance.now() - t0 };
}

async function peerTransform(csv) {
  const { w } = sink();
  const t0 = performance.now();
  let n = 0;
  const extracted = new Date().toISOString();
  const parser = createReadStream(csv).pipe(parse({ columns: true }));
  let buf = '';
  for await (const r of parser) {
    const rec = {};
    for (const c of COLS) {
      const v = r[c];
      const p = PROPS[c];
      const t = Array.isArray(p.type) ? p.type.find((x) => x !== 'null') : p.type;
      rec[c] = v === '' && t !== 'string' ? null : t === 'integer' ? parseInt(v, 10) : t === 'number' ? Number(v) : t === 'boolean' ? v === 'true' : v;
    }
    buf += `${JSON.stringify({ type: 'RECORD', stream: 'Account', record: rec, time_extracted: extracted })}\n`;
    if (buf.length > 1 << 16) {
      if (!w.write(buf)) await once(w, 'drain');
      buf = '';
    }
    n++;
  }
  w.write(buf);
  return { n, ms: performance.now() - t0 };
}

async function writeJsonl(csv, file) {
  const out = createWriteStream(file);
  const writer = new SingerWriter(out);
  const prefix = recordPrefix('Account');
  const rows = new CsvRows(createReadStream(csv));
  let coercer;
  for await (const r of rows) {
    coercer ??= new RecordCoercer(PROPS, rows.columns);
    if (writer.record(prefix, coercer.json(r), new Date(0).toISOString())) await writer.flush();
  }
  await writer.flush();
  out.end();
  await once(out, 'finish');
}

async function parseFloor(jsonl) {
  const t0 = performance.now();
  let n = 0;
  const lines = createInterface({ input: createReadStream(jsonl, { highWaterMark: 1 << 16 }), crlfDelay: Infinity });
  for await (const line of lines) {
    JSON.parse(line);
    n++;
  }
  return { n, ms: performance.now() - t0 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'tap-transform-'));
try {
  const csv = join(dir, 'result.csv');
  const jsonl = join(dir, 'records.jsonl');
  await writeCsv(csv);
  await writeJsonl(csv, jsonl);
  const csvMB = statSync(csv).size / 1e6;
  const results = { floor: [], tap: [], peer: [] };
  for (let r = 0; r < RUNS; r++) {
    results.floor.push(await parseFloor(jsonl));
    results.tap.push(await tapTransform(csv));
    results.peer.push(await peerTransform(csv));
  }
  const rate = (rs) => median(rs.map((x) => (x.n * 1000) / x.ms));
  const floor = rate(results.floor);
  console.log(`tap transform: ${ROWS.toLocaleString('en-US')} rows, ${csvMB.toFixed(0)} MB of result CSV, median of ${RUNS} runs, node ${process.version}`);
  console.log('| path | records/s | MB/s of CSV | vs JSON.parse floor |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, label] of [['floor', 'JSON.parse per RECORD line (floor)'], ['tap', 'tap: CsvRows -> RecordCoercer -> SingerWriter'], ['peer', 'peer style: csv-parse objects -> coerce -> JSON.stringify']]) {
    const rps = rate(results[name]);
    const mbs = name === 'floor' ? '' : ((csvMB * rps) / ROWS).toFixed(0);
    console.log(`| ${label} | ${Math.round(rps).toLocaleString('en-US')} | ${mbs} | ${(rps / floor).toFixed(2)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
