// End-to-end load: Singer JSONL piped into the real target binary, loading Accounts (upsert, 12 fields) into the
// emulator running in its own process. Records/s of the whole run and the target's peak RSS, at each size.
//   npm run build && node bench/target-load.mjs [--sizes 100000,1000000] [--runs 1]
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeAccounts } from './target-transform.mjs';

const argOf = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SIZES = argOf('sizes', '100000,1000000').split(',').map(Number);
const RUNS = Number(argOf('runs', 1));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startEmulator() {
  const child = spawn(process.execPath, ['--max-old-space-size=8192', 'dist/src/emulator/cli.js', '--seed', 'empty'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return { child, url: JSON.parse(line).url };
}

/** Runs the target with `file` on stdin; resolves with seconds and peak RSS (MB) from /usr/bin/time. */
function runTarget(config, file) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, 'dist/src/target/cli.js', '--config', config], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    createReadStream(file).pipe(child.stdin);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const rss = Number(/maxrss_kb=(\d+)/.exec(err)?.[1] ?? 0) / 1024;
      if (code !== 0) return reject(new Error(`target exited ${code}: ${err.slice(-2000)}`));
      resolve({ seconds, rss, summary: /summary[^\n]*\n[^\n]*/.exec(err)?.[0] ?? '' });
    });
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'target-load-'));
  const emu = await startEmulator();
  process.on('exit', () => emu.child.kill('SIGKILL'));
  try {
    const rows = [];
    for (const n of SIZES) {
      const file = join(dir, `accounts-${n}.jsonl`);
      await writeAccounts(file, n);
      const secs = [];
      const rss = [];
      for (let r = 0; r < RUNS; r++) {
        await fetch(`${emu.url}/__emulator/reset`, { method: 'POST', body: JSON.stringify({ seed: 'empty' }) });
        const config = join(dir, `config-${n}-${r}.json`);
        writeFileSync(config, JSON.stringify({
          auth_flow: 'client_credentials', login_url: emu.url, client_id: 'emulator-client', client_secret: 'emulator-secret',
          state_dir: join(dir, `state-${n}-${r}`), failed_records_dir: join(dir, 'failed'),
          streams: { accounts: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' } },
        }));
        const res = await runTarget(config, file);
        const counts = await (await fetch(`${emu.url}/__emulator/counts`)).json();
        if (counts.Account.live !== n) throw new Error(`org holds ${counts.Account.live} Accounts, expected ${n}`);
        secs.push(res.seconds);
        rss.push(res.rss);
        process.stderr.write(`bench: ${n} records in ${res.seconds.toFixed(1)} s, peak RSS ${res.rss.toFixed(0)} MB\n`);
      }
      rows.push({ n, s: median(secs), rss: Math.max(...rss) });
    }
    console.log(`target end-to-end: JSONL -> target binary -> emulator (own process), upsert of Account-like records (12 fields), median of ${RUNS} run(s)`);
    console.log('| records | seconds | records/s | target peak RSS (MB) |');
    console.log('| ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.n} | ${r.s.toFixed(1)} | ${Math.round(r.n / r.s)} | ${r.rss.toFixed(0)} |`);
  } finally {
    emu.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
