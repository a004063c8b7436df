// The target's transform alone: Singer JSONL -> validated, mapped, checked rows -> size-bounded CSV chunk files
// (with their row places files), no jobs. It drives the real target (TargetRun's read -> spool path, with jobs switched
// off and describe read from data/describe), once on the reader's thread alone and once with its transform threads,
// against the JSON.parse-per-line floor on the same file, in the same run.
//   npm run build && node bench/target-transform.mjs [--records 1000000] [--runs 3] [--workers N] [--alone 0]
// Prints a table: records/s, MB/s, the ratio to the floor (goal >= 0.8), the reader thread's busy time, peak RSS.
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { readLineBatches } from '../dist/src/streams/singer-reader.js';
import { LineLogger } from '../dist/src/streams/log-lines.js';
import { parseTargetConfig } from '../dist/src/target/target-config.js';
import { RunReport } from '../dist/src/target/run-report.js';
import { TargetRun } from '../dist/src/target/target-run.js';

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

let runNo = 0;

/** CPU seconds of this process's main thread (Linux: its task's utime + stime), NaN elsewhere. */
function mainThreadCpu() {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** The real target's read -> spool path over `path`; returns rows spooled and chunk files written. */
async function transform(path, dir, describe, workers) {
  const stateDir = join(dir, `state-${++runNo}`);
  const config = parseTargetConfig({
    streams: { accounts: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' } },
    state_dir: stateDir,
    failed_records_dir: join(dir, `failed-${runNo}`),
  });
  const quiet = new LineLogger({ name: 'bench', level: 'error', format: 'text', redactor: { redact: (x) => x } });
  const run = new TargetRun({
    config,
    input: createReadStream(path), // 64 KB reads, as from a pipe
    stdout: () => undefined,
    logger: quiet,
    report: new RunReport(quiet, { tty: false, everyMs: 3_600_000 }),
    spoolOnly: { describe },
    workers,
  });
  const main0 = mainThreadCpu();
  const cpu0 = process.cpuUsage();
  let rss = process.memoryUsage.rss();
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage.rss())), 20);
  const t0 = performance.now();
  const summary = await run.run();
  const seconds = (performance.now() - t0) / 1000;
  const busy = mainThreadCpu() - main0;
  const cpu = process.cpuUsage(cpu0);
  const cpuAll = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  if (summary.exitCode !== 0) throw new Error(`transform ended with ${summary.outcome}: ${summary.message}`);
  const rows = summary.streams.accounts.queued;
  const chunks = readdirSync(join(stateDir, 'chunks')).filter((f) => f.endsWith('.csv')).length;
  rmSync(stateDir, { recursive: true, force: true });
  return { rows, chunks, seconds, busy, cpuAll, rss: rss / 2 ** 20 };
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
    const threads = arg('workers', 2);
    const modes = [...(arg('alone', 1) ? [['reader thread only', 0]] : []), ...(threads > 0 ? [[`${threads} transform threads`, threads]] : [])];
    const t = { floor: [], modes: modes.map(() => []), busy: modes.map(() => []), cpu: modes.map(() => []), rss: [] };
    let last;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const n = await floor(path);
      t.floor.push((performance.now() - t0) / 1000);
      if (n !== RECORDS + 1) throw new Error(`floor read ${n} lines`);
      for (let i = 0; i < modes.length; i++) {
        last = await transform(path, dir, describe, modes[i][1]);
        t.modes[i].push(last.seconds);
        t.busy[i].push(last.busy);
        t.cpu[i].push(last.cpuAll);
        t.rss[i] = Math.max(t.rss[i] ?? 0, last.rss);
        if (last.rows !== RECORDS) throw new Error(`transform spooled ${last.rows} rows`);
      }
    }
    const f = median(t.floor);
    console.log(`target transform, ${RECORDS} Account-like records (12 fields, ${mb.toFixed(0)} MB of JSONL), median of ${RUNS} runs, ${availableParallelism()} cores`);
    // Reader thread CPU: the part no number of transform threads takes away (floor / that is the ratio reachable
    // with enough idle cores). Process CPU: every thread. Peak RSS: sampled while that transform ran (the bench
    // process's own baseline included).
    console.log('| stage | seconds | records/s | MB/s | vs floor | reader thread CPU (s) | process CPU (s) | peak RSS (MB) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(`| JSON.parse per line (floor) | ${f.toFixed(2)} | ${Math.round(RECORDS / f)} | ${(mb / f).toFixed(1)} | 1.00 | | | |`);
    for (let i = 0; i < modes.length; i++) {
      const x = median(t.modes[i]);
      console.log(`| target read -> ${last.chunks} CSV chunk file(s) + row places, ${modes[i][0]} | ${x.toFixed(2)} | ${Math.round(RECORDS / x)} | ${(mb / x).toFixed(1)} | ${(f / x).toFixed(2)} | ${median(t.busy[i]).toFixed(2)} | ${median(t.cpu[i]).toFixed(2)} | ${Math.round(t.rss[i])} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
