// Benchmark of the emulator's SOQL engine: a full scan of N rows x 10 columns (one of them a parent
// field), rendering every result page, a filtered scan and a sorted query. Runs against dist/
// (`npm run build` first). Usage: node bench/emulator-soql.mjs [rows=1000000] [pageSize=50000]
import { performance } from 'node:perf_hooks';
import { compileQuery } from '../dist/src/emulator/query/index.js';
import { fixtureStore } from '../dist/test/emulator/soql-fixture.js';

const N = Number(process.argv[2] ?? 1_000_000);
const PAGE = Number(process.argv[3] ?? 50_000);
const INDUSTRIES = ['Banking', 'Energy', 'Retail', 'Technology', null];

const store = fixtureStore();
const users = store.table('User');
const owners = [];
for (let i = 0; i < 100; i++) owners.push(users.insert({ Name: `Owner ${i}`, Email: `o${i}@example.com` }).Id);
const accounts = store.table('Account');
const base = Date.UTC(2025, 0, 1);
let t0 = performance.now();
for (let i = 0; i < N; i++) {
  accounts.insert(
    {
      Name: `Account ${i} "Ltd", Inc`,
      Industry: INDUSTRIES[i % 5],
      AnnualRevenue: i % 7 === 0 ? null : (i * 37) % 50_000_000,
      NumberOfEmployees: i % 1000,
      IsPartner: i % 2 === 0,
      LastActivityDate: `2025-${String(1 + (i % 12)).padStart(2, '0')}-15`,
      OwnerId: owners[i % 100],
    },
    base + i * 1000,
  );
}
const loadMs = performance.now() - t0;

const rows = [];
function measure(label, fn) {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t = performance.now();
  const extra = fn();
  const ms = performance.now() - t;
  const heap = (process.memoryUsage().heapUsed - heap0) / 1e6;
  rows.push({ step: label, ms: ms.toFixed(0), 'rows/s': extra.rows ? Math.round(extra.rows / (ms / 1000)).toLocaleString('en-US') : '', 'heap Δ MB': heap.toFixed(1), note: extra.note ?? '' });
  return extra;
}

const SOQL =
  'SELECT Id, Name, Industry, AnnualRevenue, NumberOfEmployees, IsPartner, LastActivityDate, CreatedDate, OwnerId, Owner.Name FROM Account';
let result;
measure('compile + execute (full scan, 10 columns)', () => {
  result = compileQuery(store, SOQL).execute(false);
  return { rows: result.count, note: `${result.count.toLocaleString('en-US')} rows` };
});
measure(`render all pages (${PAGE.toLocaleString('en-US')} rows/page, COMMA, LF)`, () => {
  let bytes = 0;
  let pages = 0;
  for (let off = 0; off < result.count; off += PAGE) {
    bytes += Buffer.byteLength(result.page(off, PAGE, { columnDelimiter: 'COMMA', lineEnding: 'LF' }));
    pages++;
  }
  return { rows: result.count, note: `${pages} pages, ${(bytes / 1e6).toFixed(0)} MB` };
});
measure('execute WHERE (LIKE, IN, date, number)', () => {
  const r = compileQuery(
    store,
    "SELECT Id, Name FROM Account WHERE Name LIKE 'account 1%' AND Industry IN ('Banking', 'Retail') AND LastActivityDate >= 2025-06-01 AND AnnualRevenue > 1000",
  ).execute(false);
  return { rows: N, note: `${r.count.toLocaleString('en-US')} matched (rows/s = rows scanned)` };
});
measure('execute ORDER BY Industry DESC, Name LIMIT 1000', () => {
  const r = compileQuery(store, 'SELECT Id, Name FROM Account ORDER BY Industry DESC NULLS LAST, Name LIMIT 1000').execute(false);
  return { rows: N, note: `${r.count} rows kept (rows/s = rows sorted)` };
});

const mem = process.memoryUsage();
console.log(`emulator SOQL benchmark: ${N.toLocaleString('en-US')} Account rows (load ${(loadMs / 1000).toFixed(1)} s), node ${process.version}`);
console.table(rows);
console.log(`RSS ${(mem.rss / 1e6).toFixed(0)} MB, heap used ${(mem.heapUsed / 1e6).toFixed(0)} MB (rows + snapshot)`);
