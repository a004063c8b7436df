// Starts an in-process emulator for one test file (port 0, loopback) and gives a tiny fetch helper.
import type { Test } from 'tap';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/start-emulator.js';

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
  const emu = await startEmulator({ port: 0, ...options });
  t.teardown(() => emu.close());
  const url = emu.url;
  const h: Harness = {
    emu,
    url,
    token: '',
    async newToken() {
      const res = await fetch(`${url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'emulator-client', client_secret: 'emulator-secret' }),
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
