// The JSON shapes Salesforce answers with for a job, field for field and in Salesforce's key order.
import type { IngestJob, Job, QueryJob } from '../jobs/types.js';
import { formatJsonDateTime } from './respond.js';

type Json = Record<string, unknown>;

function head(job: Job): Json {
  const o: Json = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatJsonDateTime(job.createdDate),
    systemModstamp: formatJsonDateTime(job.systemModstamp),
    state: job.state,
  };
  if (job.kind === 'ingest' && job.externalIdFieldName !== undefined) o.externalIdFieldName = job.externalIdFieldName;
  o.concurrencyMode = 'Parallel';
  o.contentType = 'CSV';
  o.apiVersion = job.apiVersion;
  return o;
}

function contentUrl(job: IngestJob): string {
  return `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`;
}

/** Answer to a job create (POST). Multipart creates answer UploadComplete without contentUrl. */
export function createdJobJson(job: Job): Json {
  const o = head(job);
  if (job.kind === 'ingest' && job.state === 'Open') o.contentUrl = contentUrl(job);
  o.lineEnding = job.lineEnding;
  o.columnDelimiter = job.columnDelimiter;
  if (job.kind === 'ingest' && job.assignmentRuleId) o.assignmentRuleId = job.assignmentRuleId;
  return o;
}

/** Answer to PATCH (close/abort): the short JobInfo. */
export function patchedJobJson(job: Job): Json {
  return head(job);
}

/** Answer to GET of one job: the full JobInfo with counters. */
export function jobInfoJson(job: Job): Json {
  const o = head(job);
  if (job.kind === 'ingest' && job.state === 'Open') o.contentUrl = contentUrl(job);
  if (job.kind === 'ingest' && job.assignmentRuleId) o.assignmentRuleId = job.assignmentRuleId;
  o.jobType = job.kind === 'ingest' ? 'V2Ingest' : 'V2Query';
  o.lineEnding = job.lineEnding;
  o.columnDelimiter = job.columnDelimiter;
  if (job.kind === 'ingest') {
    o.numberRecordsProcessed = job.numberRecordsProcessed;
    o.numberRecordsFailed = job.numberRecordsFailed;
    o.retries = job.retries;
    o.totalProcessingTime = job.totalProcessingTime;
    o.apiActiveProcessingTime = job.apiActiveProcessingTime;
    o.apexProcessingTime = job.apexProcessingTime;
  } else {
    o.numberRecordsProcessed = (job as QueryJob).numberRecordsProcessed;
    o.retries = job.retries;
    o.totalProcessingTime = job.totalProcessingTime;
    o.isPkChunkingSupported = isPkChunkable(job as QueryJob);
  }
  if (job.state === 'Failed' && job.errorMessage !== undefined) o.errorMessage = job.errorMessage;
  return o;
}

/** A record of the job list: short JobInfo plus jobType and the CSV format, no counters. */
export function listedJobJson(job: Job): Json {
  const o = head(job);
  o.jobType = job.kind === 'ingest' ? 'V2Ingest' : 'V2Query';
  o.lineEnding = job.lineEnding;
  o.columnDelimiter = job.columnDelimiter;
  return o;
}

/** Salesforce chunks by primary key on its own unless the query has ORDER BY or LIMIT. */
function isPkChunkable(job: QueryJob): boolean {
  return !/\b(order\s+by|limit)\b/i.test(job.query);
}
