// Waiting that the caller can cut short: every wait in the client (retry backoff, polls, the job-create queue)
// ends at once, with AbortedError, when the caller's AbortSignal fires.
import { AbortedError } from './errors.js';

/** Resolves after `ms`, or rejects with AbortedError as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof AbortedError) return r;
  const detail = r instanceof Error ? r.message : typeof r === 'string' ? r : undefined;
  return new AbortedError(detail ? `the operation was aborted by the caller: ${detail}` : undefined, { cause: r });
}
