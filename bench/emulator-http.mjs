// Emulator throughput and memory over real HTTP, the emulator in its own process (peak RSS from /proc).
//   node bench/emulator-http.mjs [--accounts 2000000] [--ingest 1000000] [--runs 3]
// Prints a table: seeding time, ingest upload MB/s and processing records/s, query pages records/s and MB/s,
// and the emulator's peak RSS (VmHWM).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ACCOUNTS = arg('accounts', 2_000_000);
const INGEST = arg('ingest', 1_000_000);
const RUNS = arg('runs', 3);
const API = 'v62.0';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const vm = (pid, key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'emu-bench-'));
  const seed = join(dir, 'seed.json');
  writeFileSync(seed, JSON.stringify({ generate: { Account: ACCOUNTS, Contact: 0, Opportunity: 0, Lead: 0, Case: 0, Invoice__c: 0 } }));
  const t0 = Date.now();
  const child = spawn(process.execPath, [`--max-old-space-size=${arg('heap-mb', 4096)}`, 'dist/src/emulator/cli.js', '--seed', seed], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return { child, url: JSON.parse(line).url, seedMs: Date.now() - t0 };
}

async function main() {
  const { child, url, seedMs } = await start();
  process.on('exit', () => child.kill('SIGKILL'));
  const progress = (s) => process.stderr.write(`bench: ${s}\n`);
  const pid = child.pid;
  const rssAfterSeed = vm(pid, 'VmRSS');
  const tok = await (await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'emulator-client', client_secret: 'emulator-secret' }),
  }).then((r) => r.json())).access_token;
  const h = { Authorization: `Bearer ${tok}` };
  const call = (p, init = {}) => fetch(`${url}/services/data/${API}/${p}`, { ...init, headers: { ...h, ...(init.headers ?? {}) } });
  const wait = async (p) => {
    for (let i = 0; i < 100000; i++) {
      const j = await (await call(p)).json();
      if (['JobComplete', 'Failed', 'Aborted'].includes(j.state)) return j;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const rows = ['Name,AnnualRevenue,NumberOfEmployees,Industry,External_Id__c'];
  for (let i = 0; i < INGEST; i++) rows.push(`Bench ${i},${i % 100000},${i % 500},Banking,BENCH-${i}`);
  const csv = Buffer.from(rows.join('\n') + '\n');
  const ingest = { uploadMBs: [], procRecs: [], resultsMBs: [] };
  const query = { recs: [], mbs: [] };
  for (let run = 0; run < RUNS; run++) {
    if (INGEST > 0) {
    const job = await (await call('jobs/ingest', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ object: 'Account', operation: 'upsert', externalIdFieldName: 'External_Id__c' }) })).json();
    let t = Date.now();
    await call(`jobs/ingest/${job.id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv });
    ingest.uploadMBs.push(csv.length / 1048576 / ((Date.now() - t) / 1000));
    t = Date.now();
    await call(`jobs/ingest/${job.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'UploadComplete' }) });
    const done = await wait(`jobs/ingest/${job.id}`);
    ingest.procRecs.push(done.numberRecordsProcessed / ((Date.now() - t) / 1000));
    t = Date.now();
    let bytes = 0;
    for (const set of ['successfulResults', 'failedResults', 'unprocessedrecords']) bytes += (await (await call(`jobs/ingest/${job.id}/${set}`)).arrayBuffer()).byteLength;
    ingest.resultsMBs.push(bytes / 1048576 / ((Date.now() - t) / 1000));
    await call(`jobs/ingest/${job.id}`, { method: 'DELETE' });
    }

    const q = await (await call('jobs/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Name, AnnualRevenue, NumberOfEmployees, Industry, CreatedDate, SystemModstamp FROM Account LIMIT 1000000' }) })).json();
    progress(`query job ${q.id ?? JSON.stringify(q)}`);
    await wait(`jobs/query/${q.id}`);
    const t = Date.now();
    let locator = null;
    let n = 0;
    let qbytes = 0;
    do {
      const res = await call(`jobs/query/${q.id}/results?maxRecords=100000${locator ? `&locator=${locator}` : ''}`);
      qbytes += (await res.arrayBuffer()).byteLength;
      n += Number(res.headers.get('sforce-numberofrecords'));
      locator = res.headers.get('sforce-locator');
    } while (locator && locator !== 'null');
    const s = (Date.now() - t) / 1000;
    query.recs.push(n / s);
    query.mbs.push(qbytes / 1048576 / s);
    await call(`jobs/query/${q.id}`, { method: 'DELETE' });
  }
  const peak = vm(pid, 'VmHWM');
  child.kill('SIGTERM');
  const f = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`emulator over HTTP, ${ACCOUNTS.toLocaleString('en-US')} seeded Accounts, ${RUNS} runs (medians)`);
  console.log('| measure | value |');
  console.log('| --- | --- |');
  console.log(`| seed ${f(ACCOUNTS)} Accounts (start to listening) | ${(seedMs / 1000).toFixed(1)} s |`);
  console.log(`| RSS after seeding | ${f(rssAfterSeed)} MB |`);
  if (INGEST > 0) console.log(`| ingest upload (${(csv.length / 1048576).toFixed(0)} MB, ${f(INGEST)} rows) | ${f(median(ingest.uploadMBs))} MB/s |`);
  if (INGEST > 0) console.log(`| ingest processing (upsert) | ${f(median(ingest.procRecs))} records/s |`);
  if (INGEST > 0) console.log(`| ingest results download | ${f(median(ingest.resultsMBs))} MB/s |`);
  console.log(`| query results, 1,000,000 rows x 7 columns | ${f(median(query.recs))} records/s, ${f(median(query.mbs))} MB/s |`);
  console.log(`| emulator peak RSS (VmHWM) | ${f(peak)} MB |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
