// `npm run bench`: runs every benchmark in bench/, one after another in its own process, and prints one table
// of what they measured. Default sizes are modest (a few minutes on 2 cores); `--full` runs the big sizes
// the benchmarks were written for.
//
//   node bench/run.mjs [--full] [--only name,name] [--list]
//
// Adding a benchmark: add an entry to BENCHES (its quick and full arguments), or just drop a file named
// bench/tap-*.mjs or bench/target-*.mjs: those are found and run with no arguments. Every benchmark gets
// BENCH_PROFILE=quick|full in its environment to size itself. A benchmark reports by printing a markdown
// table (`| measure | value |` rows, first row the header) or a console.table; its other stdout lines are
// kept as notes. Progress belongs on stderr, which is passed through.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The benchmarks, in the order they run. `node` holds flags for node itself. */
const BENCHES = [
  {
    name: 'emulator-http',
    script: 'emulator-http.mjs',
    quick: ['--accounts', '500000', '--ingest', '200000', '--runs', '3'],
    full: ['--accounts', '2000000', '--ingest', '1000000', '--runs', '3'],
  },
  {
    name: 'query-stream-memory',
    script: 'query-stream-memory.mjs',
    node: ['--expose-gc'],
    quick: ['--rows', '1000000'],
    full: ['--rows', '1000000'],
  },
  { name: 'emulator-soql', script: 'emulator-soql.mjs', quick: ['500000'], full: ['1000000'] },
  { name: 'emulator-store', script: 'emulator-store.mjs', quick: ['500000'], full: ['2000000'] },
  {
    name: 'http-clients',
    script: 'http-clients.mjs',
    quick: ['--small', '5000', '--download-mb', '128', '--upload-mb', '64', '--rounds', '3'],
    full: [],
  },
];

const args = process.argv.slice(2);
const full = args.includes('--full');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(String(args[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;

/** The listed benchmarks that exist, then the connectors' benchmarks found by name. */
function plan() {
  const listed = BENCHES.filter((b) => existsSync(join(here, b.script)));
  const known = new Set(listed.map((b) => b.script));
  const found = readdirSync(here)
    .filter((f) => /^(tap|target)-.*\.mjs$/.test(f) && !known.has(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.mjs$/, ''), script: f, quick: [], full: [] }));
  return [...listed, ...found].filter((b) => !only || only.has(b.name));
}

/** Runs one benchmark; resolves with its stdout, exit code and wall time. */
function runOne(b) {
  const started = Date.now();
  const argv = [...(b.node ?? []), join(here, b.script), ...(full ? b.full : b.quick)];
  process.stderr.write(`bench/run: ${b.name}: node ${argv.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      cwd: join(here, '..'),
      env: { ...process.env, BENCH_PROFILE: full ? 'full' : 'quick' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code, signal) => resolve({ out, code: code ?? signal, seconds: (Date.now() - started) / 1000 }));
  });
}

/** A table row's cells, without the outer bars and console.table's string quotes. */
const cellsOf = (line, bar) =>
  line.trim().slice(1, -1).split(bar).map((c) => c.trim().replace(/^'(.*)'$/, '$1'));
const isSeparator = (line) => /^\|[\s\-:|]+\|$/.test(line.trim());

/**
 * What one benchmark printed, as [measure, result] rows: each table row becomes its first cell and the other
 * cells labelled by their column; any other line is a note.
 */
function measurements(out) {
  const rows = [];
  let header;
  for (const raw of out.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*[┌├└]/.test(line)) continue; // console.table's borders
    const bar = line.trim().startsWith('|') ? '|' : line.trim().startsWith('│') ? '│' : undefined;
    if (!bar) {
      header = undefined;
      if (line.trim()) rows.push(['', line.trim()]);
      continue;
    }
    if (isSeparator(line)) continue;
    const cells = cellsOf(line, bar);
    if (!header) {
      header = cells;
      continue;
    }
    // console.table puts the row index first: name the row by it only when it is not a bare number.
    let [first, ...rest] = cells;
    let names = header.slice(1);
    if (header[0] === '(index)' && /^\d+$/.test(first) && rest.length) {
      [first, ...rest] = rest;
      names = header.slice(2);
    }
    const result = rest.map((v, i) => (names[i] && !/^(value|)$/i.test(names[i]) && rest.length > 1 ? `${names[i]}: ${v}` : v)).join(' · ');
    rows.push([first, result]);
  }
  return rows;
}

const benches = plan();
if (args.includes('--list')) {
  for (const b of benches) console.log(`${b.name}\tnode ${[...(b.node ?? []), `bench/${b.script}`, ...(full ? b.full : b.quick)].join(' ')}`);
  process.exit(0);
}
const table = [];
let failed = 0;
for (const b of benches) {
  const r = await runOne(b);
  if (r.code !== 0) failed++;
  const rows = measurements(r.out);
  for (const [measure, result] of rows) table.push([b.name, measure, result]);
  table.push([b.name, r.code === 0 ? 'wall time' : 'FAILED', r.code === 0 ? `${r.seconds.toFixed(1)} s` : `exit ${r.code} after ${r.seconds.toFixed(1)} s`]);
}
const esc = (s) => String(s).replace(/\|/g, '\\|');
console.log(`\n## npm run bench (${full ? 'full' : 'quick'} sizes; node ${process.version}; ${new Date().toISOString()})\n`);
console.log('| bench | measure | result |');
console.log('| --- | --- | --- |');
for (const [name, measure, result] of table) console.log(`| ${esc(name)} | ${esc(measure)} | ${esc(result)} |`);
process.exitCode = failed ? 1 : 0;
