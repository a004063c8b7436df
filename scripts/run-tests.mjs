// Runs node-tap over the compiled tests and ends with the plain summary line CI counts
// ("N passed, N failed"): tap 21 closes with "# { total: N, pass: N }", which CI does not read.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = process.argv.length > 2 ? process.argv.slice(2) : findTests('dist/test').sort();
const child = spawn('node_modules/.bin/tap', files, { stdio: ['ignore', 'pipe', 'inherit'] });
let summary = null;
let buf = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buf += chunk.toString('utf8');
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    if (/^# \{ total: \d+/.test(line)) summary = line;
  }
});
child.on('close', (code) => {
  const n = (k) => Number((summary && new RegExp(`\\b${k}: (\\d+)`).exec(summary)?.[1]) ?? 0);
  let pass = n('pass');
  let fail = n('fail');
  const skip = n('skip') + n('todo');
  if (code !== 0 && fail === 0) fail = 1; // a crashed runner is never a green run
  if (!summary && code === 0) pass = 0;
  process.stdout.write(`\n${pass} passed, ${fail} failed, ${skip} skipped\n`);
  process.exit(code ?? 1);
});
