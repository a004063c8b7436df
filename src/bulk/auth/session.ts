// An authenticated conversation with one org: instance URL, API version, bearer header, one
// re-authentication and replay on an expired session, and what every reply teaches (limit info,
// the server's clock). Every URL a reply hands us is checked to stay on the instance's origin.
import type { Authenticator, AccessGrant } from './authenticator.js';
import { sleep } from '../abortable-sleep.js';
import { AuthError, NetworkError, NotFoundError, ProtocolError, SalesforceError, UsageError, withJob } from '../errors.js';
import { header, readJson, type HttpMethod, type HttpResponse, type HttpTransport, type RequestBody, type ResponseMeta } from '../http/transport.js';
import { parseLimitInfo, type LimitInfo } from '../org/limits.js';
import type { Logger } from '../log.js';
import { isSessionExpired } from '../http/response-error.js';

/** The newest API version this client has been checked against; newer ones the org lists are not chosen. */
export const NEWEST_SUPPORTED_API_VERSION = 66;
/** Used when the org will not list its versions. */
export const FALLBACK_API_VERSION = '62.0';

export interface SessionRequest {
  readonly method: HttpMethod;
  /** A path on the instance (`/services/data/...`) or an absolute URL on the instance's origin. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal;
  readonly ok?: (status: number) => boolean;
}

export class Session {
  private apiVersionValue: string | undefined;
  private limitInfoValue: LimitInfo | undefined;
  private clockOffsetMs = 0;
  /** Jobs this client created or adopted: never mistaken for someone else's when recovering a create. */
  readonly knownJobIds = new Set<string>();

  constructor(
    readonly transport: HttpTransport,
    readonly auth: Authenticator,
    readonly logger: Logger,
    private readonly configuredVersion: string | undefined,
  ) {}

  /** Authenticates and settles the API version. */
  async start(signal?: AbortSignal): Promise<void> {
    await this.auth.current(signal);
    this.apiVersionValue = this.configuredVersion ?? (await this.newestVersion(signal));
    this.logger.log('info', `using API version ${this.apiVersionValue}`);
  }

  get apiVersion(): string {
    if (!this.apiVersionValue) throw new UsageError('the session is not started: call start() (BulkClient.connect does) first');
    return this.apiVersionValue;
  }

  get instanceUrl(): string {
    const g = this.auth.latest;
    if (!g) throw new UsageError('the session is not started: call start() (BulkClient.connect does) first');
    return g.instanceUrl.origin;
  }

  get limitInfo(): LimitInfo | undefined {
    return this.limitInfoValue;
  }

  /** The server's clock now, as far as its Date headers tell (1 s resolution). */
  serverNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  async grant(signal?: AbortSignal): Promise<AccessGrant> {
    return this.auth.current(signal);
  }

  /** `/services/data/vXX.X/<rest>` for the session's (or the given) version. */
  dataPath(rest: string, version: string = this.apiVersion): string {
    return `/services/data/v${version}/${rest.replace(/^\/+/, '')}`;
  }

  /** Records what a response teaches; the transport calls this for every reply. */
  observe(meta: ResponseMeta): void {
    const info = parseLimitInfo(header(meta.headers, 'sforce-limit-info'));
    if (info) this.limitInfoValue = info;
    const date = header(meta.headers, 'date');
    if (date) {
      const t = Date.parse(date);
      if (!Number.isNaN(t)) this.clockOffsetMs = t - Date.now();
    }
  }

  /** Sends with the bearer token; on an expired session re-authenticates once and replays once. */
  async request(req: SessionRequest): Promise<HttpResponse> {
    let grant = await this.auth.current(req.signal);
    for (let replay = 0; ; replay++) {
      const url = this.resolve(req.path, grant, req.query);
      try {
        return await this.transport.send({
          method: req.method,
          url,
          headers: { ...req.headers, authorization: `Bearer ${grant.accessToken}` },
          body: req.body,
          idempotent: req.idempotent,
          signal: req.signal,
          ok: req.ok,
        });
      } catch (e) {
        if (!(e instanceof SalesforceError) || !isSessionExpired(e)) throw e;
        if (replay >= 1) {
          throw new AuthError(
            `the org refused a fresh session too (${e.request?.method} ${e.request?.path}); not re-authenticating again. Check the connected app's policies and that the user has "API Enabled"`,
            { status: 401, errorCode: e.errorCode, request: e.request, cause: e },
          );
        }
        // A 401 means the request was not processed: replaying it, even a POST, cannot duplicate anything.
        grant = await this.auth.refresh(grant, req.signal);
      }
    }
  }

  /**
   * Sends and parses a JSON reply. A reply whose body is cut off mid-way is a lost reply: a request that may
   * be sent again (GET, PUT, DELETE) is fetched again under the retry policy; any other one did reach the
   * server (its status arrived), so its error says the outcome is unknown and the caller looks before acting.
   */
  async json<T>(req: SessionRequest): Promise<T> {
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT' || req.method === 'DELETE');
    const maxFetches = this.transport.retryPolicy.maxAttempts;
    for (let fetches = 1; ; fetches++) {
      const res = await this.request({ ...req, headers: { accept: 'application/json', ...req.headers } });
      const ref = this.transport.requestRef({ method: req.method, url: res.url });
      try {
        return await readJson<T>(res, ref, this.transport.redactor);
      } catch (e) {
        if (!(e instanceof NetworkError)) throw e;
        if (!idempotent) throw withJob(e, undefined, { outcomeUnknown: true, attempts: fetches });
        if (fetches >= maxFetches) throw withJob(e, undefined, { attempts: fetches });
        const delay = this.transport.refetchDelay(fetches);
        this.logger.log('warn', `the reply to ${ref.method} ${ref.path} was cut off (${e.networkCode ?? e.code}); fetching it again in ${delay} ms`);
        await sleep(delay, req.signal);
      }
    }
  }

  /**
   * The URL for a path or a server-given URL. Anything pointing off the instance's origin is refused:
   * the bearer token must never travel anywhere else.
   */
  resolve(path: string, grant: AccessGrant, query?: SessionRequest['query']): URL {
    const base = grant.instanceUrl;
    // Collapse leading slashes: a server-given `//services/...` must not become a protocol-relative URL.
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(path.replace(/^\/+/, '/'), base);
    if (url.origin !== base.origin) {
      throw new ProtocolError(`refusing to send the session to ${url.origin}: it is not the instance ${base.origin}`);
    }
    if (query) for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  private async newestVersion(signal?: AbortSignal): Promise<string> {
    let listed: unknown;
    try {
      listed = await this.json<unknown>({ method: 'GET', path: '/services/data/', signal });
    } catch (e) {
      if (e instanceof NotFoundError) {
        this.logger.log('warn', `the org does not list its API versions; using ${FALLBACK_API_VERSION}`);
        return FALLBACK_API_VERSION;
      }
      throw e;
    }
    const versions = Array.isArray(listed)
      ? listed.map((v) => Number((v as { version?: unknown })?.version)).filter((n) => Number.isFinite(n))
      : [];
    const usable = versions.filter((n) => n >= 47 && n <= NEWEST_SUPPORTED_API_VERSION);
    if (usable.length === 0) {
      throw new ProtocolError(
        `the org lists no API version between 47.0 and ${NEWEST_SUPPORTED_API_VERSION}.0 (it lists ${versions.join(', ') || 'none'}); set api_version`,
      );
    }
    return Math.max(...usable).toFixed(1);
  }
}
