// Bulk API 2.0 jobs as the emulator keeps them. The six states are Salesforce's exactly.
import type { ScannedCsv } from '../ingest/csv.js';
export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
export type QueryOperation = 'query' | 'queryAll';
import type { ColumnDelimiter, LineEnding } from '../csv-dialect.js';
export type { ColumnDelimiter, LineEnding } from '../csv-dialect.js';
export { COLUMN_DELIMITERS, LINE_ENDINGS } from '../csv-dialect.js';

export const INGEST_OPERATIONS: readonly IngestOperation[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];

interface JobCommon {
  readonly id: string;
  readonly object: string;
  readonly createdById: string;
  readonly createdDate: number;
  systemModstamp: number;
  /** Changed only through job-state.ts, which enforces the transitions Salesforce allows. */
  readonly state: JobState;
  readonly apiVersion: number;
  readonly lineEnding: LineEnding;
  readonly columnDelimiter: ColumnDelimiter;
  errorMessage?: string;
  retries: number;
  totalProcessingTime: number;
}

export interface IngestJob extends JobCommon {
  readonly kind: 'ingest';
  readonly operation: IngestOperation;
  readonly externalIdFieldName?: string;
  readonly assignmentRuleId?: string;
  /** The uploaded CSV (one upload per job). */
  data?: Buffer;
  /** Where its records are, scanned once when it arrived (undefined: not uploaded, or it cannot be read). */
  scanned?: ScannedCsv;
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  apiActiveProcessingTime: number;
  apexProcessingTime: number;
}

export interface QueryJob extends JobCommon {
  readonly kind: 'query';
  readonly operation: QueryOperation;
  readonly query: string;
  numberRecordsProcessed: number;
}

export type Job = IngestJob | QueryJob;
