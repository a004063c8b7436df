// Runs the real target binary (dist/src/target/cli.js) over real pipes against an emulator started by the test,
// and reads the org back through the emulator's admin API.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { csvRows, type Harness } from '../helpers/emulator.js';

export const TARGET_CLI = fileURLToPath(new URL('../../src/target/cli.js', import.meta.url));

export interface TargetResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** STATE values written to stdout, parsed. */
  readonly states: unknown[];
}

/** A fresh working folder (config, state_dir, failed rows), removed after the test. */
export function workDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'target-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function connection(h: Harness): Record<string, unknown> {
  return { auth_flow: 'client_credentials', login_url: h.url, client_id: 'emulator-client', client_secret: 'emulator-secret' };
}

/** Writes the config file (connection + state/failed dirs under `dir` + `extra`) and returns its path. */
export function writeConfig(dir: string, h: Harness | undefined, extra: Record<string, unknown>, name = 'config.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ ...(h ? connection(h) : {}), state_dir: join(dir, 'state'), failed_records_dir: join(dir, 'failed'), retry_backoff_seconds: 0, ...extra }));
  return path;
}

export const schema = (stream: string, properties: Record<string, unknown>, key_properties: string[] = []): string =>
  JSON.stringify({ type: 'SCHEMA', stream, schema: { type: 'object', properties }, key_properties });
export const record = (stream: string, rec: Record<string, unknown>): string => JSON.stringify({ type: 'RECORD', stream, record: rec });
export const state = (value: unknown): string => JSON.stringify({ type: 'STATE', value });

export interface Spawned {
  readonly child: ChildProcess;
  readonly done: Promise<TargetResult>;
  /** stdout so far. */
  stdout(): string;
  stderr(): string;
}

/** Starts the binary; `input` is written to its stdin (then closed unless keepOpen). */
export function startTarget(configPath: string, input: string | undefined, args: string[] = [], keepOpen = false): Spawned {
  const child = spawn(process.execPath, [TARGET_CLI, '--config', configPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin!.on('error', () => undefined); // a killed child closes its stdin
  if (input !== undefined) child.stdin!.write(input);
  if (!keepOpen) child.stdin!.end();
  const done = new Promise<TargetResult>((resolve) => {
    child.on('close', (code, signal) => {
      const states = out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
      resolve({ code, signal, stdout: out, stderr: err, states });
    });
  });
  return { child, done, stdout: () => out, stderr: () => err };
}

export function runTarget(configPath: string, lines: readonly string[], args: string[] = []): Promise<TargetResult> {
  return startTarget(configPath, lines.join('\n') + '\n', args).done;
}

/** Runs SOQL in the emulator's org and returns the rows as objects. */
export async function query(h: Harness, soql: string, all = false): Promise<Record<string, string>[]> {
  const { csv } = await h.admin<{ csv: string }>('/query', { method: 'POST', body: JSON.stringify({ soql, all }) });
  const [header, ...rows] = csvRows(csv);
  return rows.map((r) => Object.fromEntries(header!.map((k, i) => [k, r[i]!])));
}

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  status: number;
  jobId?: string;
  state?: string;
  records?: number;
}

export async function requests(h: Harness, since = 0): Promise<LoggedRequest[]> {
  return h.admin<LoggedRequest[]>(`/requests?since=${since}`);
}

/** Ingest job creates that succeeded. */
export async function jobCreates(h: Harness): Promise<LoggedRequest[]> {
  return (await requests(h)).filter((r) => r.method === 'POST' && /\/jobs\/ingest\/?$/.test(r.path) && r.status < 300);
}

/** Waits (bounded) until the request log holds an entry matching `pred`. */
export async function waitForRequest(h: Harness, pred: (r: LoggedRequest) => boolean, timeoutMs = 30_000): Promise<LoggedRequest> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    const hit = (await requests(h)).find(pred);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no matching request within ${timeoutMs} ms`);
}

/** Waits (bounded) until the process's stderr matches `pattern`. */
export async function waitForStderr(run: Spawned, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    if (pattern.test(run.stderr())) return;
    if (run.child.exitCode !== null) throw new Error(`the target exited (${run.child.exitCode}) before ${pattern}: ${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`stderr did not match ${pattern} within ${timeoutMs} ms: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** kill -9, and wait for the process to be gone. */
export async function killHard(run: Spawned): Promise<TargetResult> {
  run.child.kill('SIGKILL');
  return run.done;
}
