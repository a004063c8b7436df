// The salesforce-bulk-emulator binary as a client starts it: one JSON line on stdout with the URL, logs on stderr,
// a working server, a clean exit on SIGTERM, and one clear message for bad options (README "salesforce-bulk-emulator").
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/emulator -> package root
const CLI = join(ROOT, 'dist/src/emulator/cli.js');
const LISTENING = /^\{"event":"listening","url":"http:\/\/127\.0\.0\.1:(\d+)"\}$/;

interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code and signal (or null after `ms`). */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
  /** The first stdout line (or null after `ms`). */
  firstLine(ms: number): Promise<string | null>;
}

function start(t: Test, args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const r: Running = {
    child,
    stdout: '',
    stderr: '',
    exited: (ms) => bounded(exit, ms),
    firstLine: (ms) =>
      bounded(
        new Promise<string>((resolve) => {
          const check = () => {
            const nl = r.stdout.indexOf('\n');
            if (nl >= 0) resolve(r.stdout.slice(0, nl));
          };
          child.stdout!.on('data', check);
          check();
        }),
        ms,
      ),
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (r.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (r.stderr += s));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL'); // only this test's own child, by its handle
      await bounded(exit, 5000);
    }
  });
  return r;
}

function bounded<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]).finally(() => clearTimeout(timer));
}

async function startListening(t: Test, args: string[]): Promise<{ run: Running; url: string; line: string }> {
  const run = start(t, args);
  const line = await run.firstLine(10_000);
  if (line === null) throw new Error(`no listening line within 10 s; stderr: ${run.stderr}`);
  const m = LISTENING.exec(line);
  return { run, url: m ? `http://127.0.0.1:${m[1]}` : '', line };
}

async function stopWithSigterm(t: Test, run: Running, line: string): Promise<void> {
  const t0 = Date.now();
  run.child.kill('SIGTERM');
  const exit = await run.exited(5000);
  t.ok(exit !== null, `exits within 5 s of SIGTERM (${Date.now() - t0} ms)`);
  t.same(exit, { code: 0, signal: null }, 'exit code 0');
  t.equal(run.stdout, `${line}\n`, 'nothing on stdout but the listening line');
  t.match(run.stderr, /SIGTERM/, 'the shutdown is logged on stderr');
}

t.test('--port 0 --seed empty: the listening line, a working server, SIGTERM exits 0', async (t) => {
  const { run, url, line } = await startListening(t, ['--port', '0', '--seed', 'empty']);
  t.match(line, LISTENING, 'the first stdout line is exactly {"event":"listening","url":"http://127.0.0.1:PORT"}');
  t.ok(url && !url.endsWith(':0'), 'a real port was chosen');
  const health = await fetch(`${url}/__emulator/health`);
  t.equal(health.status, 200);
  t.match(await health.json(), { ok: true, orgId: /^00D/ });
  const tok = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'emulator-client', client_secret: 'emulator-secret' }),
  });
  t.equal(tok.status, 200);
  const { access_token, instance_url } = (await tok.json()) as { access_token: string; instance_url: string };
  t.equal(instance_url, url, 'instance_url is the listening URL');
  const limits = await fetch(`${url}/services/data/v62.0/limits`, { headers: { Authorization: `Bearer ${access_token}` } });
  t.equal(limits.status, 200, 'an authenticated REST request works');
  await limits.arrayBuffer();
  const counts = (await (await fetch(`${url}/__emulator/counts`)).json()) as Record<string, { live: number }>;
  t.equal(counts.Account.live, 0, '--seed empty: no records');
  t.match(run.stderr, /seeded/, 'startup is logged on stderr');
  await stopWithSigterm(t, run, line);
});

t.test('--faults examples/emulator-faults.json: loaded, then SIGTERM exits 0', async (t) => {
  const { run, url, line } = await startListening(t, ['--port', '0', '--seed', 'empty', '--faults', 'examples/emulator-faults.json']);
  t.match(line, LISTENING);
  const faults = (await (await fetch(`${url}/__emulator/faults`)).json()) as any;
  t.equal(faults.seed, 42, 'the fault file is in force');
  t.equal(faults.rules.length, 3);
  t.equal(faults.lockFailureRate, 0.5);
  const health = await fetch(`${url}/__emulator/health`);
  t.equal(health.status, 200, 'a request works (the admin API is never faulted)');
  await health.arrayBuffer();
  await stopWithSigterm(t, run, line);
});

t.test('bad options: non-zero exit, nothing on stdout, one clear message on stderr', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const invalid = join(dir, 'invalid-faults.json');
  writeFileSync(invalid, JSON.stringify({ rules: [{ kind: 'meteor' }] }));
  const broken = join(dir, 'broken-faults.json');
  writeFileSync(broken, '{"rules": [');
  const missing = join(dir, 'missing.json');

  const cases: [string, string[], RegExp, { todo?: string }][] = [
    ['a missing --faults file', ['--faults', missing], new RegExp(`^salesforce-bulk-emulator: .*${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), {}],
    ['a --faults file the schema refuses', ['--faults', invalid], /^salesforce-bulk-emulator: .*invalid-faults\.json: invalid fault configuration: \/rules\/0\/kind/, {}],
    ['a --faults file that is not JSON', ['--faults', broken], /^salesforce-bulk-emulator: .*broken-faults\.json/, {}],
    ['--scale abc', ['--scale', 'abc'], /--scale must be a positive number, not "abc"/, {}],
  ];
  for (const [what, args, message, todo] of cases) {
    await t.test(what, async (t) => {
      const run = start(t, ['--port', '0', '--seed', 'empty', ...args]);
      const exit = await run.exited(10_000);
      t.ok(exit !== null, 'exits by itself');
      t.ok(exit && exit.code !== 0 && exit.code !== null, `non-zero exit (${exit?.code})`);
      t.equal(run.stdout, '', 'nothing on stdout (no listening line)');
      t.match(run.stderr, message, 'stderr says what is wrong', todo);
      const lines = run.stderr.trimEnd().split('\n');
      t.equal(lines.length, 1, 'one message line');
    });
  }
});
