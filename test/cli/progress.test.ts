// Progress of both executables on stderr: log lines every --progress-seconds when stderr is not a terminal (the
// test waits for one while the run is held open, so no timing is assumed), a live cli-progress line on a terminal
// (under script(1)), and stdout untouched either way.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { TAP_CLI, connection as tapConnection, discoverCatalog, gateProxy, selectStreams, writeJson } from '../tap/tap-harness.js';
import { TARGET_CLI, record, schema, startTarget, state, workDir, writeConfig } from '../target/target-harness.js';

interface JsonLine {
  level: string;
  msg: string;
  progress?: Record<string, any>;
}

/** Resolves with the first JSON stderr line `pred` accepts; rejects after `ms` or when the process ends first. */
function waitForLine(child: ReturnType<typeof spawn>, pred: (l: JsonLine) => boolean, ms = 30_000): Promise<JsonLine> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no matching stderr line within ${ms} ms:\n${buf}`)), ms);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (const l of buf.split('\n').slice(0, -1)) {
        const parsed = JSON.parse(l) as JsonLine;
        if (pred(parsed)) {
          clearTimeout(timer);
          resolve(parsed);
          return;
        }
      }
    });
    child.on('close', () => reject(new Error(`ended before a matching stderr line:\n${buf}`)));
  });
}

const input = (n: number) => [schema('acc', { Name: { type: 'string' } }), ...Array.from({ length: n }, (_, i) => record('acc', { Name: `progress ${i}` })), state({ n })];

t.test('target, stderr not a terminal: progress log lines while the input is still open, then the summary', async (t) => {
  const h = await withEmulator(t);
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } } });
  const run = startTarget(cfg, input(7).join('\n') + '\n', ['--log-format', 'json', '--progress-seconds', '0.05'], true);
  t.teardown(() => void run.child.kill('SIGKILL'));
  const line = await waitForLine(run.child, (l) => l.msg.startsWith('progress: ') && l.progress?.read === 7);
  t.match(line.msg, /^progress: read 7, uploaded \d+, processed \d+ \(loaded \d+, failed \d+\), skipped 0; jobs: .*; \d+ records\/s$/);
  t.match(line.progress, { read: 7, uploaded: Number, processed: Number, loaded: Number, failed: 0, skipped: 0, jobs: Object, recordsPerSecond: Number });
  run.child.stdin!.end();
  const r = await run.done;
  t.equal(r.code, 0, r.stderr);
  t.same(r.states, [{ n: 7 }], 'stdout: the STATE value only');
  const last = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as JsonLine & { summary?: any }).find((l) => l.summary);
  t.match(last?.summary?.streams?.acc, { read: 7, loaded: 7 }, 'the summary line carries the counts');
});

t.test('tap, stderr not a terminal: progress log lines with rows, pages and records/s per stream', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  // The proxy answers the first result page and holds the next: the run stays open with rows counted.
  const gate = await gateProxy(t, h.url, { holdResultsAfter: 1 });
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Contact']));
  const cfg = writeJson(dir, 'c.json', tapConnection(gate.url, { start_date: '2020-01-01', window_size_days: 3650, page_size: 10, max_parallel_pages: 1 }));
  const child = spawn(process.execPath, [TAP_CLI, '--config', cfg, '--catalog', catalog, '--log-format', 'json', '--progress-seconds', '0.05'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  // Rows are counted as they are written and pages when one ends: wait for the first page to end (a tick can fall
  // inside it), then the held second page keeps the counts still.
  const line = await waitForLine(child, (l) => l.msg.startsWith('progress: ') && (l.progress?.streams?.Contact?.pages ?? 0) > 0);
  t.match(line.msg, /^progress: Contact: 10 rows, 1 pages, \d+ records\/s$/);
  t.match(line.progress, { streams: { Contact: { rows: 10, pages: 1, recordsPerSecond: Number } } });
  t.ok(stdout.split('\n').filter(Boolean).every((l) => ['SCHEMA', 'RECORD', 'STATE'].includes((JSON.parse(l) as { type: string }).type)), 'stdout: Singer messages only');
});

const hasScript = spawnSync('script', ['--version']).status === 0;

t.test('target, stderr a terminal (script -qc): a live line with the final counts, no progress log lines', { skip: hasScript ? false : 'script(1) is not installed' }, async (t) => {
  const h = await withEmulator(t);
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } } });
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, input(6).join('\n') + '\n');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `${quote(process.execPath)} ${quote(TARGET_CLI)} --config ${quote(cfg)} --progress-seconds 0.05 < ${quote(file)}`;
  const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`no end within 60 s:\n${out}`))), 60_000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, out })));
    child.stdin.end();
  });
  t.equal(r.code, 0, r.out);
  t.match(r.out, /read 6, uploaded 6, processed 6 \(loaded 6, failed 0\), skipped 0; jobs: .*; \d+ records\/s/, 'the live line ends on the final counts');
  t.notMatch(r.out, /progress: /, 'no progress log lines on a terminal');
  t.match(r.out, /INFO summary \(ok/, 'log lines still shown');
  t.match(r.out, /\{"n":6\}/, 'the STATE value');
});
