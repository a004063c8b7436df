// Bulk API 2.0 ingest jobs: create (JSON or multipart), upload, close/abort, info, list, delete, results.
import { INGEST_OPERATIONS } from '../jobs/types.js';
import type { IngestJob, IngestOperation } from '../jobs/types.js';
import { csvFormatOf } from './csv-format.js';
import { createdJobJson, jobInfoJson, patchedJobJson } from './job-json.js';
import { canMove, isTerminal, moveJob } from '../jobs/job-state.js';
import type { IngestResultSet } from '../jobs/processor.js';
import { checkJobSpec, DELIMITER_CHARS, scanIfReadable } from '../ingest/index.js';
import { BodyTooLarge, readBody, readJson } from './body.js';
import type { RequestContext } from './context.js';
import { listJobs } from './job-list.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { ApiError, notFound, send, sendCsv, sendJson } from './respond.js';

const MIN_INGEST_VERSION = 41;

export function requireIngestVersion(v: number): void {
  if (v < MIN_INGEST_VERSION) throw notFound();
}

interface JobRequest {
  object?: unknown;
  operation?: unknown;
  externalIdFieldName?: unknown;
  contentType?: unknown;
  columnDelimiter?: unknown;
  lineEnding?: unknown;
  assignmentRuleId?: unknown;
}

function invalidJob(message: string): ApiError {
  return new ApiError(400, 'INVALIDJOB', message);
}

/** Validates a create request the way Salesforce does, naming the field at fault. */
function newIngestJob(ctx: RequestContext, v: number, body: unknown): IngestJob {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  const r = body as JobRequest;
  const known = ['object', 'operation', 'externalIdFieldName', 'contentType', 'columnDelimiter', 'lineEnding', 'assignmentRuleId'];
  for (const k of Object.keys(r)) {
    if (!known.includes(k)) throw new ApiError(400, 'JSON_PARSER_ERROR', `Unrecognized field "${k}"`);
  }
  if (typeof r.operation !== 'string' || !INGEST_OPERATIONS.includes(r.operation as IngestOperation)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize value of type OperationEnum from String "${String(r.operation)}": value not one of declared Enum instance names: [insert, upsert, update, delete, hardDelete]`);
  }
  if (typeof r.object !== 'string' || r.object === '') throw invalidJob('Object is required for an ingest job');
  const contentType = r.contentType ?? 'CSV';
  if (contentType !== 'CSV') throw invalidJob(`Unsupported contentType: ${String(contentType)}. Only CSV is supported`);
  const { columnDelimiter: delimiter, lineEnding } = csvFormatOf(r);
  const operation = r.operation as IngestOperation;
  if (operation !== 'upsert' && r.externalIdFieldName !== undefined) {
    throw invalidJob('externalIdFieldName is only valid for upsert jobs');
  }
  if (r.externalIdFieldName !== undefined && typeof r.externalIdFieldName !== 'string') {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'externalIdFieldName must be a string');
  }
  const org = ctx.emu.org;
  const problem = checkJobSpec(org, { object: r.object, operation, externalIdFieldName: r.externalIdFieldName as string | undefined }, org.settings.hardDeleteAllowed);
  if (problem) throw new ApiError(problem.status, problem.errorCode, problem.message);
  const type = org.type(r.object)!;
  const externalIdFieldName = operation === 'upsert' ? type.field(r.externalIdFieldName as string)?.name : undefined;
  if (r.assignmentRuleId !== undefined && typeof r.assignmentRuleId !== 'string') {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'assignmentRuleId must be a string');
  }
  const now = ctx.emu.now();
  return {
    kind: 'ingest',
    id: ctx.emu.jobs.nextId(),
    operation,
    object: type.name,
    createdById: ctx.emu.org.user.id,
    createdDate: now,
    systemModstamp: now,
    state: 'Open',
    externalIdFieldName,
    assignmentRuleId: r.assignmentRuleId as string | undefined,
    apiVersion: v,
    lineEnding,
    columnDelimiter: delimiter,
    retries: 0,
    totalProcessingTime: 0,
    numberRecordsProcessed: 0,
    numberRecordsFailed: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
  };
}

/**
 * Keeps an upload on its job, scanned once by the ingest engine's own scanner (its processing reuses the scan),
 * and notes its records for the request log: the rows the job will process, 0 when the CSV cannot be read.
 */
function keepUpload(ctx: RequestContext, job: IngestJob, data: Buffer): void {
  job.data = data;
  job.scanned = scanIfReadable(data, job.columnDelimiter, job.lineEnding);
  ctx.note.records = job.scanned?.count ?? 0;
}

export async function createIngestJob(ctx: RequestContext, v: number): Promise<void> {
  requireIngestVersion(v);
  const contentType = String(ctx.req.headers['content-type'] ?? '');
  if (/^multipart\/form-data/i.test(contentType)) return createWithData(ctx, v, contentType);
  if (contentType && !/^application\/json/i.test(contentType)) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content type '${contentType}' is not supported; use application/json or multipart/form-data`);
  }
  const job = newIngestJob(ctx, v, await readJson(ctx.req));
  ctx.emu.jobs.add(job);
  ctx.note.jobId = job.id;
  sendJson(ctx.req, ctx.res, 200, createdJobJson(job));
}

async function createWithData(ctx: RequestContext, v: number, contentType: string): Promise<void> {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new ApiError(400, 'INVALIDJOB', 'multipart/form-data without a boundary');
  const limit = ctx.emu.limits.maxMultipartCsvChars;
  let body: Buffer;
  try {
    body = await readBody(ctx.req, limit * 4 + 65536);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw tooLargeMultipart(limit);
    throw e;
  }
  let parts;
  try {
    parts = parseMultipart(body, boundary);
  } catch (e) {
    throw new ApiError(400, 'INVALIDJOB', `Malformed multipart request: ${(e as Error).message}`);
  }
  const jobPart = parts.find((p) => p.name === 'job');
  const content = parts.find((p) => p.name === 'content');
  if (!jobPart) throw new ApiError(400, 'INVALIDJOB', 'The multipart request has no "job" part');
  if (!content) throw new ApiError(400, 'INVALIDJOB', 'The multipart request has no "content" part');
  let spec: unknown;
  try {
    spec = JSON.parse(jobPart.body.toString('utf8'));
  } catch (e) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Unexpected character in the "job" part: ${(e as Error).message}`);
  }
  if (content.body.toString('utf8').length > limit) throw tooLargeMultipart(limit);
  const job = newIngestJob(ctx, v, spec);
  ctx.note.jobId = job.id;
  keepUpload(ctx, job, Buffer.from(content.body));
  moveJob(job, 'UploadComplete', ctx.emu.now());
  ctx.emu.jobs.add(job);
  ctx.emu.processor.startIngest(job);
  sendJson(ctx.req, ctx.res, 200, createdJobJson(job));
}

function tooLargeMultipart(limit: number): ApiError {
  return new ApiError(400, 'INVALIDJOB', `The multipart request's content exceeds ${limit} characters. Create the job, upload the data with PUT to its contentUrl, then close it.`);
}

function jobOr404(ctx: RequestContext, id: string): IngestJob {
  const job = ctx.emu.jobs.ingest(id);
  if (!job) throw notFound();
  ctx.note.jobId = job.id;
  return job;
}

export async function uploadJobData(ctx: RequestContext, v: number, id: string): Promise<void> {
  requireIngestVersion(v);
  const job = jobOr404(ctx, id);
  const encoding = String(ctx.req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding && encoding !== 'identity') {
    ctx.req.resume();
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Encoding '${encoding}' is not supported for job data; upload uncompressed CSV`);
  }
  const contentType = String(ctx.req.headers['content-type'] ?? '');
  if (!/^text\/csv\b/i.test(contentType)) {
    ctx.req.resume();
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content type '${contentType}' is not supported for job data; use text/csv`);
  }
  if (job.data !== undefined) {
    ctx.req.resume();
    throw new ApiError(400, 'INVALIDJOB', `Found multipe contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`);
  }
  if (job.state !== 'Open') {
    ctx.req.resume();
    throw new ApiError(400, 'INVALIDJOBSTATE', `Job is not Open for data upload; its state is ${job.state}`);
  }
  let data: Buffer;
  try {
    data = await readBody(ctx.req, ctx.emu.limits.maxUploadBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      throw new ApiError(413, 'REQUEST_ENTITY_TOO_LARGE', `The upload exceeds the maximum of ${e.limit} bytes per job. Split the data into several jobs.`);
    }
    throw e;
  }
  if (job.state !== 'Open' || job.data !== undefined) {
    throw new ApiError(400, 'INVALIDJOBSTATE', `Job is not Open for data upload; its state is ${job.state}`);
  }
  keepUpload(ctx, job, data);
  ctx.note.bytesIn = data.length;
  send(ctx.req, ctx.res, 201, null);
}

export async function patchIngestJob(ctx: RequestContext, v: number, id: string): Promise<void> {
  requireIngestVersion(v);
  const job = jobOr404(ctx, id);
  const body = (await readJson(ctx.req)) as { state?: unknown } | null;
  const state = body && typeof body === 'object' ? body.state : undefined;
  ctx.note.state = String(state);
  const now = ctx.emu.now();
  if (state === 'UploadComplete') {
    if (!canMove(job.state, 'UploadComplete')) {
      throw new ApiError(400, 'INVALIDJOBSTATE', `Unable to close the job: its state is ${job.state}, not Open`);
    }
    moveJob(job, 'UploadComplete', now);
    ctx.emu.processor.startIngest(job);
  } else if (state === 'Aborted') {
    if (!canMove(job.state, 'Aborted')) {
      throw new ApiError(400, 'INVALIDJOBSTATE', `Aborting already ${job.state === 'JobComplete' ? 'Completed' : job.state} Job not allowed`);
    }
    await ctx.emu.processor.abortIngest(job);
  } else {
    throw new ApiError(400, 'INVALIDJOBSTATE', `Invalid state for a job update: ${String(state)}. Use UploadComplete or Aborted`);
  }
  sendJson(ctx.req, ctx.res, 200, patchedJobJson(job));
}

export function getIngestJob(ctx: RequestContext, v: number, id: string): void {
  requireIngestVersion(v);
  sendJson(ctx.req, ctx.res, 200, jobInfoJson(jobOr404(ctx, id)));
}

export function deleteIngestJob(ctx: RequestContext, v: number, id: string): void {
  requireIngestVersion(v);
  const job = jobOr404(ctx, id);
  if (job.state === 'Open' || job.state === 'InProgress') {
    throw new ApiError(400, 'INVALIDJOBSTATE', `Unable to delete the job: its state is ${job.state}. Close or abort it first`);
  }
  ctx.emu.processor.forget(job.id);
  ctx.emu.jobs.delete(job.id);
  send(ctx.req, ctx.res, 204, null);
}

export async function getIngestResults(ctx: RequestContext, v: number, id: string, set: IngestResultSet): Promise<void> {
  requireIngestVersion(v);
  const job = jobOr404(ctx, id);
  if (!isTerminal(job.state)) {
    throw new ApiError(400, 'INVALIDJOBSTATE', `Results are not available: the job's state is ${job.state}`);
  }
  const csv = (await ctx.emu.processor.ingestResults(job, set)) ?? resultsOfJobThatNeverRan(job, set);
  await sendCsv(ctx.req, ctx.res, csv);
}

/** A job aborted (or failed) before processing: nothing succeeded or failed; every uploaded row is unprocessed. */
function resultsOfJobThatNeverRan(job: IngestJob, set: IngestResultSet): string {
  const data = job.data?.toString('utf8') ?? '';
  const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
  if (set === 'unprocessedrecords') return data;
  const nl = data.indexOf('\n');
  const header = (nl < 0 ? data : data.slice(0, nl)).replace(/\r$/, '');
  const d = DELIMITER_CHARS[job.columnDelimiter];
  const sf = set === 'successfulResults' ? `"sf__Id"${d}"sf__Created"` : `"sf__Id"${d}"sf__Error"`;
  return header ? `${sf}${d}${header}${eol}` : `${sf}${eol}`;
}

export function listIngestJobs(ctx: RequestContext, v: number): void {
  requireIngestVersion(v);
  listJobs(ctx, v, 'ingest');
}
