// Salesforce's job JSON, typed. A field name is written once: options types are picked from the info types.
import { ProtocolError } from '../errors.js';

/** Exactly the six states Salesforce reports. Any other string is a protocol error, never "keep polling". */
export const JOB_STATES = ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted'] as const;
export type JobState = (typeof JOB_STATES)[number];
export type TerminalJobState = 'JobComplete' | 'Failed' | 'Aborted';

export function isTerminal(state: JobState): state is TerminalJobState {
  return state === 'JobComplete' || state === 'Failed' || state === 'Aborted';
}

export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
export type QueryOperation = 'query' | 'queryAll';
export type ColumnDelimiter = 'BACKQUOTE' | 'CARET' | 'COMMA' | 'PIPE' | 'SEMICOLON' | 'TAB';
export type LineEnding = 'LF' | 'CRLF';

export const DELIMITER_CHARS: Readonly<Record<ColumnDelimiter, string>> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};

interface JobInfoBase {
  readonly id: string;
  readonly object: string;
  readonly createdById: string;
  readonly createdDate: string;
  readonly systemModstamp: string;
  readonly state: JobState;
  readonly concurrencyMode?: string;
  readonly contentType?: string;
  readonly apiVersion: number;
  readonly lineEnding?: LineEnding;
  readonly columnDelimiter?: ColumnDelimiter;
  readonly jobType?: string;
  readonly numberRecordsProcessed?: number;
  readonly retries?: number;
  readonly totalProcessingTime?: number;
  readonly errorMessage?: string;
}

export interface IngestJobInfo extends JobInfoBase {
  readonly operation: IngestOperation;
  readonly externalIdFieldName?: string;
  readonly assignmentRuleId?: string;
  readonly contentUrl?: string;
  readonly numberRecordsFailed?: number;
  readonly apiActiveProcessingTime?: number;
  readonly apexProcessingTime?: number;
}

export interface QueryJobInfo extends JobInfoBase {
  readonly operation: QueryOperation;
  readonly isPkChunkingSupported?: boolean;
}

export type JobInfo = IngestJobInfo | QueryJobInfo;

/** What a caller gives to create an ingest job. */
export type IngestJobSpec = Pick<IngestJobInfo, 'object' | 'operation'> &
  Partial<Pick<IngestJobInfo, 'externalIdFieldName' | 'assignmentRuleId' | 'lineEnding' | 'columnDelimiter'>>;

/** What a caller gives to create a query job. */
export interface QueryJobSpec extends Partial<Pick<QueryJobInfo, 'columnDelimiter' | 'lineEnding'>> {
  readonly query: string;
  /** Default `query`; `queryAll` includes deleted and archived rows. */
  readonly operation?: QueryOperation;
}

/** A page of the job list. */
export interface JobList<T extends JobInfo> {
  readonly done: boolean;
  readonly records: readonly T[];
  readonly nextRecordsUrl: string | null;
}

const INGEST_OPS: readonly string[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];
const QUERY_OPS: readonly string[] = ['query', 'queryAll'];

/** Checks the fields the client acts on; the rest is passed through as Salesforce sent it. */
export function parseJobInfo(raw: unknown, kind: 'ingest'): IngestJobInfo;
export function parseJobInfo(raw: unknown, kind: 'query'): QueryJobInfo;
export function parseJobInfo(raw: unknown, kind: 'ingest' | 'query'): JobInfo {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ProtocolError(`job info is not a JSON object`);
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') throw new ProtocolError('job info has no id');
  if (typeof o.state !== 'string' || !(JOB_STATES as readonly string[]).includes(o.state)) {
    throw new ProtocolError(`job ${o.id} reports state ${JSON.stringify(o.state)}, which is none of ${JOB_STATES.join(', ')}`, { jobId: o.id });
  }
  const ops = kind === 'ingest' ? INGEST_OPS : QUERY_OPS;
  if (typeof o.operation === 'string' && !ops.includes(o.operation)) {
    throw new ProtocolError(`job ${o.id} has operation ${o.operation}, not a ${kind} operation`, { jobId: o.id });
  }
  const apiVersion = typeof o.apiVersion === 'number' ? o.apiVersion : Number(o.apiVersion);
  return { ...(o as object), apiVersion: Number.isFinite(apiVersion) ? apiVersion : NaN } as JobInfo;
}

/** Salesforce dates (`2026-11-22T14:43:08.000+0000`) as epoch ms; NaN when unreadable. */
export function parseSalesforceDate(s: string | undefined): number {
  if (!s) return NaN;
  return Date.parse(s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
}

/** The `vXX.X` form of a job's apiVersion (62 -> "62.0"). */
export function versionOf(info: { readonly apiVersion: number }, fallback: string): string {
  return Number.isFinite(info.apiVersion) && info.apiVersion > 0 ? info.apiVersion.toFixed(1) : fallback;
}
