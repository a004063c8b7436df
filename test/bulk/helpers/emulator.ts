// Starts the real emulator over real HTTP for one test file, with its admin API at hand.
import type { KeyObject } from 'node:crypto';
import { startEmulator } from '../../../src/emulator/start-emulator.js';
import { BulkClient, type BulkClientOptions } from '../../../src/bulk/client.js';
import { parseConnectionConfig, type ConnectionConfig } from '../../../src/bulk/config.js';
import type { Logger, LogLevel } from '../../../src/bulk/log.js';

export const CREDS = {
  clientId: 'emulator-client',
  clientSecret: 'emulator-secret',
  username: 'admin@emulator.local',
  password: 'emulator',
} as const;

export interface LoggedRequest {
  seq: number;
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

export interface EmuOptions {
  jwtPublicKeys?: KeyObject[];
  securityToken?: string;
  tokenTtlSeconds?: number;
  processingRate?: number;
  seed?: string;
  scale?: number;
  rotateRefreshTokens?: boolean;
  limits?: { defaultPageRecords?: number; maxMultipartCsvChars?: number; maxUploadBytes?: number };
  faults?: object;
}

export async function startEmu(t: { teardown(fn: () => unknown): void }, options: EmuOptions = {}): Promise<Emu> {
  const emu = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${emu.url}/__emulator${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  let closed = false;
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
    close: async () => {
      if (closed) return;
      closed = true;
      await emu.close();
    },
  };
  t.teardown(() => api.close());
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
