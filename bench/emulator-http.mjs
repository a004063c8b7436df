// Emulator throughput and memory over real HTTP, the emulator in its own process (peak RSS from /proc).
//   node bench/emulator-http.mjs [--accounts 200000] [--ingest 100000] [--runs 3] [--json] [--cpu-prof DIR] [--trace-gc] [--trace-gc-nvp]
// The targets of the emulator (it must never be what a connector benchmark measures) are stated for
//   node bench/emulator-http.mjs --accounts 2000000 --ingest 1000000 --runs 1
// The defaults are a quick run of the same shape. Prints one table: the four figures the targets are about
// (ingest processing records/s, ingest result sets MB/s, query results records/s, peak RSS), then the rest.
// --json prints the figures as one JSON object instead (for bench/run.mjs). --cpu-prof DIR profiles the emulator.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { decodedBody } from '../dist/src/bulk/index.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number, not "${argv[i + 1]}"`);
  return n;
};
const flag = (name) => argv.includes(`--${name}`);
const text = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
};
const ACCOUNTS = arg('accounts', 200_000);
const INGEST = arg('ingest', 100_000);
const RUNS = Math.max(1, arg('runs', 3));
const QUERY_ROWS = Math.min(1_000_000, ACCOUNTS + INGEST);
const CPU_PROF = text('cpu-prof');
const API = 'v62.0';
const POLL_MS = 10;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const vm = (pid, key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const progress = (s) => process.stderr.write(`bench: ${s}\n`);
/** CPU seconds the emulator process has used (user + system, all its threads): a figure a loaded machine does not skew. */
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
};

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'emu-bench-'));
  const seed = join(dir, 'seed.json');
  writeFileSync(seed, JSON.stringify({ generate: { Account: ACCOUNTS, Contact: 0, Opportunity: 0, Lead: 0, Case: 0, Invoice__c: 0 } }));
  const t0 = Date.now();
  const nodeArgs = [`--max-old-space-size=${arg('heap-mb', 4096)}`];
  if (CPU_PROF) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`);
  if (flag('trace-gc')) nodeArgs.push('--trace-gc');
  if (flag('trace-gc-nvp')) nodeArgs.push('--trace-gc-nvp');
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/emulator/cli.js', '--seed', seed, '--processing-rate', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)));
    // the first JSON line is the emulator's address; with --trace-gc, V8's lines go to stderr with a timestamp
    const lines = createInterface({ input: child.stdout });
    let ready = false;
    lines.on('line', (l) => {
      if (!ready && l.startsWith('{')) {
        ready = true;
        resolve(l);
      } else if (!l.startsWith('{')) {
        process.stderr.write(`gc ${new Date().toISOString().slice(11, 23)} ${l}\n`);
      }
    });
  });
  return { child, url: JSON.parse(line).url, seedMs: Date.now() - t0 };
}

async function main() {
  const { child, url, seedMs } = await start();
  process.on('exit', () => child.kill('SIGKILL'));
  const pid = child.pid;
  const rssAfterSeed = vm(pid, 'VmRSS');
  const tok = await (await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'emulator-client', client_secret: 'emulator-secret' }),
  }).then((r) => r.json())).access_token;
  const h = { Authorization: `Bearer ${tok}` };
  const call = (p, init = {}) => fetch(`${url}/services/data/${API}/${p}`, { ...init, headers: { ...h, ...(init.headers ?? {}) } });
  /** A result download as the client makes it (src/bulk's undici request, gzip asked for, its decodedBody): decoded bytes and headers. */
  const download = async (p) => {
    const res = await request(`${url}/services/data/${API}/${p}`, { headers: { ...h, accept: 'text/csv', 'accept-encoding': 'gzip' } });
    if (res.statusCode !== 200) throw new Error(`${p}: HTTP ${res.statusCode} ${await res.body.text()}`);
    let bytes = 0;
    for await (const c of decodedBody(res.body)) bytes += c.length;
    return { bytes, headers: res.headers };
  };
  const wait = async (p) => {
    for (let i = 0; i < 1_000_000; i++) {
      const j = await (await call(p)).json();
      if (['JobComplete', 'Failed', 'Aborted'].includes(j.state)) return j;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    throw new Error(`${p} did not finish`);
  };

  const rows = ['Name,AnnualRevenue,NumberOfEmployees,Industry,External_Id__c'];
  for (let i = 0; i < INGEST; i++) rows.push(`Bench ${i},${i % 100000},${i % 500},Banking,BENCH-${i}`);
  const csv = Buffer.from(rows.join('\n') + '\n');
  const ingest = { uploadMBs: [], procRecs: [], resultsMBs: [], procCpu: [], resultsCpu: [] };
  const query = { recs: [], mbs: [], cpu: [] };
  for (let run = 0; run < RUNS; run++) {
    if (INGEST > 0) {
      // every run inserts the same keys: the first run inserts, later runs update what it inserted
      const job = await (await call('jobs/ingest', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ object: 'Account', operation: 'upsert', externalIdFieldName: 'External_Id__c' }) })).json();
      let t = performance.now();
      await call(`jobs/ingest/${job.id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv });
      ingest.uploadMBs.push(csv.length / 1048576 / ((performance.now() - t) / 1000));
      t = performance.now();
      let cpu = cpuSeconds(pid);
      await call(`jobs/ingest/${job.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'UploadComplete' }) });
      const done = await wait(`jobs/ingest/${job.id}`);
      if (done.state !== 'JobComplete' || done.numberRecordsProcessed !== INGEST || done.numberRecordsFailed !== 0) {
        throw new Error(`ingest job ended ${JSON.stringify(done)}`);
      }
      ingest.procRecs.push(done.numberRecordsProcessed / ((performance.now() - t) / 1000));
      ingest.procCpu.push(done.numberRecordsProcessed / Math.max(0.01, cpuSeconds(pid) - cpu));
      progress(`ingest run ${run + 1}: ${Math.round(ingest.procRecs.at(-1))} records/s`);
      if (flag('trace-gc')) progress('downloading result sets');
      t = performance.now();
      cpu = cpuSeconds(pid);
      let bytes = 0;
      for (const set of ['successfulResults', 'failedResults', 'unprocessedrecords']) bytes += (await download(`jobs/ingest/${job.id}/${set}`)).bytes;
      ingest.resultsMBs.push(bytes / 1048576 / ((performance.now() - t) / 1000));
      ingest.resultsCpu.push(bytes / 1048576 / Math.max(0.01, cpuSeconds(pid) - cpu));
      progress(`ingest run ${run + 1}: result sets ${Math.round(ingest.resultsMBs.at(-1))} MB/s, RSS ${Math.round(vm(pid, 'VmRSS'))} MB`);
      await call(`jobs/ingest/${job.id}`, { method: 'DELETE' });
    }

    const soql = `SELECT Id, Name, AnnualRevenue, NumberOfEmployees, Industry, CreatedDate, SystemModstamp FROM Account LIMIT ${QUERY_ROWS}`;
    const q = await (await call('jobs/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: soql }) })).json();
    const qdone = await wait(`jobs/query/${q.id}`);
    const t = performance.now();
    const cpu = cpuSeconds(pid);
    let locator = null;
    let n = 0;
    let qbytes = 0;
    do {
      const res = await download(`jobs/query/${q.id}/results?maxRecords=100000${locator ? `&locator=${locator}` : ''}`);
      qbytes += res.bytes;
      n += Number(res.headers['sforce-numberofrecords']);
      locator = res.headers['sforce-locator'];
    } while (locator && locator !== 'null');
    if (n !== qdone.numberRecordsProcessed) throw new Error(`query served ${n} rows, the job counted ${qdone.numberRecordsProcessed}`);
    query.rows = n;
    const s = (performance.now() - t) / 1000;
    query.recs.push(n / s);
    query.mbs.push(qbytes / 1048576 / s);
    query.cpu.push(n / Math.max(0.01, cpuSeconds(pid) - cpu));
    progress(`query run ${run + 1}: ${Math.round(query.recs.at(-1))} records/s`);
    await call(`jobs/query/${q.id}`, { method: 'DELETE' });
  }
  const peak = vm(pid, 'VmHWM');
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  const figures = {
    accounts: ACCOUNTS,
    ingestRows: INGEST,
    queryRows: query.rows,
    runs: RUNS,
    ingestProcessingRecordsPerSecond: INGEST > 0 ? Math.round(median(ingest.procRecs)) : null,
    ingestResultsMBPerSecond: INGEST > 0 ? Math.round(median(ingest.resultsMBs)) : null,
    queryResultsRecordsPerSecond: Math.round(median(query.recs)),
    ingestProcessingRecordsPerCpuSecond: INGEST > 0 ? Math.round(median(ingest.procCpu)) : null,
    ingestResultsMBPerCpuSecond: INGEST > 0 ? Math.round(median(ingest.resultsCpu)) : null,
    queryResultsRecordsPerCpuSecond: Math.round(median(query.cpu)),
    peakRssMB: Math.round(peak),
  };
  if (flag('json')) {
    console.log(JSON.stringify(figures));
    return;
  }
  const f = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`emulator over HTTP: ${f(ACCOUNTS)} Accounts seeded, upsert of ${f(INGEST)} rows, query of ${f(query.rows)} rows; ${RUNS} run(s), medians`);
  console.log('(targets hold for --accounts 2000000 --ingest 1000000; "per emulator CPU-second" divides by the CPU time the');
  console.log(' emulator process used, all threads, which other load on the machine does not inflate)');
  console.log('| measure | value | per emulator CPU-second | target |');
  console.log('| --- | --- | --- | --- |');
  if (INGEST > 0) {
    console.log(`| ingest processing, upsert (--processing-rate 0) | ${f(figures.ingestProcessingRecordsPerSecond)} records/s | ${f(figures.ingestProcessingRecordsPerCpuSecond)} records | >= 150,000 records/s |`);
    console.log(`| ingest result sets served (3 sets, ${f(INGEST)} rows) | ${f(figures.ingestResultsMBPerSecond)} MB/s | ${f(figures.ingestResultsMBPerCpuSecond)} MB | >= 100 MB/s |`);
  }
  console.log(`| query results served (${f(query.rows)} rows x 7 columns, pages of 100,000) | ${f(figures.queryResultsRecordsPerSecond)} records/s (${f(median(query.mbs))} MB/s) | ${f(figures.queryResultsRecordsPerCpuSecond)} records | >= 300,000 records/s |`);
  console.log(`| emulator peak RSS (VmHWM) | ${f(peak)} MB | | < 2,048 MB |`);
  console.log(`| seed ${f(ACCOUNTS)} Accounts (start to listening) | ${(seedMs / 1000).toFixed(1)} s | |`);
  console.log(`| RSS after seeding | ${f(rssAfterSeed)} MB | |`);
  if (INGEST > 0) console.log(`| ingest upload (${(csv.length / 1048576).toFixed(0)} MB) | ${f(median(ingest.uploadMBs))} MB/s | |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
