// Waiting for a job: status polls that start near 1 s and back off to a cap, under an overall deadline.
// A deadline that passes is a PollTimeoutError carrying the job id: the job's outcome is unknown.
import { abortReason, sleep } from '../abortable-sleep.js';
import { AbortedError, PollTimeoutError, withJob } from '../errors.js';
import { isTerminal, type JobState } from './job-info.js';

export interface PollOptions {
  /** First wait between polls (ms). */
  readonly initialMs: number;
  /** Largest wait between polls (ms). */
  readonly maxMs: number;
  /** Growth of the wait per poll. */
  readonly factor: number;
  /** Overall bound on the wait (ms). */
  readonly timeoutMs: number;
  /** Bound on the number of status calls, whatever the clock says (default 100,000). */
  readonly maxPolls?: number;
  readonly signal?: AbortSignal;
  /** Called with every status seen. */
  readonly onStatus?: (info: { readonly id: string; readonly state: JobState }) => void;
}

export const DEFAULT_POLL: Omit<PollOptions, 'signal' | 'onStatus'> = Object.freeze({
  initialMs: 1000,
  maxMs: 30_000,
  factor: 1.5,
  timeoutMs: 24 * 3600_000,
});

const DEFAULT_MAX_POLLS = 100_000;

/** The wait before poll number `n` (0-based), with ±10 % jitter so parallel pollers spread out. */
export function pollDelay(n: number, o: Pick<PollOptions, 'initialMs' | 'maxMs' | 'factor'>, random: () => number = Math.random): number {
  const base = Math.min(o.maxMs, o.initialMs * Math.pow(o.factor, n));
  return Math.round(base * (0.9 + 0.2 * random()));
}

/**
 * Calls `fetchInfo` until the job is terminal and returns the terminal info. The status GET itself is
 * retried by the HTTP layer. Whatever ends the wait early (a status call that finally fails, the caller's
 * signal, the deadline) leaves the job's outcome unknown: the error carries the job id and
 * `outcomeUnknown`, so a caller resumes the job instead of counting its rows as failed.
 */
export async function pollUntilTerminal<T extends { readonly id: string; readonly state: JobState }>(
  jobId: string,
  fetchInfo: (signal?: AbortSignal) => Promise<T>,
  options: PollOptions,
  now: () => number = Date.now,
): Promise<T> {
  try {
    return await pollLoop(jobId, fetchInfo, options, now);
  } catch (e) {
    throw unknownOutcome(e, jobId);
  }
}

async function pollLoop<T extends { readonly id: string; readonly state: JobState }>(
  jobId: string,
  fetchInfo: (signal?: AbortSignal) => Promise<T>,
  options: PollOptions,
  now: () => number,
): Promise<T> {
  const started = now();
  const deadline = started + options.timeoutMs;
  let lastState: JobState | undefined;
  const maxPolls = options.maxPolls ?? DEFAULT_MAX_POLLS;
  for (let n = 0; ; n++) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    if (n >= maxPolls) throw new PollTimeoutError(jobId, now() - started, lastState);
    const info = await fetchInfo(options.signal);
    lastState = info.state;
    options.onStatus?.(info);
    if (isTerminal(info.state)) return info;
    const remaining = deadline - now();
    if (remaining <= 0) throw new PollTimeoutError(jobId, now() - started, lastState);
    await sleep(Math.min(pollDelay(n, options), remaining), options.signal);
    if (now() >= deadline) {
      // One last look, so a job that finished during the final wait is not reported as timed out.
      const last = await fetchInfo(options.signal);
      options.onStatus?.(last);
      if (isTerminal(last.state)) return last;
      throw new PollTimeoutError(jobId, now() - started, last.state);
    }
  }
}

/** The error that ended a wait, marked as leaving the job's outcome unknown and naming the job. */
function unknownOutcome(e: unknown, jobId: string): unknown {
  if (e instanceof AbortedError) {
    // The signal's reason may be shared by many waits: a fresh error names this job.
    return new AbortedError(
      `stopped waiting for job ${jobId}: the operation was aborted by the caller. The job may still complete: its outcome is unknown; resume it by job id`,
      { jobId, outcomeUnknown: true, cause: e },
    );
  }
  return withJob(e, jobId, { outcomeUnknown: true });
}
