// Runs the compiled test files (node-tap tests are plain node programs) a few at a time and reports them as one TAP
// stream, ending with the plain summary line CI counts: "N passed, N failed, N skipped".
//
// Why not tap's own runner: it preloads @tapjs/processinfo into every test process (a module loader, for coverage,
// which this suite does not gather), and process-on-spawn puts it back into the NODE_OPTIONS of every process a test
// starts, whatever environment the test passes: every binary, emulator and demo the suite starts ran with a module
// loader thread and wrote a processinfo file. Measured on 2 cores: test/target/load-operations 23 CPU-seconds under
// tap's runner, 13 as a plain node program.
//
// Usage: node scripts/run-tests.mjs [FILE...]   (default: every dist/test/**/*.test.js)
//   TEST_JOBS (default 3) files at once; TEST_TIMEOUT_SECONDS (default 300) per file: tap's own timeout in the file
//   (TAP_TIMEOUT, which reports the handles still open), then its process group is killed if it still runs.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';

const JOBS = positive(process.env.TEST_JOBS, 3);
const TIMEOUT_MS = positive(process.env.TEST_TIMEOUT_SECONDS, 300) * 1000;
/** After a file's process exits, how long its output pipes may stay open (a leaked grandchild holding them). */
const DRAIN_MS = 5_000;
/** How long past its own timeout a file may take to report it before its process group is killed. */
const REPORT_GRACE_MS = 30_000;
const KILL_GRACE_MS = 5_000;

function positive(text, fallback) {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`run-tests: ${text} is not a positive number\n`);
    process.exit(2);
  }
  return n;
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/**
 * Counts leaf assertions the way tap's summary does: a subtest's own test point only restates its children, so it
 * counts only when it failed with no failing child to show for it (a plan mismatch, a crash inside the subtest).
 */
function countLeaves(parser, counts) {
  let child = null;
  let failsBeforeChild = 0;
  parser.on('child', (c) => {
    child = c;
    failsBeforeChild = counts.fail;
    countLeaves(c, counts);
  });
  parser.on('assert', (res) => {
    // tap-parser's own rule: a point closes the subtest just parsed when the names match and the subtest had points.
    const closesChild = child !== null && res.name === child.name && (child.results?.count ?? 0) > 0;
    child = null;
    if (res.todo || res.skip) {
      if (!closesChild) counts.skip++;
    } else if (!res.ok) {
      if (!closesChild || counts.fail === failsBeforeChild) counts.fail++;
    } else if (!closesChild) counts.pass++;
  });
}

const indent = (text) => text.replace(/\n$/, '').split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');

const totals = { pass: 0, fail: 0, skip: 0 };
const running = new Set();
let reported = 0;

/** Runs one file in its own process group; resolves once it is reported. */
function runFile(file) {
  return new Promise((resolveRun) => {
    const started = performance.now();
    const env = { ...process.env, TAP_TIMEOUT: String(TIMEOUT_MS / 1000) };
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
    running.add(child);
    const counts = { pass: 0, fail: 0, skip: 0 };
    const parser = new Parser();
    countLeaves(parser, counts);
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => {
      out.push(b);
      parser.write(b);
    });
    child.stderr.on('data', (b) => err.push(b));
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    }, TIMEOUT_MS + REPORT_GRACE_MS);
    let exit = null;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      running.delete(child);
      killGroup('SIGKILL'); // anything the file left running
      parser.end();
      const results = parser.results ?? { ok: false };
      const ok = exit.code === 0 && results.ok && !timedOut;
      if (!ok && counts.fail === 0) counts.fail = 1; // a crashed or killed file is never green
      for (const k of Object.keys(totals)) totals[k] += counts[k];
      const ms = (performance.now() - started).toFixed(3);
      const n = ++reported;
      let block = `# Subtest: ${file}\n${indent(Buffer.concat(out).toString('utf8'))}\n`;
      block += `${ok ? 'ok' : 'not ok'} ${n} - ${file} # time=${ms}ms\n`;
      if (!ok) {
        const why = timedOut ? `killed: still running ${(TIMEOUT_MS + REPORT_GRACE_MS) / 1000} s after it started` : exit.signal ? `signal: ${exit.signal}` : `exit code: ${exit.code}`;
        block += `  ---\n  ${why}\n  ...\n`;
      }
      process.stdout.write(`${block}\n`);
      if (err.length) process.stderr.write(`# stderr of ${file}:\n${Buffer.concat(err).toString('utf8')}`);
      resolveRun();
    };
    let drain = null;
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      drain = setTimeout(finish, DRAIN_MS);
    });
    child.on('close', (code, signal) => {
      exit ??= { code, signal };
      clearTimeout(drain);
      finish();
    });
    child.on('error', (e) => {
      err.push(Buffer.from(`run-tests: cannot start ${file}: ${e.message}\n`));
      exit = { code: 1, signal: null };
      finish();
    });
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const c of running) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    process.exit(130);
  });
}

const files = process.argv.length > 2 ? process.argv.slice(2) : findTests('dist/test').sort();
const queue = [...files];
process.stdout.write('TAP version 14\n');
const started = performance.now();
await Promise.all(
  Array.from({ length: Math.min(JOBS, files.length) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) await runFile(f);
  }),
);
const total = totals.pass + totals.fail + totals.skip;
process.stdout.write(`1..${files.length}\n# { total: ${total}, pass: ${totals.pass}, fail: ${totals.fail}, skip: ${totals.skip} }\n`);
process.stdout.write(`# time=${(performance.now() - started).toFixed(3)}ms\n`);
process.stdout.write(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skip} skipped\n`);
process.exit(totals.fail === 0 && files.length > 0 ? 0 : 1);
