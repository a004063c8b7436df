// The ingest engine: everything between "job is UploadComplete with this CSV" and "job terminal with results".
export type {
  ColumnDelimiter,
  IngestEnvironment,
  IngestJobSpec,
  IngestOutcome,
  IngestProgress,
  LineEnding,
  Operation,
} from './types.js';
export { IngestRun, precheckUpload, BATCH_SIZE, CHUNK_SIZE, MAX_BATCH_RETRIES } from './run.js';
export { LockRegistry, lockKey } from './locks.js';
export { checkJobSpec, planHeader, HeaderError, type JobSpecProblem, type HeaderPlan, type Column } from './header.js';
export { scanCsv, scanIfReadable, parseRecord, quoteCell, checkLineEndings, CsvFormatError, DELIMITER_CHARS } from './csv.js';
export { sfError, rowErrors, jobErrors } from './errors.js';
export { deserialize, checkValue, parseDateTime } from './coerce.js';
