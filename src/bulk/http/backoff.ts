// Backoff arithmetic: pure functions; the randomness is injectable for tests.

export interface BackoffShape {
  /** First delay cap, ms. */
  readonly baseMs: number;
  /** Largest delay cap, ms. */
  readonly maxMs: number;
  /** Growth per attempt. */
  readonly factor: number;
}

/** The cap for attempt `n` (0-based): min(max, base * factor^n). */
export function backoffCap(attempt: number, shape: BackoffShape): number {
  const raw = shape.baseMs * Math.pow(shape.factor, Math.max(0, attempt));
  return Math.min(shape.maxMs, Number.isFinite(raw) ? raw : shape.maxMs);
}

/** "Full jitter": a uniform delay in [0, cap) so that many clients spread out instead of retrying in step. */
export function fullJitterDelay(attempt: number, shape: BackoffShape, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCap(attempt, shape));
}

/**
 * `Retry-After` as milliseconds from `nowMs`: either delay-seconds or an HTTP-date. Undefined when absent or
 * unreadable; never negative.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '') return undefined;
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (/^\d+\.\d+$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
