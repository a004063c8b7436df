import t from 'tap';
import { LimitExceededError, NetworkError, NotFoundError, ServerError, InvalidInputError } from '../../src/bulk/errors.js';
import { decideRetry, refetchDelay, retryPolicy, worstCaseSleepMs, DEFAULT_RETRY_POLICY } from '../../src/bulk/http/retry-policy.js';

const policy = retryPolicy({ maxAttempts: 4, maxElapsedMs: 60_000, backoff: { baseMs: 1000, maxMs: 8000, factor: 2 } });
const half = () => 0.5;
const s503 = new ServerError('x', { status: 503 });
const s500 = new ServerError('x', { status: 500 });
const reset = new NetworkError('x', 'ECONNRESET');
const refused = new NetworkError('x', 'ECONNREFUSED');
const limit = new LimitExceededError('x', { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED' });

t.test('transient failures of idempotent requests are retried with full-jitter backoff', async (t) => {
  t.same(decideRetry(policy, s503, { attempts: 1, elapsedMs: 0, idempotent: true, random: half }), { retry: true, delayMs: 500 });
  t.same(decideRetry(policy, s500, { attempts: 2, elapsedMs: 0, idempotent: true, random: half }), { retry: true, delayMs: 1000 });
  t.same(decideRetry(policy, reset, { attempts: 3, elapsedMs: 0, idempotent: true, random: half }), { retry: true, delayMs: 2000 });
  t.same(decideRetry(policy, limit, { attempts: 1, elapsedMs: 0, idempotent: true, random: half }), { retry: true, delayMs: 500 });
  const r429 = new LimitExceededError('x', { status: 429 });
  t.equal(decideRetry(policy, r429, { attempts: 1, elapsedMs: 0, idempotent: true }).retry, true);
});

t.test('attempts and total time are bounded', async (t) => {
  t.same(decideRetry(policy, s503, { attempts: 4, elapsedMs: 0, idempotent: true }), { retry: false, reason: 'attempts' });
  t.same(decideRetry(policy, s503, { attempts: 2, elapsedMs: 59_900, idempotent: true, random: half }), { retry: false, reason: 'elapsed' });
  t.ok(worstCaseSleepMs(policy) <= policy.maxElapsedMs);
  t.equal(worstCaseSleepMs(policy), 1000 + 2000 + 4000);
});

t.test('Retry-After is honoured as a floor, and a too-long ask ends the retries', async (t) => {
  t.same(decideRetry(policy, s503, { attempts: 1, elapsedMs: 0, idempotent: true, retryAfterMs: 7000, random: half }), { retry: true, delayMs: 7000 });
  t.same(decideRetry(policy, s503, { attempts: 1, elapsedMs: 0, idempotent: true, retryAfterMs: 10, random: half }), { retry: true, delayMs: 500 });
  t.same(decideRetry(policy, s503, { attempts: 1, elapsedMs: 0, idempotent: true, retryAfterMs: 10 * 60_000 }), { retry: false, reason: 'retry-after-too-long' });
});

t.test('a non-idempotent request is retried only when the failure proves nothing happened', async (t) => {
  t.equal(decideRetry(policy, s503, { attempts: 1, elapsedMs: 0, idempotent: false }).retry, true, '503: not processed');
  t.equal(decideRetry(policy, limit, { attempts: 1, elapsedMs: 0, idempotent: false }).retry, true, 'REQUEST_LIMIT_EXCEEDED: not processed');
  t.equal(decideRetry(policy, refused, { attempts: 1, elapsedMs: 0, idempotent: false }).retry, true, 'connection refused: nothing sent');
  t.same(decideRetry(policy, s500, { attempts: 1, elapsedMs: 0, idempotent: false }), { retry: false, reason: 'effect-unknown' });
  t.same(decideRetry(policy, reset, { attempts: 1, elapsedMs: 0, idempotent: false }), { retry: false, reason: 'effect-unknown' });
  const headersTimeout = new NetworkError('x', 'UND_ERR_HEADERS_TIMEOUT');
  t.same(decideRetry(policy, headersTimeout, { attempts: 1, elapsedMs: 0, idempotent: false }), { retry: false, reason: 'effect-unknown' });
});

t.test('client errors are never retried', async (t) => {
  t.same(decideRetry(policy, new NotFoundError('x', { status: 404 }), { attempts: 1, elapsedMs: 0, idempotent: true }), { retry: false, reason: 'not-retryable' });
  t.same(decideRetry(policy, new InvalidInputError('x', { status: 400, errorCode: 'INVALID_FIELD' }), { attempts: 1, elapsedMs: 0, idempotent: true }), { retry: false, reason: 'not-retryable' });
  t.equal(DEFAULT_RETRY_POLICY.maxAttempts, 6);
});

t.test('a body cut mid-way is fetched again after the policy\'s full-jitter backoff', async (t) => {
  t.same([1, 2, 3, 4, 5].map((cuts) => refetchDelay(policy, cuts, half)), [500, 1000, 2000, 4000, 4000], 'half of the capped backoff');
  t.equal(refetchDelay(policy, 1, () => 0), 0, 'full jitter reaches zero');
  t.ok(refetchDelay(policy, 3, () => 0.999999) < 4000, 'and stays under the cap');
  const fast = retryPolicy({ backoff: { baseMs: 10, maxMs: 20, factor: 2 } });
  t.equal(refetchDelay(fast, 4, () => 0.999999), 19, 'driven by the policy given');
});
