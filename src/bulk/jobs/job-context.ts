// What every job object needs from the client that made it.
import { NetworkError, ProtocolError, SalesforceError, withJob } from '../errors.js';
import type { JobCreateTuning } from './create-once.js';
import type { PollOptions } from './poll.js';
import type { Session } from '../auth/session.js';

export interface JobContext {
  readonly session: Session;
  /** Sent as `Sforce-Call-Options: client=<name>` on job creation. */
  readonly clientName: string;
  /** Poll defaults (overridable per call). */
  readonly poll: Omit<PollOptions, 'signal' | 'onStatus'>;
  readonly createTuning: JobCreateTuning;
  /** Where streams are spooled before upload and parallel pages before delivery (default: the OS temp dir). */
  readonly tempDir?: string;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/**
 * The typed error for a failure met while reading a body (after the headers arrived): socket errors
 * become NetworkError, CSV syntax errors ProtocolError; both name the request and the job (and `what` was read).
 */
export function bodyError(ctx: JobContext, e: unknown, ref: { method: string; path: string }, jobId: string, what = 'the result CSV'): SalesforceError {
  let err: SalesforceError;
  if (e instanceof SalesforceError) err = e;
  else if ((e as { code?: unknown })?.code !== undefined && String((e as { code: unknown }).code).startsWith('CSV_')) {
    err = new ProtocolError(`job ${jobId}: ${what} of ${ref.method} ${ref.path} is malformed: ${ctx.session.transport.redactor.redact(String((e as Error).message))}`, {
      request: ref,
      jobId,
      cause: e,
    });
  } else {
    err = ctx.session.transport.networkError(e, ref);
    if (!(err instanceof NetworkError)) return err;
  }
  return withJob(err, jobId);
}
