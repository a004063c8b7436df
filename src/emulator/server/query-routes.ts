// Bulk API 2.0 query jobs: create, info, abort, delete, list, results by locator, parallel resultPages.
import { createdJobJson, jobInfoJson, patchedJobJson } from './job-json.js';
import { canMove, isTerminal } from '../jobs/job-state.js';
import type { QueryJob, QueryOperation } from '../jobs/types.js';
import { csvFormatOf } from './csv-format.js';
import { compileQuery, decodeLocator, encodeLocator } from '../query/index.js';
import { SoqlError } from '../soql/index.js';
import { readJson } from './body.js';
import type { RequestContext } from './context.js';
import { listJobs } from './job-list.js';
import { ApiError, notFound, send, sendCsv, sendJson } from './respond.js';

const MIN_QUERY_VERSION = 47;
const MIN_RESULT_PAGES_VERSION = 58;
const RESULT_URLS_PER_CALL = 5;

function requireQueryVersion(v: number): void {
  if (v < MIN_QUERY_VERSION) throw notFound();
}

export async function createQueryJob(ctx: RequestContext, v: number): Promise<void> {
  requireQueryVersion(v);
  const body = (await readJson(ctx.req)) as Record<string, unknown> | null;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  const operation = body.operation as QueryOperation;
  if (operation !== 'query' && operation !== 'queryAll') {
    throw new ApiError(400, 'INVALIDJOB', `Invalid operation for a query job: ${String(body.operation)}. Use query or queryAll`);
  }
  if (typeof body.query !== 'string' || body.query.trim() === '') {
    throw new ApiError(400, 'INVALIDJOB', 'A query job needs a query');
  }
  if ((body.contentType ?? 'CSV') !== 'CSV') {
    throw new ApiError(400, 'INVALIDJOB', `Unsupported contentType: ${String(body.contentType)}. Only CSV is supported`);
  }
  const { columnDelimiter: delimiter, lineEnding } = csvFormatOf(body);
  let compiled;
  try {
    compiled = compileQuery(ctx.emu.org, body.query, { now: ctx.emu.now });
  } catch (e) {
    if (e instanceof SoqlError) throw new ApiError(400, e.errorCode, e.message);
    throw e;
  }
  if (!ctx.emu.usage.takeQueryJob()) {
    throw new ApiError(400, 'LIMIT_EXCEEDED', `Max bulk v2 query jobs (${ctx.emu.usage.limits.dailyBulkV2QueryJobs}) per 24 hrs has been reached`);
  }
  const now = ctx.emu.now();
  const job: QueryJob = {
    kind: 'query',
    id: ctx.emu.jobs.nextId(),
    operation,
    object: compiled.object.name,
    query: body.query,
    createdById: ctx.emu.org.user.id,
    createdDate: now,
    systemModstamp: now,
    state: 'UploadComplete',
    apiVersion: v,
    lineEnding,
    columnDelimiter: delimiter,
    retries: 0,
    totalProcessingTime: 0,
    numberRecordsProcessed: 0,
  };
  ctx.emu.jobs.add(job);
  ctx.note.jobId = job.id;
  ctx.emu.processor.startQuery(job, compiled);
  sendJson(ctx.req, ctx.res, 200, createdJobJson(job));
}

function jobOr404(ctx: RequestContext, id: string): QueryJob {
  const job = ctx.emu.jobs.query(id);
  if (!job) throw notFound();
  ctx.note.jobId = job.id;
  return job;
}

export function getQueryJob(ctx: RequestContext, v: number, id: string): void {
  requireQueryVersion(v);
  sendJson(ctx.req, ctx.res, 200, jobInfoJson(jobOr404(ctx, id)));
}

export async function patchQueryJob(ctx: RequestContext, v: number, id: string): Promise<void> {
  requireQueryVersion(v);
  const job = jobOr404(ctx, id);
  const body = (await readJson(ctx.req)) as { state?: unknown } | null;
  const state = body && typeof body === 'object' ? body.state : undefined;
  ctx.note.state = String(state);
  if (state !== 'Aborted') {
    throw new ApiError(400, 'INVALIDJOBSTATE', `Invalid state for a query job update: ${String(state)}. Only Aborted is allowed`);
  }
  if (!canMove(job.state, 'Aborted')) {
    const word = job.state === 'JobComplete' ? 'Completed' : job.state;
    throw new ApiError(400, 'INVALIDJOBSTATE', `Aborting already ${word} Job not allowed`);
  }
  ctx.emu.processor.abortQuery(job);
  sendJson(ctx.req, ctx.res, 200, patchedJobJson(job));
}

export function deleteQueryJob(ctx: RequestContext, v: number, id: string): void {
  requireQueryVersion(v);
  const job = jobOr404(ctx, id);
  if (!isTerminal(job.state)) {
    throw new ApiError(400, 'API_ERROR', 'Error encountered when deleting the job because the job is not terminated');
  }
  ctx.emu.processor.forget(job.id);
  ctx.emu.jobs.delete(job.id);
  send(ctx.req, ctx.res, 204, null);
}

export function listQueryJobs(ctx: RequestContext, v: number): void {
  requireQueryVersion(v);
  listJobs(ctx, v, 'query');
}

function completedResult(ctx: RequestContext, v: number, id: string) {
  const job = jobOr404(ctx, id);
  if (job.apiVersion !== v) {
    throw new ApiError(409, 'INVALIDJOBSTATE', `The API version of the request (${v}.0) does not match the job's API version (${job.apiVersion.toFixed(1)}). Use v${job.apiVersion.toFixed(1)}`);
  }
  if (job.state !== 'JobComplete') {
    throw new ApiError(400, 'INVALIDJOBSTATE', `Results are only available for a completed job; this job's state is ${job.state}`);
  }
  const result = ctx.emu.processor.queryResult(job);
  if (!result) throw notFound();
  return { job, result };
}

function offsetOf(ctx: RequestContext, count: number): number {
  const locator = ctx.query.get('locator');
  if (locator === null || locator === '') return 0;
  const offset = decodeLocator(locator);
  if (offset === undefined || offset > count) {
    throw new ApiError(400, 'INVALID_QUERY_LOCATOR', `Invalid locator: ${locator}`);
  }
  return offset;
}

export async function getQueryResults(ctx: RequestContext, v: number, id: string): Promise<void> {
  requireQueryVersion(v);
  const { job, result } = completedResult(ctx, v, id);
  const offset = offsetOf(ctx, result.count);
  let max = ctx.emu.limits.defaultPageRecords;
  const raw = ctx.query.get('maxRecords');
  if (raw !== null) {
    if (!/^\d+$/.test(raw) || Number(raw) < 1) {
      throw new ApiError(400, 'INVALIDJOB', `maxRecords must be a positive integer, not ${raw}`);
    }
    max = Number(raw);
  }
  const rows = Math.max(0, Math.min(max, result.count - offset));
  const usage = ctx.emu.usage;
  const chunks = result.pageChunks(offset, rows, { columnDelimiter: job.columnDelimiter, lineEnding: job.lineEnding }, true);
  const counted = (function* () {
    for (const c of chunks) {
      usage.queryFileStorageBytes += c.length;
      yield c;
    }
  })();
  const next = offset + rows;
  await sendCsv(ctx.req, ctx.res, counted, {
    'Sforce-Locator': next < result.count ? encodeLocator(next) : 'null',
    'Sforce-NumberOfRecords': rows,
  });
}

/** GET resultPages (58.0+): up to five result URLs a call, then nextRecordsUrl until done. */
export function getResultPages(ctx: RequestContext, v: number, id: string): void {
  requireQueryVersion(v);
  if (v < MIN_RESULT_PAGES_VERSION) throw notFound();
  const { job, result } = completedResult(ctx, v, id);
  const size = ctx.emu.limits.defaultPageRecords;
  let offset = offsetOf(ctx, result.count);
  const base = `/services/data/v${v}.0/jobs/query/${job.id}`;
  const resultPages: { resultUrl: string }[] = [];
  do {
    resultPages.push({ resultUrl: offset === 0 ? `${base}/results` : `${base}/results?locator=${encodeLocator(offset)}` });
    offset += size;
  } while (resultPages.length < RESULT_URLS_PER_CALL && offset < result.count);
  const done = offset >= result.count;
  sendJson(ctx.req, ctx.res, 200, {
    resultPages,
    nextRecordsUrl: done ? null : `${base}/resultpages?locator=${encodeLocator(offset)}`,
    done,
  });
}
