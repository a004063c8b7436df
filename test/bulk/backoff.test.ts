import t from 'tap';
import { backoffCap, fullJitterDelay, parseRetryAfter } from '../../src/bulk/http/backoff.js';
import { sleep } from '../../src/bulk/abortable-sleep.js';
import { AbortedError } from '../../src/bulk/errors.js';

const shape = { baseMs: 500, maxMs: 30_000, factor: 2 };

t.test('the backoff cap grows exponentially and stops at the maximum', async (t) => {
  t.same([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffCap(a, shape)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  t.equal(backoffCap(10_000, shape), 30_000, 'huge attempt numbers do not overflow');
});

t.test('full jitter spreads a delay uniformly below the cap', async (t) => {
  t.equal(fullJitterDelay(3, shape, () => 0), 0);
  t.equal(fullJitterDelay(3, shape, () => 0.5), 2000);
  t.equal(fullJitterDelay(3, shape, () => 0.999999), 3999);
  for (let i = 0; i < 1000; i++) {
    const d = fullJitterDelay(5, shape);
    t.ok(d >= 0 && d < 16000);
    if (d < 0 || d >= 16000) break;
  }
});

t.test('Retry-After is read as seconds or as an HTTP date', async (t) => {
  t.equal(parseRetryAfter('120'), 120_000);
  t.equal(parseRetryAfter(' 0 '), 0);
  t.equal(parseRetryAfter('1.5'), 1500);
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  t.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
  t.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a date in the past means now');
  t.equal(parseRetryAfter(['7', '9']), 7000);
  t.equal(parseRetryAfter(undefined), undefined);
  t.equal(parseRetryAfter(''), undefined);
  t.equal(parseRetryAfter('soon'), undefined);
});

t.test('sleep ends early, with AbortedError, when its signal fires', async (t) => {
  const ac = new AbortController();
  const started = Date.now();
  const sleeping = sleep(10_000, ac.signal);
  ac.abort();
  await t.rejects(sleeping, AbortedError);
  t.ok(Date.now() - started < 1000);
  await t.rejects(sleep(5, AbortSignal.abort()), { code: 'SF_ABORTED' });
  await sleep(0);
});
