// The entry point: a BulkClient built from a parsed ConnectionConfig. It owns one connection pool and
// one session, and hands out ingest jobs, query jobs, describe and limits.
import { Authenticator } from './auth/authenticator.js';
import type { ConnectionConfig } from './connection-config.js';
import { configSecrets } from './connection-config.js';
import { DescribeCache } from './org/describe.js';
import { HttpTransport } from './http/transport.js';
import { IngestJobs } from './ingest/ingest-job.js';
import { DEFAULT_JOB_CREATE, type JobCreateTuning } from './jobs/create-once.js';
import type { CallOptions, JobContext } from './jobs/job-context.js';
import { bulkAllowance, type BulkAllowance, type LimitInfo, type OrgLimits } from './org/limits.js';
import { redactingLogger, silentLogger, type Logger } from './log.js';
import { DEFAULT_POLL, type PollOptions } from './jobs/poll.js';
import { QueryJobs } from './query/query-job.js';
import { restQuery, type RestQueryAnswer, type RestQueryOptions } from './query/rest-query.js';
import { Redactor } from './redact.js';
import { retryPolicy, type RetryPolicy } from './http/retry-policy.js';
import { Session } from './auth/session.js';

export interface BulkClientOptions {
  /** Where the library's log lines go (already redacted). Default: nowhere. */
  readonly logger?: Logger;
  /** Overrides of the retry policy built from the config. */
  readonly retry?: Partial<RetryPolicy>;
  /** Overrides of the poll settings built from the config. */
  readonly poll?: Partial<Omit<PollOptions, 'signal' | 'onStatus'>>;
  readonly jobCreate?: Partial<JobCreateTuning>;
  /** Temporary folder for spooled uploads and parallel result pages. */
  readonly tempDir?: string;
  /** Sockets per origin (default 16). */
  readonly connectionsPerOrigin?: number;
  /** A Redactor to share (e.g. with the CLI's own logging); the config's secrets are added to it. */
  readonly redactor?: Redactor;
  /** Injectable randomness for backoff jitter (tests). */
  readonly random?: () => number;
  readonly signal?: AbortSignal;
}

export class BulkClient {
  readonly ingest: IngestJobs;
  readonly query: QueryJobs;
  readonly describe: DescribeCache;
  readonly redactor: Redactor;
  readonly logger: Logger;
  private readonly session: Session;
  private readonly transport: HttpTransport;

  private constructor(session: Session, transport: HttpTransport, ctx: JobContext, redactor: Redactor, logger: Logger) {
    this.session = session;
    this.transport = transport;
    this.redactor = redactor;
    this.logger = logger;
    this.ingest = new IngestJobs(ctx);
    this.query = new QueryJobs(ctx);
    this.describe = new DescribeCache(session);
  }

  /** Authenticates, settles the API version, and returns a ready client. */
  static async connect(config: ConnectionConfig, options: BulkClientOptions = {}): Promise<BulkClient> {
    const redactor = options.redactor ?? new Redactor();
    for (const s of configSecrets(config)) redactor.add(s);
    const logger = redactingLogger(options.logger ?? silentLogger, redactor);
    const timeoutMs = config.request_timeout_seconds * 1000;
    let session: Session | undefined;
    const transport = new HttpTransport({
      redactor,
      logger,
      retryPolicy: retryPolicy({
        maxAttempts: config.http_max_attempts,
        maxElapsedMs: config.http_retry_max_elapsed_seconds * 1000,
        ...options.retry,
      }),
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
      connectTimeoutMs: Math.min(timeoutMs, 30_000),
      connectionsPerOrigin: options.connectionsPerOrigin,
      onResponse: (meta) => session?.observe(meta),
      random: options.random,
    });
    const auth = new Authenticator(config, transport, logger);
    session = new Session(transport, auth, logger, config.api_version);
    try {
      await session.start(options.signal);
    } catch (e) {
      await transport.close();
      throw e;
    }
    const ctx: JobContext = {
      session,
      clientName: config.client_name,
      poll: { ...DEFAULT_POLL, maxMs: config.poll_interval_max_seconds * 1000, timeoutMs: config.poll_timeout_seconds * 1000, ...options.poll },
      createTuning: { ...DEFAULT_JOB_CREATE, ...options.jobCreate },
      ...(options.tempDir !== undefined ? { tempDir: options.tempDir } : {}),
    };
    return new BulkClient(session, transport, ctx, redactor, logger);
  }

  get apiVersion(): string {
    return this.session.apiVersion;
  }

  /** The org's instance origin (https://MyDomain.my.salesforce.com). */
  get instanceUrl(): string {
    return this.session.instanceUrl;
  }

  /** The user the session acts as, when the token response said. */
  get userId(): string | undefined {
    return this.session.auth.latest?.userId;
  }

  /** The latest `Sforce-Limit-Info` seen (daily API usage). */
  get limitInfo(): LimitInfo | undefined {
    return this.session.limitInfo;
  }

  /** `GET /limits/`: every allocation of the org. */
  async limits(options: CallOptions = {}): Promise<OrgLimits> {
    return this.session.json<OrgLimits>({ method: 'GET', path: this.session.dataPath('limits/'), signal: options.signal });
  }

  /** The remaining daily allocations that matter to Bulk 2.0 (API requests, batches, query jobs, storage). */
  async bulkAllowance(options: CallOptions = {}): Promise<BulkAllowance> {
    return bulkAllowance(await this.limits(options));
  }

  /** A small SOQL query through the REST query resource (first answer only; bound it with LIMIT). */
  async restQuery(soql: string, options: RestQueryOptions = {}): Promise<RestQueryAnswer> {
    return restQuery(this.session, soql, options);
  }

  /** Replaces every registered secret in `text` (for callers' own log lines). */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}
