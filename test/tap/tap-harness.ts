// Runs the real tap binary against an emulator (in-process, port 0) and reads what it wrote; plus a loopback
// proxy that can hold or alter chosen replies, to stop the tap at a known point without sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { csvRows, type Harness } from '../helpers/emulator.js';

export const TAP_CLI = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'src', 'tap', 'cli.js');

export interface TapRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: any[];
  readonly stderr: string;
}

export function connection(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { auth_flow: 'client_credentials', login_url: url, client_id: 'emulator-client', client_secret: 'emulator-secret', ...extra };
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

/** Runs the tap to its end (bounded), collecting stdout lines as JSON. */
export function runTap(args: string[], timeoutMs = 60_000): Promise<TapRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TAP_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tap did not finish within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines: any[] = [];
      // --discover and --about write one pretty-printed document.
      if (out.startsWith('{\n')) {
        resolve({ code, signal, lines: [JSON.parse(out)], stderr: err });
        return;
      }
      for (const l of out.split('\n')) {
        if (l === '') continue;
        try {
          lines.push(JSON.parse(l));
        } catch {
          reject(new Error(`stdout carried a line that is not JSON: ${l.slice(0, 200)}`));
          return;
        }
      }
      resolve({ code, signal, lines, stderr: err });
    });
  });
}

/** A running tap whose stdout lines arrive one by one (for kill and signal tests). */
export interface LiveTap {
  readonly child: ChildProcess;
  readonly lines: any[];
  /** Resolves with the first line matching `pred` (bounded). */
  waitFor(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function startTap(args: string[]): LiveTap {
  const child = spawn(process.execPath, [TAP_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const m = JSON.parse(l);
    lines.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr: err })),
  );
  return {
    child,
    lines,
    exited,
    waitFor(pred, timeoutMs = 30_000) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        void exited.then(() => setTimeout(() => reject(new Error(`tap exited before a matching line; stderr: ${err}`)), 50));
      });
    },
  };
}

export const records = (lines: any[], stream?: string) => lines.filter((m) => m.type === 'RECORD' && (stream === undefined || m.stream === stream));
export const states = (lines: any[]) => lines.filter((m) => m.type === 'STATE').map((m) => m.value);
export const lastState = (lines: any[]) => states(lines).at(-1);

/** Catalog with exactly these streams selected (stream-level `selected: true`). */
export function selectStreams(catalog: any, names: string[], replication?: Record<string, { method: string; key?: string }>): any {
  const c = structuredClone(catalog);
  for (const s of c.streams) {
    const top = s.metadata.find((m: any) => m.breadcrumb.length === 0).metadata;
    top.selected = names.includes(s.tap_stream_id);
    const r = replication?.[s.tap_stream_id];
    if (r) {
      top['replication-method'] = r.method;
      if (r.key) top['replication-key'] = r.key;
    }
  }
  c.streams = c.streams.filter((s: any) => names.includes(s.tap_stream_id));
  return c;
}

/** Rows of the org as the emulator holds them, as objects of CSV strings. */
export async function orgRows(h: Harness, soql: string, all = true): Promise<Record<string, string>[]> {
  const r = await h.admin<{ csv: string }>('/query', { method: 'POST', body: JSON.stringify({ soql, all }) });
  const [header, ...rows] = csvRows(r.csv);
  return rows.map((cells) => Object.fromEntries(header!.map((c, i) => [c, cells[i]!])));
}

export interface GateProxy {
  readonly url: string;
  /** Results requests (GET .../results) seen so far. */
  resultsSeen: number;
  close(): Promise<void>;
}

export interface GateOptions {
  /** Hold (never answer) results requests after this many. */
  holdResultsAfter?: number;
  /** Rewrite Sforce-NumberOfRecords of the n-th (1-based) results reply. */
  miscountResult?: number;
}

/** A loopback proxy in front of the emulator. The emulator names the proxy as instance URL (it echoes Host). */
export async function gateProxy(t: Test, target: string, o: GateOptions = {}): Promise<GateProxy> {
  const to = new URL(target);
  const held: ServerResponse[] = [];
  const gate: GateProxy = {
    url: '',
    resultsSeen: 0,
    async close() {
      for (const r of held) r.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const isResults = req.method === 'GET' && /\/jobs\/query\/[^/]+\/results/.test(req.url ?? '');
    let n = 0;
    if (isResults) {
      n = ++gate.resultsSeen;
      if (o.holdResultsAfter !== undefined && n > o.holdResultsAfter) {
        held.push(res);
        req.resume();
        return;
      }
    }
    const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      const headers = { ...ur.headers };
      if (isResults && o.miscountResult === n) headers['sforce-numberofrecords'] = String(Number(headers['sforce-numberofrecords']) + 1);
      res.writeHead(ur.statusCode ?? 502, headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (gate as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => {
    server.closeAllConnections();
    return gate.close();
  });
  return gate;
}

/** Differences between a RECORD's typed values and the org's CSV strings for the same row (empty: equal). */
export function differences(record: Record<string, unknown>, org: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(record)) {
    const o = org[k];
    const same = v === null ? o === '' : typeof v === 'number' ? o !== '' && Number(o) === v : typeof v === 'boolean' ? String(v) === o : v === o;
    if (!same) out.push(`${k}: record ${JSON.stringify(v)} vs org ${JSON.stringify(o)}`);
  }
  return out;
}

/** The demo org's objects the tests sync (discovery describes only these: the full list is tested once). */
const DEMO_STREAMS = ['Account', 'Case', 'Contact', 'Invoice__c', 'Lead', 'Opportunity'];

/** The catalog the tap discovers from this emulator. */
export async function discoverCatalog(dir: string, url: string): Promise<any> {
  const run = await runTap(['--config', writeJson(dir, 'discover-config.json', connection(url, { streams_to_discover: DEMO_STREAMS })), '--discover']);
  if (run.code !== 0) throw new Error(`discovery failed: ${run.stderr}`);
  return run.lines[0];
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Loads a seed of Accounts with the given SystemModstamps (and names), on an otherwise empty org. */
export async function seedAccounts(h: Harness, rows: { Name: string; stamp: number; Id?: string }[], settings?: object): Promise<void> {
  const records = rows.map((r) => ({
    ...(r.Id ? { Id: r.Id } : {}),
    Name: r.Name,
    CreatedDate: iso(r.stamp - 3_600_000),
    LastModifiedDate: iso(r.stamp),
    SystemModstamp: iso(r.stamp),
  }));
  const res = await h.admin<any>('/seed', { method: 'POST', body: JSON.stringify({ base: 'empty', ...(settings ? { settings } : {}), records: { Account: records } }) });
  if (res?.ok !== true) throw new Error(`seed refused: ${JSON.stringify(res)}`);
}
