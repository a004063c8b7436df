// One error hierarchy for the Bulk API 2.0 client. Callers switch on the stable `code`, never on messages.
// Messages say what to fix; they never carry a secret (the HTTP layer redacts every text it puts in one).

/** Stable codes, one per kind of failure. */
export type SalesforceErrorCode =
  | 'SF_CONFIG' // the configuration is wrong: fix the named key
  | 'SF_AUTH' // credentials refused or session invalid
  | 'SF_PERMISSION' // authenticated, but the user/org may not do this (403 other than limits)
  | 'SF_NOT_FOUND' // unknown job, object, path or API version (404)
  | 'SF_INVALID_STATE' // the job is not in a state that allows this call
  | 'SF_LIMIT_EXCEEDED' // API request limit or rate limit (403 REQUEST_LIMIT_EXCEEDED, 429)
  | 'SF_INVALID_INPUT' // bad request: field, query, batch, media type, API version mismatch
  | 'SF_SERVER' // 5xx
  | 'SF_NETWORK' // connection refused/reset, timeouts, TLS
  | 'SF_PROTOCOL' // the server answered something the contract does not allow
  | 'SF_POLL_TIMEOUT' // our wait for a job ended; the job's outcome is unknown
  | 'SF_JOB_FAILED' // the job ended Failed or Aborted
  | 'SF_COUNT_MISMATCH' // rows parsed differ from rows declared
  | 'SF_OUTCOME_UNKNOWN' // a request that may have taken effect could not be confirmed
  | 'SF_ABORTED' // the caller's AbortSignal fired
  | 'SF_USAGE'; // the library was called in a way it does not allow (a page read twice, a session not started)

/** The request an error belongs to: method and path only (never headers, body or token). */
export interface RequestRef {
  readonly method: string;
  readonly path: string;
}

export interface SalesforceErrorOptions {
  readonly status?: number;
  readonly errorCode?: string;
  readonly request?: RequestRef;
  readonly fields?: readonly string[];
  readonly retryable?: boolean;
  readonly outcomeUnknown?: boolean;
  readonly jobId?: string;
  readonly attempts?: number;
  readonly cause?: unknown;
}

export class SalesforceError extends Error {
  readonly code: SalesforceErrorCode;
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** Salesforce's `errorCode` (or OAuth `error`), when the body carried one. */
  readonly errorCode: string | undefined;
  readonly request: RequestRef | undefined;
  readonly fields: readonly string[];
  /** Whether the same request may succeed if sent again later. */
  readonly retryable: boolean;
  /** True when the request may have taken effect on the server (e.g. a job create whose reply was lost). */
  readonly outcomeUnknown: boolean;
  /** The job this error concerns, when there is one. */
  readonly jobId: string | undefined;
  /** How many times the request was sent before giving up. */
  readonly attempts: number | undefined;

  constructor(code: SalesforceErrorCode, message: string, options: SalesforceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.request = options.request;
    this.fields = options.fields ?? [];
    this.retryable = options.retryable ?? false;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.jobId = options.jobId;
    this.attempts = options.attempts;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      request: this.request,
      jobId: this.jobId,
      retryable: this.retryable,
      outcomeUnknown: this.outcomeUnknown,
    };
  }
}

export class ConfigError extends SalesforceError {
  /** The configuration key to fix. */
  readonly key: string | undefined;
  constructor(message: string, key?: string) {
    super('SF_CONFIG', message);
    this.key = key;
  }
}

export class AuthError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_AUTH', message, options);
  }
}

export class PermissionError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_PERMISSION', message, options);
  }
}

export class NotFoundError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_NOT_FOUND', message, options);
  }
}

export class InvalidStateError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_INVALID_STATE', message, options);
  }
}

/**
 * An upload was cut off and the resend was refused because part of it reached Salesforce. The job was aborted
 * before processing, so none of its rows were loaded: upload them again in a new job.
 */
export class UploadInterruptedError extends InvalidStateError {
  constructor(jobId: string, cause: unknown) {
    super(
      `the upload to job ${jobId} was interrupted and Salesforce refused the resend (the job already holds part of the data); ` +
        `job ${jobId} was aborted before processing, so none of its rows were loaded: upload them again in a new job`,
      { jobId, retryable: true, cause },
    );
  }
}

export class LimitExceededError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_LIMIT_EXCEEDED', message, { retryable: true, ...options });
  }
}

export class InvalidInputError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_INVALID_INPUT', message, options);
  }
}

export class ServerError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_SERVER', message, { retryable: true, ...options });
  }
}

export class NetworkError extends SalesforceError {
  /** The socket-level code (ECONNRESET, UND_ERR_HEADERS_TIMEOUT, ...). */
  readonly networkCode: string | undefined;
  constructor(message: string, networkCode: string | undefined, options: SalesforceErrorOptions = {}) {
    super('SF_NETWORK', message, { retryable: true, ...options });
    this.networkCode = networkCode;
  }
}

export class ProtocolError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_PROTOCOL', message, options);
  }
}

/** Our wait ended before the job did. The job may still finish: its outcome is UNKNOWN, never "failed". */
export class PollTimeoutError extends SalesforceError {
  override readonly jobId: string;
  readonly lastState: string | undefined;
  constructor(jobId: string, waitedMs: number, lastState: string | undefined) {
    super(
      'SF_POLL_TIMEOUT',
      `stopped waiting for job ${jobId} after ${Math.round(waitedMs / 1000)} s (last state ${lastState ?? 'unknown'}); ` +
        `the job may still complete: its outcome is unknown. Resume by job id, or raise poll_timeout_seconds`,
      { jobId, outcomeUnknown: true, retryable: true },
    );
    this.jobId = jobId;
    this.lastState = lastState;
  }
}

export class JobFailedError extends SalesforceError {
  override readonly jobId: string;
  readonly state: 'Failed' | 'Aborted';
  readonly jobErrorMessage: string | undefined;
  constructor(jobId: string, state: 'Failed' | 'Aborted', jobErrorMessage: string | undefined) {
    super(
      'SF_JOB_FAILED',
      state === 'Aborted'
        ? `job ${jobId} was aborted`
        : `job ${jobId} failed${jobErrorMessage ? `: ${jobErrorMessage}` : ' (Salesforce gave no reason)'}`,
      { jobId },
    );
    this.jobId = jobId;
    this.state = state;
    this.jobErrorMessage = jobErrorMessage;
  }
}

export class CountMismatchError extends SalesforceError {
  override readonly jobId: string;
  readonly expected: number;
  readonly actual: number;
  constructor(jobId: string, what: string, expected: number, actual: number) {
    super('SF_COUNT_MISMATCH', `job ${jobId}: ${what}: expected ${expected} rows, parsed ${actual}`, { jobId });
    this.jobId = jobId;
    this.expected = expected;
    this.actual = actual;
  }
}

export class OutcomeUnknownError extends SalesforceError {
  /** Jobs that may be the one this request created. */
  readonly candidateJobIds: readonly string[];
  constructor(message: string, candidateJobIds: readonly string[] = [], options: SalesforceErrorOptions = {}) {
    super('SF_OUTCOME_UNKNOWN', message, { outcomeUnknown: true, ...options });
    this.candidateJobIds = candidateJobIds;
  }
}

export class AbortedError extends SalesforceError {
  constructor(message = 'the operation was aborted by the caller', options: SalesforceErrorOptions = {}) {
    super('SF_ABORTED', message, options);
  }
}

/** A call the library does not allow: a bug in the calling code, never a property of the org or the network. */
export class UsageError extends SalesforceError {
  constructor(message: string, options: SalesforceErrorOptions = {}) {
    super('SF_USAGE', message, options);
  }
}

/** What a layer that catches an error may add to it on the way up. */
export interface ErrorContext {
  /** The request may have taken effect (only ever raised, never cleared). */
  readonly outcomeUnknown?: boolean;
  readonly attempts?: number;
}

/**
 * The same error seen from one level up: a new error of the same class, with the same fields and message,
 * that names `jobId` (unless it already names a job), carries `context`, and keeps the original as `cause`.
 * Thrown errors are never changed: whoever holds the original still sees what it said. Anything that is not
 * a SalesforceError is returned as it is (turn it into one first), and so is an error that would not change.
 */
export function withJob<E>(e: E, jobId: string | undefined, context: ErrorContext = {}): E {
  if (!(e instanceof SalesforceError)) return e;
  const job = e.jobId ?? jobId;
  const unknown = e.outcomeUnknown || context.outcomeUnknown === true;
  const attempts = context.attempts ?? e.attempts;
  if (job === e.jobId && unknown === e.outcomeUnknown && attempts === e.attempts) return e;
  // A copy made without the constructor, so every subclass (whatever its constructor takes) keeps its class
  // and its own fields; only the three fields above and `cause` differ.
  const copy = Object.create(Object.getPrototypeOf(e) as object) as SalesforceError;
  for (const key of Reflect.ownKeys(e)) {
    if (key === 'cause' || key === 'jobId' || key === 'outcomeUnknown' || key === 'attempts') continue;
    Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(e, key)!);
  }
  const field = (value: unknown) => ({ value, enumerable: true, writable: false, configurable: false });
  Object.defineProperties(copy, {
    jobId: field(job),
    outcomeUnknown: field(unknown),
    attempts: field(attempts),
    cause: { value: e, enumerable: false, writable: false, configurable: false },
  });
  return copy as E;
}

export function isSalesforceError(e: unknown): e is SalesforceError {
  return e instanceof SalesforceError;
}
