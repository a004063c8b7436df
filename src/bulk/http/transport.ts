// The HTTP layer: one keep-alive connection pool (undici Agent + undici.request, chosen by measurement:
// bench/http-clients.mjs), bounded retries with full-jitter backoff and Retry-After, per-request timeouts,
// AbortSignal everywhere, and typed, redacted errors. It knows nothing of tokens or Salesforce paths.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { parseRetryAfter } from './backoff.js';
import { abortReason, sleep } from '../abortable-sleep.js';
import { AbortedError, NetworkError, ProtocolError, SalesforceError, withJob, type RequestRef } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { Redactor } from '../redact.js';
import { errorFromResponse } from './response-error.js';
import { Agent, request } from './undici-parts.js';
import { DEFAULT_RETRY_POLICY, decideRetry, isTransient, provesNotProcessed, refetchDelay, type RetryPolicy } from './retry-policy.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A request body that can be sent again: bytes in memory, or a file re-opened for every attempt.
 * There is deliberately no "stream" variant: a stream read once cannot be re-sent, so callers spool
 * streams to a file first (see ingest/spool.ts).
 */
export type RequestBody = string | Buffer | { readonly file: string };

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** May the request be sent again when its outcome is unknown? Default: GET, PUT, DELETE yes; POST, PATCH no. */
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal;
  /** Statuses that count as success (default 2xx). */
  readonly ok?: (status: number) => boolean;
  /** The OAuth token endpoint (its errors get OAuth advice). */
  readonly oauth?: boolean;
  /** Overrides of the transport's retry policy for this request. */
  readonly retry?: Partial<RetryPolicy>;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as it arrives from the socket (not decompressed). Consume it or call `discard`. */
  readonly body: Readable;
  readonly url: URL;
  readonly attempts: number;
}

export interface ResponseMeta {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
}

export interface HttpTransportOptions {
  readonly redactor: Redactor;
  readonly logger?: Logger;
  readonly retryPolicy?: RetryPolicy;
  /** Time to the response headers, per attempt (ms). */
  readonly headersTimeoutMs?: number;
  /** Longest silence while a body streams (ms). */
  readonly bodyTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Sockets per origin in the pool. */
  readonly connectionsPerOrigin?: number;
  /** Called for every response that arrives (limit info, server clock). */
  readonly onResponse?: (meta: ResponseMeta) => void;
  /** Injectable randomness for the backoff jitter. */
  readonly random?: () => number;
}

/** Error bodies are read up to this many bytes; the rest is discarded. */
const ERROR_BODY_CAP = 64 * 1024;
/** JSON bodies (job info, lists, describe) are read whole up to this many bytes. */
export const JSON_BODY_CAP = 64 * 1024 * 1024;

export class HttpTransport {
  readonly redactor: Redactor;
  private readonly agent: Agent;
  private readonly logger: Logger;
  private readonly policy: RetryPolicy;
  private readonly headersTimeoutMs: number;
  private readonly bodyTimeoutMs: number;
  private readonly onResponse: ((meta: ResponseMeta) => void) | undefined;
  private readonly random: () => number;

  constructor(options: HttpTransportOptions) {
    this.redactor = options.redactor;
    this.logger = options.logger ?? silentLogger;
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.headersTimeoutMs = options.headersTimeoutMs ?? 120_000;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? 120_000;
    this.onResponse = options.onResponse;
    this.random = options.random ?? Math.random;
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 16,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connect: { timeout: options.connectTimeoutMs ?? 30_000 },
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs,
    });
  }

  get retryPolicy(): RetryPolicy {
    return this.policy;
  }

  /** The wait before fetching again a body cut off after `cuts` fetches (see `refetchDelay`). */
  refetchDelay(cuts: number): number {
    return refetchDelay(this.policy, cuts, this.random);
  }

  /**
   * Sends the request, retrying transient failures by the policy. Resolves with the first successful
   * response (its body unread); rejects with a typed SalesforceError.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const policy = req.retry ? { ...this.policy, ...req.retry } : this.policy;
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT' || req.method === 'DELETE');
    const ok = req.ok ?? ((s: number) => s >= 200 && s < 300);
    const ref = this.requestRef(req);
    const started = Date.now();
    let attempts = 0;
    for (;;) {
      if (req.signal?.aborted) throw abortReason(req.signal);
      attempts++;
      let failure: SalesforceError;
      let retryAfterMs: number | undefined;
      try {
        const res = await request(this.agent, req.url, {
          method: req.method,
          headers: this.headersFor(req),
          body: openBody(req.body),
          signal: req.signal,
          headersTimeout: this.headersTimeoutMs,
          bodyTimeout: this.bodyTimeoutMs,
        });
        this.onResponse?.({ status: res.statusCode, headers: res.headers, url: req.url });
        if (ok(res.statusCode)) {
          return { status: res.statusCode, headers: res.headers, body: res.body, url: req.url, attempts };
        }
        const text = this.redactor.redact(await readCapped(res.body, ERROR_BODY_CAP).catch(() => ''));
        failure = errorFromResponse({ status: res.statusCode, body: text, request: ref, oauth: req.oauth, attempts });
        retryAfterMs = parseRetryAfter(res.headers['retry-after']);
      } catch (e) {
        if (req.signal?.aborted) throw abortReason(req.signal);
        failure = networkError(e, ref, this.redactor, attempts);
      }
      const decision = decideRetry(policy, failure, {
        attempts,
        elapsedMs: Date.now() - started,
        idempotent,
        retryAfterMs,
        random: this.random,
      });
      if (!decision.retry) {
        // A non-idempotent request may have acted whenever the failure does not prove otherwise: any socket
        // failure after sending (a garbled or cut-off reply, whatever its code) and any 5xx, not only the
        // codes the policy retries. The caller must look before sending it again.
        const mayHaveActed = failure instanceof NetworkError || isTransient(policy, failure) || (failure.status ?? 0) >= 500;
        if (!idempotent && mayHaveActed && !provesNotProcessed(policy, failure)) failure = withJob(failure, undefined, { outcomeUnknown: true });
        if (decision.reason !== 'not-retryable' && decision.reason !== 'effect-unknown') {
          this.logger.log('warn', `giving up on ${ref.method} ${ref.path} after ${attempts} attempt(s) (${decision.reason}): ${failure.message}`);
        }
        throw failure;
      }
      this.logger.log(
        'info',
        `retrying ${ref.method} ${ref.path} in ${decision.delayMs} ms (attempt ${attempts + 1} of ${policy.maxAttempts}) after ${failure.status ?? (failure as NetworkError).networkCode ?? failure.code}`,
      );
      await sleep(decision.delayMs, req.signal);
    }
  }

  /** The error for a failure of the socket (not an HTTP error status). */
  networkError(e: unknown, ref: RequestRef, attempts?: number): SalesforceError {
    return networkError(e, ref, this.redactor, attempts);
  }

  requestRef(req: { method: string; url: URL }): RequestRef {
    return { method: req.method, path: this.redactor.redact(req.url.pathname + req.url.search) };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private headersFor(req: HttpRequest): Record<string, string> {
    const headers: Record<string, string> = { ...req.headers };
    const body = req.body;
    if (body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) {
      headers['content-length'] = String(statSync(body.file).size);
    }
    return headers;
  }
}

/**
 * The typed error for a failure of the socket, before or after the headers: a reset, a timeout, a body cut
 * off mid-way (UND_ERR_SOCKET), or a compressed body that stops short (Z_BUF_ERROR), which is the same loss.
 */
export function networkError(e: unknown, ref: RequestRef, redactor: Redactor, attempts?: number): SalesforceError {
  if (e instanceof SalesforceError) return e;
  const err = e as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (err?.name === 'AbortError') return new AbortedError(undefined, { request: ref, attempts });
  const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  const detail = redactor.redact(String(err?.message ?? e));
  const hint = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
    ? ' (no answer within request_timeout_seconds)'
    : code === 'ECONNREFUSED' || code === 'ENOTFOUND'
      ? ' (check the URL and that the server is reachable)'
      : '';
  return new NetworkError(`network error on ${ref.method} ${ref.path}: ${code ?? 'error'} ${detail}${hint}`, code, { request: ref, cause: e, attempts });
}

/** A fresh body for one attempt: files are re-opened, so a retry never sends a spent stream. */
function openBody(body: RequestBody | undefined): string | Buffer | Readable | undefined {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) return body;
  return createReadStream(body.file);
}

/** Reads at most `cap` bytes of a body as UTF-8 and discards the rest. */
export async function readCapped(body: Readable, cap: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (size + b.length > cap) {
      chunks.push(b.subarray(0, cap - size));
      size = cap;
      body.destroy();
      break;
    }
    chunks.push(b);
    size += b.length;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * Reads a JSON body whole (bounded). A body cut off mid-way is a NetworkError (the reply was lost: the caller
 * decides whether to ask again); a complete body that is not JSON is a protocol error.
 */
export async function readJson<T>(res: HttpResponse, ref: RequestRef, redactor: Redactor, cap: number = JSON_BODY_CAP): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > cap) {
        res.body.destroy();
        throw new ProtocolError(`response to ${ref.method} ${ref.path} is larger than ${cap} bytes`, { request: ref, status: res.status });
      }
      chunks.push(b);
    }
  } catch (e) {
    throw networkError(e, ref, redactor, res.attempts);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProtocolError(`response to ${ref.method} ${ref.path} is not JSON (${res.status}, ${String(res.headers['content-type'] ?? 'no content-type')})`, {
      request: ref,
      status: res.status,
    });
  }
}

/** Drops a body we do not need, so the socket returns to the pool. */
export async function discard(res: HttpResponse): Promise<void> {
  try {
    for await (const _ of res.body) {
      // drain
    }
  } catch {
    // the socket is discarded anyway
  }
}

/** One header value as a string (the first, when repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
