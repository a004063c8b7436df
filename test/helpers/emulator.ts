// The one test harness for the emulator: starts it in process (port 0, loopback) for one test file, with
// its admin API at hand. `withEmulator` gives raw fetch helpers with a bearer token (protocol tests);
// `startEmu` gives the admin API and the request log, and `connect` a BulkClient with fast retries (client tests).
import type { Test } from 'tap';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/start-emulator.js';
import { BulkClient, parseConnectionConfig, type BulkClientOptions, type ConnectionConfig, type Logger, type LogLevel } from '../../src/bulk/index.js';

/** The emulator's built-in connected app and user. */
export const CREDS = {
  clientId: 'emulator-client',
  clientSecret: 'emulator-secret',
  username: 'admin@emulator.local',
  password: 'emulator',
} as const;

/** Starts an emulator on a free loopback port, closed when the test ends; `close` may also be called earlier. */
async function launch(t: { teardown(fn: () => unknown): void }, options: EmulatorOptions): Promise<{ emu: RunningEmulator; close(): Promise<void> }> {
  const emu = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= emu.close());
  t.teardown(close);
  return { emu, close };
}

export const API = 'v62.0';

export interface Harness {
  readonly emu: RunningEmulator;
  readonly url: string;
  token: string;
  /** fetch against the emulator with the bearer token; `path` is absolute or relative to /services/data/v62.0 */
  call(path: string, init?: RequestInit & { raw?: boolean }): Promise<Response>;
  json<T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }>;
  newToken(): Promise<string>;
  admin<T = any>(path: string, init?: RequestInit): Promise<T>;
  waitFor(path: string, states?: string[], timeoutMs?: number): Promise<any>;
  /** Moves the emulator's clock forward (token expiry, job timestamps) instead of waiting real time. */
  advanceClock(seconds: number): Promise<void>;
}

export async function withEmulator(t: Test, options: EmulatorOptions = {}): Promise<Harness> {
  const { emu } = await launch(t, options);
  const url = emu.url;
  const h: Harness = {
    emu,
    url,
    token: '',
    async newToken() {
      const res = await fetch(`${url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret }),
      });
      const body = (await res.json()) as { access_token: string };
      return body.access_token;
    },
    call(path, init = {}) {
      const full = path.startsWith('http') ? path : path.startsWith('/') ? `${url}${path}` : `${url}/services/data/${API}/${path}`;
      const headers = new Headers(init.headers);
      if (!headers.has('Authorization') && h.token) headers.set('Authorization', `Bearer ${h.token}`);
      if (typeof init.body === 'string' && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
      return fetch(full, { ...init, headers });
    },
    async json(path, init) {
      const res = await h.call(path, init);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    async admin(path, init) {
      const res = await fetch(`${url}/__emulator${path}`, {
        ...init,
        headers: { 'Content-Type': 'application/json', ...(init?.headers ?? {}) },
      });
      return (await res.json()) as any;
    },
    async advanceClock(seconds) {
      const res = await fetch(`${url}/__emulator/clock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: seconds }),
      });
      if (res.status !== 200) throw new Error(`POST /__emulator/clock answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer().catch(() => undefined);
    },
    async waitFor(path, states = ['JobComplete', 'Failed', 'Aborted'], timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
        const { body } = await h.json(path);
        if (states.includes(body.state)) return body;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`${path} did not reach ${states.join('/')} within ${timeoutMs} ms`);
    },
  };
  h.token = await h.newToken();
  return h;
}

/** Parses a CSV answer into rows (RFC 4180; Salesforce quotes every cell in results). */
export function csvRows(text: string, delim = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delim) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

// ---- client tests ----

export interface LoggedRequest {
  seq: number;
  /** When the emulator received the request (ISO); entries are logged when answered. */
  at: string;
  durationMs?: number;
  method: string;
  path: string;
  query: string;
  status: number;
  jobId?: string;
  state?: string;
  records?: number;
  bytesIn?: number;
  fault?: string;
}

export interface Emu {
  readonly url: string;
  requests(since?: number): Promise<LoggedRequest[]>;
  /** The username the org's JWT bearer flow expects (the org user's). */
  orgUsername(): Promise<string>;
  lastSeq(): Promise<number>;
  faults(config: object): Promise<void>;
  clearFaults(): Promise<void>;
  jobs(): Promise<Record<string, unknown>[]>;
  refreshToken(): Promise<string>;
  expireSessions(): Promise<void>;
  admin(method: string, path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export type EmuOptions = EmulatorOptions;

/** An emulator for client tests: the admin API and the request log (no token is fetched, so the log holds only the client's calls). */
export async function startEmu(t: { teardown(fn: () => unknown): void }, options: EmuOptions = {}): Promise<Emu> {
  const { emu, close } = await launch(t, options);
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${emu.url}/__emulator${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const api: Emu = {
    url: emu.url,
    orgUsername: async () => {
      const tok = await fetch(`${emu.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret }),
      });
      const { access_token } = (await tok.json()) as { access_token: string };
      const info = await fetch(`${emu.url}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${access_token}` } });
      return ((await info.json()) as { preferred_username: string }).preferred_username;
    },
    requests: async (since = 0) => (await admin('GET', `/requests?since=${since}`)) as LoggedRequest[],
    lastSeq: async () => {
      const all = (await admin('GET', '/requests')) as LoggedRequest[];
      return all.length ? all[all.length - 1]!.seq : 0; // the admin API is not logged
    },
    faults: async (config) => void (await admin('POST', '/faults', config)),
    clearFaults: async () => void (await admin('DELETE', '/faults')),
    jobs: async () => (await admin('GET', '/jobs')) as Record<string, unknown>[],
    refreshToken: async () => ((await admin('POST', '/refresh-tokens')) as { refresh_token: string }).refresh_token,
    expireSessions: async () => void (await admin('POST', '/sessions/expire')),
    admin,
    close,
  };
  return api;
}

/** Only the requests under /services (the client's), not the admin API's. */
export function clientRequests(log: LoggedRequest[]): LoggedRequest[] {
  return log.filter((r) => r.path.startsWith('/services'));
}

export function config(emu: Emu, raw: Record<string, unknown> = {}): ConnectionConfig {
  return parseConnectionConfig({
    auth_flow: 'client_credentials',
    login_url: emu.url,
    client_id: CREDS.clientId,
    client_secret: CREDS.clientSecret,
    request_timeout_seconds: 10,
    ...raw,
  });
}

/** A logger that keeps every line. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level: LogLevel, message: string) => void lines.push(`${level} ${message}`) };
}

/** Fast retries and polls, so fault tests take milliseconds per retry. */
export const FAST: BulkClientOptions = {
  retry: { backoff: { baseMs: 10, maxMs: 80, factor: 2 } },
  poll: { initialMs: 30, maxMs: 200, factor: 1.5 },
  jobCreate: { lookDelaysMs: [100, 400] },
};

export async function connect(emu: Emu, raw: Record<string, unknown> = {}, options: BulkClientOptions = {}): Promise<BulkClient> {
  return BulkClient.connect(config(emu, raw), { ...FAST, ...options });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
