// End to end: the tap binary extracts N Accounts from an emulator process (each in its own process), its stdout
// read by this process as a pipe would be. Records/s and the tap's peak RSS (sampled VmRSS, and VmHWM) at
// each size: memory must stay flat from 100k to 1M rows.
//
//   npm run build && node bench/tap-extract.mjs [--sizes 100000,1000000] [--parallel 4] [--runs 1]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SIZES = arg('sizes', '100000,1000000').split(',').map(Number);
const PARALLEL = Number(arg('parallel', 4));
const RUNS = Number(arg('runs', 1));
const dir = mkdtempSync(join(tmpdir(), 'tap-extract-'));

function rssOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

async function startEmulator(rows) {
  const seed = join(dir, `seed-${rows}.json`);
  writeFileSync(seed, JSON.stringify({ base: 'empty', generate: { Account: rows } }));
  const child = spawn(process.execPath, ['--max-old-space-size=8192', 'dist/src/emulator/cli.js', '--seed', seed, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)));
  });
  return { url: JSON.parse(line).url, stop: () => child.kill('SIGTERM') };
}

const RECORD_LINE = Buffer.from('\n{"type":"RECORD"');

function occurrences(buf) {
  let n = 0;
  for (let i = buf.indexOf(RECORD_LINE); i >= 0; i = buf.indexOf(RECORD_LINE, i + RECORD_LINE.length)) n++;
  return n;
}

async function extract(url, rows) {
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ auth_flow: 'client_credentials', login_url: url, client_id: 'emulator-client', client_secret: 'emulator-secret', max_parallel_pages: PARALLEL }));
  const disc = spawn(process.execPath, ['dist/src/tap/cli.js', '--config', config, '--discover'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  disc.stdout.setEncoding('utf8').on('data', (d) => (text += d));
  await new Promise((r) => disc.on('close', r));
  const catalog = JSON.parse(text);
  catalog.streams = catalog.streams.filter((s) => s.tap_stream_id === 'Account');
  catalog.streams[0].metadata[0].metadata.selected = true;
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));

  const t0 = performance.now();
  const tap = spawn(process.execPath, ['dist/src/tap/cli.js', '--config', config, '--catalog', join(dir, 'catalog.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let peak = 0;
  let hwm = 0;
  // RSS by progress: peak RSS of each quarter of the rows, so growth with row count shows apart from warm-up.
  const quarters = [0, 0, 0, 0];
  const sampler = setInterval(() => {
    const m = rssOf(tap.pid);
    peak = Math.max(peak, m.rss);
    hwm = Math.max(hwm, m.hwm);
    const q = Math.min(3, Math.floor((records / rows) * 4));
    quarters[q] = Math.max(quarters[q], m.rss);
  }, 50);
  let records = 0;
  let bytes = 0;
  let firstRecordMs;
  // RECORD lines only (not SCHEMA or STATE), counted on the raw bytes so this reader stays cheaper than the tap.
  // A line starts the stream or follows a newline, so the pattern is "\n" + the message's opening; a pattern cut
  // by a chunk boundary is found in the few bytes either side of it (each side is shorter than the pattern, so
  // nothing is counted twice).
  let tail = Buffer.from('\n');
  tap.stdout.on('data', (chunk) => {
    bytes += chunk.length;
    records += occurrences(Buffer.concat([tail, chunk.subarray(0, RECORD_LINE.length - 1)])) + occurrences(chunk);
    const keep = RECORD_LINE.length - 1;
    tail = chunk.length >= keep ? Buffer.from(chunk.subarray(chunk.length - keep)) : Buffer.concat([tail, chunk]).subarray(-keep);
    firstRecordMs ??= performance.now() - t0;
  });
  let err = '';
  tap.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const code = await new Promise((r) => tap.on('close', r));
  clearInterval(sampler);
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`tap exited ${code}: ${err}`);
  if (records !== rows) throw new Error(`expected ${rows} RECORD messages, got ${records}`);
  return { rows: records, ms, peak, hwm, mb: bytes / 1e6, quarters };
}

const results = [];
try {
  for (const size of SIZES) {
    const emu = await startEmulator(size);
    try {
      for (let r = 0; r < RUNS; r++) results.push({ size, ...(await extract(emu.url, size)) });
    } finally {
      emu.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`tap end to end: Account extract from an emulator process, max_parallel_pages ${PARALLEL}, node ${process.version}`);
console.log('| rows | seconds | records/s | stdout MB/s | tap peak RSS (sampled) | tap VmHWM | peak RSS per quarter of the rows |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of results) {
  console.log(`| ${r.rows.toLocaleString('en-US')} | ${(r.ms / 1000).toFixed(1)} | ${Math.round((r.rows * 1000) / r.ms).toLocaleString('en-US')} | ${((r.mb * 1000) / r.ms).toFixed(0)} | ${r.peak.toFixed(0)} MB | ${r.hwm.toFixed(0)} MB | ${r.quarters.map((q) => q.toFixed(0)).join(' / ')} MB |`);
}
