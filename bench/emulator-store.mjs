// Benchmark of the emulator's org store: generating a big demo org (2,000,000 Accounts by default), then the
// operations the engines run on it (external-id index, full scan, updates, inserts). Prints records/s and heap.
// Runs against dist/ (`npm run build` first). Usage:
//   node bench/emulator-store.mjs [accounts=2000000]
// (re-runs itself with --expose-gc so that heap figures are measured after a full GC)
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

if (typeof global.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const { createDemoOrg } = await import('../dist/src/emulator/org/demo-org.js');

const N = Number(process.argv[2] ?? 2_000_000);
const NOW = Date.UTC(2025, 0, 15);
const mb = (b) => (b / 1048576).toFixed(0);

function heap() {
  global.gc();
  return process.memoryUsage().heapUsed;
}

const results = [];
function measure(label, records, fn) {
  const h0 = heap();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const h1 = heap();
  results.push({
    step: label,
    records,
    seconds: secs.toFixed(2),
    'cpu s': ((cpu.user + cpu.system) / 1e6).toFixed(2),
    'records/s': Math.round(records / secs).toLocaleString('en-US'),
    'heap MB': mb(h1),
    'heap delta MB': mb(h1 - h0),
    'rss MB': mb(process.memoryUsage().rss),
  });
  return out;
}

const base = heap();
const store = measure(`generate ${N.toLocaleString('en-US')} Accounts`, N, () =>
  createDemoOrg({ now: NOW, counts: { Account: N, Contact: 0, Opportunity: 0, Lead: 0, Case: 0, Invoice__c: 0 } }),
);
const accounts = store.table('Account');
const perRow = (heap() - base) / accounts.count(true);

measure('findBy External_Id__c (builds the index)', 1, () => accounts.findBy('External_Id__c', 'ACC-0000001'));
measure('findBy External_Id__c x 100,000 (indexed)', 100_000, () => {
  let hits = 0;
  for (let i = 1; i <= 100_000; i++) hits += accounts.findBy('External_Id__c', `acc-${String(i * 7).padStart(7, '0')}`).length;
  return hits;
});
measure('scan all rows', accounts.count(true), () => {
  let n = 0;
  for (const r of accounts.scan(true)) if (r.AnnualRevenue !== null) n++;
  return n;
});
const ids = [];
for (const r of accounts.scan(false)) {
  ids.push(r.Id);
  if (ids.length === 100_000) break;
}
measure('update 100,000 rows', 100_000, () => {
  for (const id of ids) accounts.update(id, { Rating: 'Hot', AnnualRevenue: 123 }, NOW + 1000);
});
measure('insert 100,000 rows', 100_000, () => {
  for (let i = 0; i < 100_000; i++) accounts.insert({ Name: `Bench ${i}`, External_Id__c: `BENCH-${i}`, Industry: 'Banking' }, NOW + 2000);
});

console.log(`salesforce-bulk-emulator org store, node ${process.version}, ${accounts.count(true).toLocaleString('en-US')} Accounts`);
console.table(results);
console.log(`retained heap per generated Account: ${perRow.toFixed(0)} bytes (${accounts.shapes()} row shape(s))`);
