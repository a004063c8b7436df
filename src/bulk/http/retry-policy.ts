// The retry policy is data: which failures are retried, how long to wait, and when to stop.
// `decideRetry` is pure, so the rules are tested without a network.
import { backoffCap, fullJitterDelay, type BackoffShape } from './backoff.js';
import { NetworkError, SalesforceError } from '../errors.js';

export interface RetryPolicy {
  /** Total sends of one request, the first included. */
  readonly maxAttempts: number;
  /** No retry starts once this much time has passed since the first send (ms). */
  readonly maxElapsedMs: number;
  readonly backoff: BackoffShape;
  /** HTTP statuses retried for idempotent requests. */
  readonly retryStatuses: readonly number[];
  /** Statuses that prove the server did not act on the request: also retried for non-idempotent ones. */
  readonly notProcessedStatuses: readonly number[];
  /** Salesforce errorCodes retried whatever the status (REQUEST_LIMIT_EXCEEDED arrives as 403). */
  readonly retryErrorCodes: readonly string[];
  /** Socket-level error codes retried for idempotent requests. */
  readonly retryNetworkCodes: readonly string[];
  /** Network codes that prove nothing was sent (safe to retry any request). */
  readonly notSentNetworkCodes: readonly string[];
  /** Wait at least what `Retry-After` asks, up to this many ms; longer asks end the retries. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  maxElapsedMs: 5 * 60_000,
  backoff: Object.freeze({ baseMs: 500, maxMs: 30_000, factor: 2 }),
  retryStatuses: Object.freeze([408, 429, 500, 502, 503, 504]),
  notProcessedStatuses: Object.freeze([429, 503]),
  retryErrorCodes: Object.freeze(['REQUEST_LIMIT_EXCEEDED', 'SERVER_UNAVAILABLE', 'API_TEMPORARILY_UNAVAILABLE']),
  retryNetworkCodes: Object.freeze([
    'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
    'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  ]),
  notSentNetworkCodes: Object.freeze(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']),
  maxRetryAfterMs: 120_000,
}) as RetryPolicy;

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides, backoff: { ...DEFAULT_RETRY_POLICY.backoff, ...overrides.backoff } };
}

export interface RetryContext {
  /** Sends made so far (1 after the first). */
  readonly attempts: number;
  /** ms since the first send. */
  readonly elapsedMs: number;
  readonly idempotent: boolean;
  /** What `Retry-After` asked for, ms. */
  readonly retryAfterMs?: number;
  readonly random?: () => number;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'not-retryable' | 'effect-unknown' | 'attempts' | 'elapsed' | 'retry-after-too-long' };

/** Whether the failure is transient by the policy, regardless of idempotency. */
export function isTransient(policy: RetryPolicy, error: SalesforceError): boolean {
  if (error instanceof NetworkError) return error.networkCode !== undefined && policy.retryNetworkCodes.includes(error.networkCode);
  if (error.errorCode !== undefined && policy.retryErrorCodes.includes(error.errorCode)) return true;
  return error.status !== undefined && policy.retryStatuses.includes(error.status);
}

/** Whether the failure proves the server did not act (so even a POST may be sent again). */
export function provesNotProcessed(policy: RetryPolicy, error: SalesforceError): boolean {
  if (error instanceof NetworkError) return error.networkCode !== undefined && policy.notSentNetworkCodes.includes(error.networkCode);
  if (error.errorCode !== undefined && policy.retryErrorCodes.includes(error.errorCode)) return true;
  return error.status !== undefined && policy.notProcessedStatuses.includes(error.status);
}

export function decideRetry(policy: RetryPolicy, error: SalesforceError, ctx: RetryContext): RetryDecision {
  if (!isTransient(policy, error)) return { retry: false, reason: 'not-retryable' };
  if (!ctx.idempotent && !provesNotProcessed(policy, error)) return { retry: false, reason: 'effect-unknown' };
  if (ctx.attempts >= policy.maxAttempts) return { retry: false, reason: 'attempts' };
  let delayMs = fullJitterDelay(ctx.attempts - 1, policy.backoff, ctx.random);
  if (ctx.retryAfterMs !== undefined) {
    if (ctx.retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry-after-too-long' };
    delayMs = Math.max(delayMs, ctx.retryAfterMs);
  }
  if (ctx.elapsedMs + delayMs > policy.maxElapsedMs) return { retry: false, reason: 'elapsed' };
  return { retry: true, delayMs };
}

/**
 * The wait before fetching again a reply whose body was cut off mid-way, after `cuts` cut fetches (1 after
 * the first): the policy's full-jitter backoff, like any retry. A body is fetched at most `maxAttempts` times.
 */
export function refetchDelay(policy: RetryPolicy, cuts: number, random: () => number = Math.random): number {
  return fullJitterDelay(cuts - 1, policy.backoff, random);
}

/** Upper bound of the total sleep a policy allows (for docs and tests). */
export function worstCaseSleepMs(policy: RetryPolicy): number {
  let total = 0;
  for (let a = 0; a < policy.maxAttempts - 1; a++) total += backoffCap(a, policy.backoff);
  return Math.min(total, policy.maxElapsedMs);
}
