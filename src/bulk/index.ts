// Public surface of the Bulk API 2.0 client. No Singer words here: the tap and target wire this to Singer.
export { BulkClient, type BulkClientOptions } from './client.js';
export {
  parseConnectionConfig,
  configSecrets,
  connectionConfigSchemaPath,
  isLoopbackHost,
  secureUrl,
  SECRET_CONFIG_KEYS,
  MIN_API_VERSION,
  type AuthFlow,
  type ConnectionConfig,
} from './connection-config.js';
export * from './errors.js';
export { Redactor, REDACTED } from './redact.js';
export { stderrLogger, silentLogger, redactingLogger, type Logger, type LogLevel } from './log.js';
export { backoffCap, fullJitterDelay, parseRetryAfter, type BackoffShape } from './http/backoff.js';
export { sleep } from './abortable-sleep.js';
export { DEFAULT_RETRY_POLICY, retryPolicy, decideRetry, refetchDelay, type RetryPolicy, type RetryDecision } from './http/retry-policy.js';
export { parseErrorBody, errorFromResponse, isSessionExpired } from './http/response-error.js';
export { parseLimitInfo, bulkAllowance, batchesFor, type LimitInfo, type Usage, type OrgLimits, type BulkAllowance } from './org/limits.js';
export { DEFAULT_POLL, pollDelay, pollUntilTerminal, type PollOptions } from './jobs/poll.js';
export {
  JOB_STATES,
  isTerminal,
  DELIMITER_CHARS,
  type JobState,
  type TerminalJobState,
  type IngestOperation,
  type QueryOperation,
  type ColumnDelimiter,
  type LineEnding,
  type IngestJobInfo,
  type QueryJobInfo,
  type JobInfo,
  type IngestJobSpec,
  type QueryJobSpec,
} from './jobs/job-info.js';
export { IngestJobs, IngestJob, MAX_UPLOAD_BYTES, MAX_MULTIPART_CSV_CHARS, type UploadSource, type IngestResultKind } from './ingest/ingest-job.js';
export { QueryJobs, QueryJob, RESULT_PAGES_MIN_VERSION, type PagesOptions } from './query/query-job.js';
export { type RestQueryAnswer, type RestQueryOptions, type RestRecord } from './query/rest-query.js';
export { ResultPage } from './query/result-page.js';
export { CsvRows, type CsvRow, type SuccessfulResultRow, type FailedResultRow, type UnprocessedRow } from './csv/csv-rows.js';
export { decodedBody } from './http/decoded-body.js';
export { DescribeCache, type GlobalDescribe, type SObjectDescribe, type SObjectSummary, type FieldDescribe, type PicklistEntry } from './org/describe.js';
export { signJwtAssertion } from './auth/authenticator.js';
export { NEWEST_SUPPORTED_API_VERSION, FALLBACK_API_VERSION } from './auth/session.js';
export { spoolToFile, type SpooledFile } from './ingest/spool.js';
