#!/usr/bin/env node
// One time partition of one object: runs tap-salesforce-bulk with start_date/end_date set to the partition's bounds
// and its own STATE, so partitions can run as separate processes (or orchestrator tasks) at the same time.
//
//   node run-partition.mjs --config tap.json --catalog catalog.json --start 2025-01-01 --end 2025-04-01 --out parts/
//       writes parts/<start>_<end>.jsonl (the tap's Singer output) and parts/<start>_<end>.state.json (its last
//       STATE); a re-run of the same partition resumes from that STATE. Exit code: the tap's.
//   node run-partition.mjs --list --start 2025-01-01 --end 2026-01-01 --every month
//       prints one partition a line as JSON: {"start":"2025-01-01","end":"2025-02-01"} (day|week|month|quarter|year)
//
// The catalog should select one stream (the object being partitioned). The tap is `tap-salesforce-bulk` on PATH,
// or --tap PATH (a cli.js, run with this node). Partition bounds are [start, end): every row lands in exactly one.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

function args(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    const name = k.slice(2);
    if (name === 'list') o.list = true;
    else o[name] = argv[++i];
  }
  return o;
}

const STEP = {
  day: (d) => d.setUTCDate(d.getUTCDate() + 1),
  week: (d) => d.setUTCDate(d.getUTCDate() + 7),
  month: (d) => d.setUTCMonth(d.getUTCMonth() + 1),
  quarter: (d) => d.setUTCMonth(d.getUTCMonth() + 3),
  year: (d) => d.setUTCFullYear(d.getUTCFullYear() + 1),
};

const day = (d) => d.toISOString().slice(0, 10);

/** Consecutive [start, end) partitions covering [from, to). */
export function partitions(from, to, every) {
  if (!STEP[every]) throw new Error(`--every must be one of ${Object.keys(STEP).join(', ')}`);
  const out = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || Number.isNaN(end.getTime()) || d >= end) throw new Error('--start and --end must be dates (YYYY-MM-DD), start before end');
  for (let i = 0; d < end && i < 100_000; i++) {
    const start = day(d);
    STEP[every](d);
    out.push({ start, end: d < end ? day(d) : day(end) });
  }
  return out;
}

async function runPartition(o) {
  for (const k of ['config', 'catalog', 'start', 'end', 'out']) if (!o[k]) throw new Error(`missing --${k}`);
  mkdirSync(o.out, { recursive: true });
  const name = `${o.start}_${o.end}`.replace(/[^0-9A-Za-z_.-]/g, '-');
  const records = join(o.out, `${name}.jsonl`);
  const stateFile = join(o.out, `${name}.state.json`);
  // The partition's bounds go into a config file of its own (start_date/end_date override the shared config).
  const bounds = join(tmpdir(), `partition-${process.pid}-${name}.json`);
  writeFileSync(bounds, JSON.stringify({ start_date: o.start, end_date: o.end }), { mode: 0o600 });
  const tapArgs = ['--config', o.config, '--config', bounds, '--catalog', o.catalog];
  if (existsSync(stateFile)) tapArgs.push('--state', stateFile);
  const [cmd, cmdArgs] = o.tap ? [process.execPath, [o.tap, ...tapArgs]] : ['tap-salesforce-bulk', tapArgs];
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  // A resumed partition appends: the tap continues after the rows the last STATE covers.
  const out = createWriteStream(records, { flags: existsSync(stateFile) ? 'a' : 'w' });
  let lastState;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (line.startsWith('{"type":"STATE"')) lastState = JSON.parse(line).value;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const [code, signal] = child.exitCode !== null || child.signalCode !== null ? [child.exitCode, child.signalCode] : await once(child, 'exit');
  rmSync(bounds, { force: true });
  if (lastState !== undefined) {
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(lastState));
    renameSync(`${stateFile}.tmp`, stateFile); // the STATE file is replaced whole or not at all
  }
  return code ?? (signal ? 130 : 1);
}

async function main() {
  const o = args(process.argv.slice(2));
  if (o.list) {
    for (const p of partitions(o.start, o.end, o.every ?? 'month')) process.stdout.write(`${JSON.stringify(p)}\n`);
    return 0;
  }
  return runPartition(o);
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`run-partition: ${e.message}\n`);
    process.exitCode = 2;
  },
);
