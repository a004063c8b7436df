// salesforce-bulk-emulator: startEmulator builds the org, auth, jobs and faults, and serves them over HTTP (the route
// table and the dispatch live here; the route handlers live in server/).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthService } from './auth/index.js';
import { EmulatorClock } from './clock.js';
import { Faults, type FaultConfig } from './faults.js';
import { JobStore } from './jobs/job-store.js';
import { JobProcessor } from './jobs/processor.js';
import { buildSeed, loadSeed } from './org/seed.js';
import type { OrgStore } from './org/types.js';
import { seededRng } from './rng.js';
import { handleAdmin } from './server/admin-routes.js';
import { BodyTooLarge } from './server/body.js';
import type { EmulatorLimits, EmulatorState, RequestContext } from './server/context.js';
import * as ingest from './server/ingest-routes.js';
import { handleOAuth } from './server/oauth-routes.js';
import { QueryCursors } from './server/query-cursors.js';
import * as query from './server/query-routes.js';
import { RequestLog } from './server/request-log.js';
import * as rest from './server/rest-routes.js';
import { ApiError, notFound, sendError, sendJson } from './server/respond.js';
import { Usage } from './usage.js';
import { parseVersion } from './versions.js';

export const DEFAULT_CREDENTIALS = {
  clientId: 'emulator-client',
  clientSecret: 'emulator-secret',
  username: 'admin@emulator.local',
  password: 'emulator',
} as const;

export interface EmulatorOptions {
  host?: string;
  port?: number;
  /** 'demo' (default), 'empty', a seed file path, or a seed object. */
  seed?: string | object;
  scale?: number;
  faults?: FaultConfig;
  /** Records per second per internal batch worker; 0 (default) = as fast as the machine goes. */
  processingRate?: number;
  /** Internal batches processed in parallel (default 4). */
  parallelism?: number;
  /** Access token lifetime (default 7200 s). */
  tokenTtlSeconds?: number;
  /** Public keys trusted for the JWT bearer flow. */
  jwtPublicKeys?: KeyObject[];
  /** Pre-issued refresh tokens valid from start. */
  refreshTokens?: string[];
  rotateRefreshTokens?: boolean;
  /** Security token required after the password (default none). */
  securityToken?: string;
  limits?: Partial<EmulatorLimits>;
  /** Seed of the emulator's own randomness (lock collisions); faults have their own seed. */
  randomSeed?: number;
  /** Logs one line per request to stderr. */
  verbose?: boolean;
  /** Source of the emulator's time (default Date.now); `POST /__emulator/clock` advances it further. */
  now?: () => number;
}

export interface RunningEmulator {
  readonly url: string;
  readonly state: EmulatorState;
  close(): Promise<void>;
}

const DEFAULT_LIMITS: EmulatorLimits = {
  maxUploadBytes: Math.floor((150 * 1024 * 1024 * 3) / 4),
  maxMultipartCsvChars: 100_000,
  defaultPageRecords: 100_000,
};

type Handler = (ctx: RequestContext, v: number, m: RegExpExecArray) => void | Promise<void>;
interface Route {
  readonly method: string;
  readonly re: RegExp;
  readonly handler: Handler;
}

const ID = '([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})';
const routes: Route[] = [
  { method: 'GET', re: /^$/, handler: (c, v) => rest.getResources(c, v) },
  { method: 'GET', re: /^\/sobjects$/, handler: (c, v) => rest.getSObjects(c, v) },
  { method: 'GET', re: /^\/sobjects\/(\w+)$/, handler: (c, v, m) => rest.getSObjectBasic(c, v, m[1]) },
  { method: 'GET', re: /^\/sobjects\/(\w+)\/describe$/, handler: (c, v, m) => rest.getDescribe(c, v, m[1]) },
  { method: 'GET', re: new RegExp(`^/sobjects/(\\w+)/${ID}$`), handler: (c, v, m) => rest.getRecord(c, v, m[1], m[2]) },
  { method: 'GET', re: /^\/limits$/, handler: (c) => rest.getLimits(c) },
  { method: 'GET', re: /^\/query$/, handler: (c, v) => rest.getRestQuery(c, v, false) },
  { method: 'GET', re: /^\/queryAll$/, handler: (c, v) => rest.getRestQuery(c, v, true) },
  { method: 'GET', re: /^\/query(?:All)?\/([^/]+)$/, handler: (c, v, m) => rest.getRestQueryMore(c, v, m[1]) },
  { method: 'POST', re: /^\/jobs\/ingest$/, handler: (c, v) => ingest.createIngestJob(c, v) },
  { method: 'GET', re: /^\/jobs\/ingest$/, handler: (c, v) => ingest.listIngestJobs(c, v) },
  { method: 'GET', re: new RegExp(`^/jobs/ingest/${ID}$`), handler: (c, v, m) => ingest.getIngestJob(c, v, m[1]) },
  { method: 'PATCH', re: new RegExp(`^/jobs/ingest/${ID}$`), handler: (c, v, m) => ingest.patchIngestJob(c, v, m[1]) },
  { method: 'DELETE', re: new RegExp(`^/jobs/ingest/${ID}$`), handler: (c, v, m) => ingest.deleteIngestJob(c, v, m[1]) },
  { method: 'PUT', re: new RegExp(`^/jobs/ingest/${ID}/batches$`), handler: (c, v, m) => ingest.uploadJobData(c, v, m[1]) },
  { method: 'GET', re: new RegExp(`^/jobs/ingest/${ID}/successfulResults$`), handler: (c, v, m) => ingest.getIngestResults(c, v, m[1], 'successfulResults') },
  { method: 'GET', re: new RegExp(`^/jobs/ingest/${ID}/failedResults$`), handler: (c, v, m) => ingest.getIngestResults(c, v, m[1], 'failedResults') },
  { method: 'GET', re: new RegExp(`^/jobs/ingest/${ID}/unprocessedrecords$`, 'i'), handler: (c, v, m) => ingest.getIngestResults(c, v, m[1], 'unprocessedrecords') },
  { method: 'POST', re: /^\/jobs\/query$/, handler: (c, v) => query.createQueryJob(c, v) },
  { method: 'GET', re: /^\/jobs\/query$/, handler: (c, v) => query.listQueryJobs(c, v) },
  { method: 'GET', re: new RegExp(`^/jobs/query/${ID}$`), handler: (c, v, m) => query.getQueryJob(c, v, m[1]) },
  { method: 'PATCH', re: new RegExp(`^/jobs/query/${ID}$`), handler: (c, v, m) => query.patchQueryJob(c, v, m[1]) },
  { method: 'DELETE', re: new RegExp(`^/jobs/query/${ID}$`), handler: (c, v, m) => query.deleteQueryJob(c, v, m[1]) },
  { method: 'GET', re: new RegExp(`^/jobs/query/${ID}/results$`), handler: (c, v, m) => query.getQueryResults(c, v, m[1]) },
  { method: 'GET', re: new RegExp(`^/jobs/query/${ID}/resultpages$`, 'i'), handler: (c, v, m) => query.getResultPages(c, v, m[1]) },
];

const SECRET_PARAMS = /^(oauth_token|access_token|token|refresh_token|client_secret|password|assertion|code)$/i;

/** The query string as logged: secret parameters (a token in `?oauth_token=`) never reach a log. */
export function redactQuery(params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, SECRET_PARAMS.test(k) ? 'REDACTED' : v);
  const q = out.toString();
  return q ? `?${q}` : '';
}

/** Collapses `//` (clients that keep a trailing slash on the instance URL) and drops a trailing slash. */
export function normalizePath(raw: string): string {
  const p = raw.replace(/\/{2,}/g, '/');
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

async function dispatch(ctx: RequestContext): Promise<void> {
  const { path, req, emu } = ctx;
  const method = req.method ?? 'GET';
  if (path === '/__emulator' || path.startsWith('/__emulator/')) return handleAdmin(ctx);
  if (path.startsWith('/services/oauth2/') || path.startsWith('/id/')) return handleOAuth(ctx);
  if (path === '/services/data') {
    if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,HEAD`);
    return rest.getVersions(ctx);
  }
  const m = /^\/services\/data\/(v[^/]+)(\/.*)?$/.exec(path);
  if (!m) throw notFound();
  const version = parseVersion(m[1]);
  if (version === undefined) throw notFound();
  const session = emu.auth.authenticate(req.headers.authorization);
  if (!session) {
    const a = emu.auth.invalidSessionAnswer();
    throw new ApiError(a.status, 'INVALID_SESSION_ID', 'Session expired or invalid');
  }
  ctx.session = session;
  if (!emu.usage.takeApiRequest()) {
    throw new ApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  }
  ctx.res.setHeader('Sforce-Limit-Info', emu.usage.limitInfoHeader());
  const sub = m[2] ?? '';
  let allowed: string[] = [];
  for (const route of routes) {
    const hit = route.re.exec(sub);
    if (!hit) continue;
    if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) {
      allowed.push(route.method);
      continue;
    }
    return route.handler(ctx, version, hit);
  }
  if (allowed.length) {
    allowed = [...new Set(allowed)];
    throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`);
  }
  throw notFound();
}

function faultError(kind: string, retryAfter?: number): ApiError {
  switch (kind) {
    case 'http500':
      return new ApiError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)');
    case 'http503':
      return new ApiError(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable', retryAfter ? { 'Retry-After': String(retryAfter) } : {});
    case 'http429':
      return new ApiError(429, 'REQUEST_LIMIT_EXCEEDED', 'Too many requests', retryAfter ? { 'Retry-After': String(retryAfter) } : {});
    default:
      return new ApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const clock = new EmulatorClock(options.now);
  const now = clock.now;
  const seedOrg = (spec: string | object, scale: number): OrgStore =>
    typeof spec === 'string' ? loadSeed(spec, { scale, now: now() }) : buildSeed(spec, { scale, now: now() }, 'seed body');
  let org: OrgStore = seedOrg(options.seed ?? 'demo', options.scale ?? 1);
  const faults = new Faults(options.faults ?? {});
  const usage = new Usage(org.settings);
  const makeAuth = (o: OrgStore) =>
    new AuthService({
      orgId: o.orgId,
      userId: o.user.id,
      username: o.user.username,
      email: o.user.email,
      displayName: o.user.name,
      app: {
        clientId: DEFAULT_CREDENTIALS.clientId,
        clientSecret: DEFAULT_CREDENTIALS.clientSecret,
        jwtPublicKeys: options.jwtPublicKeys ?? [],
        rotateRefreshTokens: options.rotateRefreshTokens ?? false,
      },
      credentials: {
        username: DEFAULT_CREDENTIALS.username,
        password: DEFAULT_CREDENTIALS.password,
        securityToken: options.securityToken ?? '',
      },
      tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
      now,
      refreshTokens: options.refreshTokens,
    });
  const processor = new JobProcessor({
    store: () => state.org,
    faults,
    usage,
    processingRate: options.processingRate ?? 0,
    parallelism: options.parallelism ?? 4,
    rng: seededRng(options.randomSeed ?? 1),
    now,
  });
  const state: EmulatorState = {
    org,
    auth: makeAuth(org),
    faults,
    jobs: new JobStore(options.randomSeed ?? 0),
    processor,
    usage,
    log: new RequestLog(),
    cursors: new QueryCursors(now),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    now,
    clock,
    async reseed(spec, scale) {
      const before = state.org;
      org = seedOrg(spec, scale ?? options.scale ?? 1);
      state.org = org;
      if (org.orgId !== before.orgId || org.user.id !== before.user.id || org.user.username !== before.user.username) {
        state.auth = makeAuth(org); // a different org or user: sessions of the old one do not carry over
      }
      state.jobs.clear();
      state.log.clear();
      state.cursors.clear();
      faults.set({});
      usage.reset(org.settings);
    },
  };

  const sockets = new Set<Socket>();
  // Ends the answers a latency fault is holding, so close() does not wait out their timers (a test holding uploads
  // for 20 s would otherwise keep its process alive that long after its last assertion).
  const closing = new AbortController();
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => void handle(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    // Not `new URL(req.url, base)`: a path starting with `//` would be read as a host.
    const url = new URL(`http://emulator.invalid${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? '/'}`);
    const path = normalizePath(url.pathname);
    const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
    const ctx: RequestContext = { req, res, emu: state, path, query: url.searchParams, origin, note: {} };
    let fault: string | undefined;
    try {
      if (!path.startsWith('/__emulator')) {
        const d = faults.decide(req.method ?? 'GET', path);
        if (d.latencyMs > 0) await sleep(d.latencyMs, undefined, { signal: closing.signal });
        if (d.kind !== 'none') {
          fault = d.kind;
          if (d.kind === 'connectionReset') {
            req.resume();
            req.socket.destroy();
            return;
          }
          if (d.kind === 'resetMidResponse') {
            req.resume();
            res.writeHead(200, { 'Content-Type': 'text/csv; charset=UTF-8', 'Content-Length': '1048576' });
            res.write('"Id","Name"\n"001');
            await sleep(5);
            req.socket.destroy();
            return;
          }
          if (d.kind === 'sessionExpiry') state.auth.expireAll();
          else {
            req.resume();
            throw faultError(d.kind, d.rule.retryAfterSeconds);
          }
        }
      }
      await dispatch(ctx);
    } catch (e) {
      if (closing.signal.aborted) {
        res.destroy();
      } else if (res.headersSent) {
        res.destroy();
      } else if (e instanceof ApiError) {
        if (path.startsWith('/services/')) res.setHeader('Sforce-Limit-Info', usage.limitInfoHeader());
        sendError(req, res, e);
      } else if (e instanceof BodyTooLarge) {
        sendError(req, res, new ApiError(413, 'REQUEST_ENTITY_TOO_LARGE', e.message));
      } else {
        process.stderr.write(`salesforce-bulk-emulator: internal error on ${req.method} ${path}: ${(e as Error).stack}\n`);
        sendJson(req, res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }]);
      }
    } finally {
      const entry = {
        at: new Date(now() - (Date.now() - started)).toISOString(),
        method: req.method ?? 'GET',
        path,
        query: redactQuery(url.searchParams),
        status: res.statusCode,
        durationMs: Date.now() - started,
        ...ctx.note,
        ...(fault ? { fault } : {}),
      };
      if (!path.startsWith('/__emulator')) state.log.add(entry);
      if (options.verbose) process.stderr.write(`${entry.method} ${entry.path}${entry.query} ${entry.status} ${entry.durationMs}ms${fault ? ` fault=${fault}` : ''}\n`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    state,
    async close() {
      closing.abort();
      processor.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
