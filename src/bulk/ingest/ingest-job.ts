// Ingest jobs: create (JSON, or multipart with the data for small payloads), upload one CSV, close,
// abort, delete, info, list, wait, and the three result sets streamed as rows.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CsvRows, type FailedResultRow, type SuccessfulResultRow, type UnprocessedRow } from '../csv/csv-rows.js';
import { InvalidInputError, InvalidStateError, SalesforceError, UploadInterruptedError, withJob } from '../errors.js';
import { discard, type HttpResponse, type RequestBody } from '../http/transport.js';
import { createJobOnce, findUnclaimedJobs } from '../jobs/create-once.js';
import { bodyError, type CallOptions, type JobContext } from '../jobs/job-context.js';
import { JobCollection, JobHandle } from '../jobs/job-handle.js';
import { parseJobInfo, type IngestJobInfo, type IngestJobSpec, type JobState } from '../jobs/job-info.js';
import { pollUntilTerminal, type PollOptions } from '../jobs/poll.js';
import { refetchingBody } from '../jobs/refetching-body.js';
import { spoolToFile, type SpooledFile } from './spool.js';

/**
 * Where an upload's bytes come from. Files and in-memory data are re-read on every attempt; a stream is
 * first spooled to a temporary file, so a retried upload never sends a spent stream.
 */
export type UploadSource = { readonly file: string } | { readonly data: string | Buffer } | { readonly stream: Readable };

/** Raw CSV per job: 150 MB after Salesforce's base64 conversion, so at most 100 MB of CSV. */
export const MAX_UPLOAD_BYTES = 100_000_000;
/** The CSV part of a multipart job create holds at most this many characters. */
export const MAX_MULTIPART_CSV_CHARS = 100_000;

export type IngestResultKind = 'successfulResults' | 'failedResults' | 'unprocessedrecords';

export class IngestJobs extends JobCollection<'ingest', IngestJob> {
  constructor(ctx: JobContext) {
    super(ctx, 'ingest');
  }

  protected handle(info: IngestJobInfo | undefined, id?: string): IngestJob {
    return new IngestJob(this.ctx, info, id);
  }

  /** Creates an `Open` job; never creates two when the reply is lost (see jobs/create-once.ts). */
  async create(spec: IngestJobSpec, options: CallOptions = {}): Promise<IngestJob> {
    validateSpec(spec);
    const raw = await createJobOnce(this.ctx.session, {
      kind: 'ingest',
      object: spec.object,
      operation: spec.operation,
      body: JSON.stringify({ contentType: 'CSV', ...spec }),
      contentType: 'application/json; charset=UTF-8',
      freshStates: ['Open'],
      clientName: this.ctx.clientName,
      signal: options.signal,
    }, this.ctx.createTuning);
    return this.handle(parseJobInfo(raw, 'ingest'));
  }

  /** The server's clock as this client estimates it (ms): record it before a create to find its job later. */
  serverNow(): number {
    return this.ctx.session.serverNow();
  }

  /**
   * `Open` jobs for this object and operation that this user created at or after `sentAtMs` (see serverNow) and
   * this client does not know: what a create left behind when its caller died before reading the reply.
   */
  async findUnclaimed(spec: Pick<IngestJobSpec, 'object' | 'operation'>, sentAtMs: number, options: CallOptions = {}): Promise<IngestJobInfo[]> {
    const found = await findUnclaimedJobs(this.ctx.session, { kind: 'ingest', object: spec.object, operation: spec.operation, freshStates: ['Open'], signal: options.signal }, sentAtMs, this.ctx.createTuning);
    return found as IngestJobInfo[];
  }

  /**
   * Creates a job with its data in one multipart request (≤ 100,000 CSV characters); the job starts
   * `UploadComplete`, with no upload or close to do.
   */
  async createWithData(spec: IngestJobSpec, csv: string | Buffer, options: CallOptions = {}): Promise<IngestJob> {
    validateSpec(spec);
    const chars = typeof csv === 'string' ? csv.length : utf8Chars(csv);
    if (chars > MAX_MULTIPART_CSV_CHARS) {
      throw new InvalidInputError(`a multipart job create holds at most ${MAX_MULTIPART_CSV_CHARS} CSV characters; this CSV has ${chars}: create the job and upload instead`);
    }
    if (chars === 0) throw new InvalidInputError('the CSV is empty');
    const text = typeof csv === 'string' ? csv : csv.toString('utf8');
    let boundary: string;
    do boundary = `----sfbulk${randomBytes(16).toString('hex')}`;
    while (text.includes(boundary));
    const body = multipartBody(boundary, JSON.stringify({ contentType: 'CSV', ...spec }), text);
    const raw = await createJobOnce(this.ctx.session, {
      kind: 'ingest',
      object: spec.object,
      operation: spec.operation,
      body,
      contentType: `multipart/form-data; boundary=${boundary}`,
      freshStates: ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed'],
      clientName: this.ctx.clientName,
      signal: options.signal,
    }, this.ctx.createTuning);
    return this.handle(parseJobInfo(raw, 'ingest'));
  }

  /**
   * Create, upload and close in one call: multipart when the data is small enough, else a staged upload.
   * An upload cut off mid-way (job aborted before processing) is done again once in a new job.
   */
  async load(spec: IngestJobSpec, source: UploadSource, options: CallOptions & { readonly multipart?: boolean } = {}): Promise<IngestJob> {
    if ('data' in source && options.multipart !== false) {
      const chars = typeof source.data === 'string' ? source.data.length : utf8Chars(source.data);
      if (chars <= MAX_MULTIPART_CSV_CHARS) return this.createWithData(spec, source.data, options);
    }
    let spooled: SpooledFile | undefined;
    let stable: UploadSource = source;
    if ('stream' in source) {
      spooled = await spoolToFile(source.stream, { dir: this.ctx.tempDir, signal: options.signal, name: 'upload.csv' });
      stable = { file: spooled.path };
    }
    try {
      for (let round = 0; ; round++) {
        const job = await this.create(spec, options);
        try {
          await job.upload(stable, options);
        } catch (e) {
          if (e instanceof UploadInterruptedError && round === 0) {
            this.ctx.session.logger.log('warn', `${e.message}; retrying in a new job`);
            continue;
          }
          throw e;
        }
        await job.close(options);
        return job;
      }
    } finally {
      await spooled?.remove();
    }
  }
}

export class IngestJob extends JobHandle<'ingest'> {
  constructor(ctx: JobContext, info: IngestJobInfo | undefined, id?: string) {
    super(ctx, 'ingest', info, id);
  }

  get state(): JobState | undefined {
    return this.infoValue?.state;
  }

  /**
   * Uploads the job's CSV (one upload per job). The bytes are re-read from their file or buffer on every
   * attempt. If an interrupted upload cannot be re-sent because part of it arrived, the job is aborted
   * (nothing was processed) and UploadInterruptedError is thrown.
   */
  async upload(source: UploadSource, options: CallOptions = {}): Promise<void> {
    let spooled: SpooledFile | undefined;
    let body: RequestBody;
    if ('stream' in source) {
      spooled = await spoolToFile(source.stream, { dir: this.ctx.tempDir, signal: options.signal, name: 'upload.csv' });
      body = { file: spooled.path };
    } else if ('file' in source) {
      body = { file: source.file };
    } else {
      body = source.data;
    }
    try {
      const bytes = typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : statSync(body.file).size;
      if (bytes === 0) throw new InvalidInputError(`job ${this.id}: the upload is empty (a CSV needs at least a header row)`, { jobId: this.id });
      if (bytes > MAX_UPLOAD_BYTES) {
        throw new InvalidInputError(`job ${this.id}: the upload is ${bytes} bytes; one job takes at most ${MAX_UPLOAD_BYTES} bytes of CSV: split it across several jobs`, { jobId: this.id });
      }
      const s = this.ctx.session;
      const path = this.infoValue?.contentUrl ? `/${this.infoValue.contentUrl.replace(/^\/+/, '')}` : s.dataPath(`jobs/ingest/${this.id}/batches/`);
      try {
        const res = await s.request({ method: 'PUT', path, headers: { 'content-type': 'text/csv' }, body, idempotent: true, signal: options.signal });
        await discard(res);
      } catch (e) {
        if (isDuplicateUploadRefusal(e)) {
          if ((e.attempts ?? 1) > 1) {
            // Our own first send reached Salesforce before its reply was lost: the job holds part of the data.
            await this.abort(options).catch(() => undefined);
            throw new UploadInterruptedError(this.id, e);
          }
          throw new InvalidStateError(`job ${this.id} already holds an upload; Salesforce takes one upload per job: upload the next chunk to a new job (${e.message})`, {
            jobId: this.id,
            status: e.status,
            errorCode: e.errorCode,
            request: e.request,
            attempts: e.attempts,
            cause: e,
          });
        }
        throw withJob(e, this.id);
      }
    } finally {
      await spooled?.remove();
    }
  }

  /** Marks the upload complete so Salesforce starts processing. */
  async close(options: CallOptions = {}): Promise<IngestJobInfo> {
    return this.setState('UploadComplete', options);
  }

  /**
   * Polls until the job is terminal (JobComplete, Failed or Aborted) and returns its info. Failed and
   * Aborted jobs are returned, not thrown: their rows are in failedResults/unprocessedrecords.
   * A wait that exceeds the timeout throws PollTimeoutError (outcome unknown).
   */
  async waitForCompletion(options: Partial<PollOptions> = {}): Promise<IngestJobInfo> {
    return pollUntilTerminal(this.id, (signal) => this.refresh({ signal }), { ...this.ctx.poll, ...options });
  }

  /** Rows loaded: `sf__Id`, `sf__Created`, then the uploaded columns. */
  successfulResults(options: CallOptions = {}): Promise<CsvRows<SuccessfulResultRow>> {
    return this.results<SuccessfulResultRow>('successfulResults', options);
  }

  /** Rows refused: `sf__Id`, `sf__Error`, then the uploaded columns. */
  failedResults(options: CallOptions = {}): Promise<CsvRows<FailedResultRow>> {
    return this.results<FailedResultRow>('failedResults', options);
  }

  /** Rows never attempted (job Failed or Aborted): the uploaded columns. */
  unprocessedRecords(options: CallOptions = {}): Promise<CsvRows<UnprocessedRow>> {
    return this.results<UnprocessedRow>('unprocessedrecords', options);
  }

  /**
   * A result set as a decompressed CSV byte stream (to write to a file as it arrives). A body cut off
   * mid-way is fetched again and continues after the bytes already delivered (see jobs/refetching-body.ts).
   */
  async resultBody(kind: IngestResultKind, options: CallOptions = {}): Promise<Readable> {
    const s = this.ctx.session;
    const path = this.path(`${kind}/`);
    const fetch = async (): Promise<HttpResponse> => {
      try {
        return await s.request({ method: 'GET', path, headers: { accept: 'text/csv', 'accept-encoding': 'gzip' }, signal: options.signal });
      } catch (e) {
        throw withJob(e, this.id);
      }
    };
    const first = await fetch();
    return refetchingBody(first, { ctx: this.ctx, jobId: this.id, ref: { method: 'GET', path }, refetch: fetch, signal: options.signal });
  }

  private async results<R extends UnprocessedRow>(kind: IngestResultKind, options: CallOptions): Promise<CsvRows<R>> {
    const body = await this.resultBody(kind, options);
    const ref = { method: 'GET', path: this.path(`${kind}/`) };
    return new CsvRows<R>(body, {
      columnDelimiter: this.infoValue?.columnDelimiter,
      mapError: (e) => bodyError(this.ctx, e, ref, this.id),
    });
  }
}

/**
 * Salesforce takes one upload per job and refuses a second PUT with `400 INVALIDJOB` "Found multipe contents
 * for job" (Salesforce's spelling; reference §2 "Error envelope", documented pairs, and §3 "Upload"). This is
 * the one place that reads that message: the refusal has no code of its own.
 */
export function isDuplicateUploadRefusal(e: unknown): e is SalesforceError {
  return e instanceof SalesforceError && e.status === 400 && e.errorCode?.toUpperCase() === 'INVALIDJOB' && /multip\w* contents/i.test(e.message);
}

/** Characters of UTF-8 text (UTF-16 code units, as String.length counts), without decoding it to a string. */
export function utf8Chars(bytes: Buffer): number {
  let units = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if ((b & 0xc0) !== 0x80) units++; // every byte that starts a character
    if (b >= 0xf0) units++; // four-byte characters are two UTF-16 units
  }
  return units;
}

function validateSpec(spec: IngestJobSpec): void {
  if (!spec.object || !/^[A-Za-z][A-Za-z0-9_]*$/.test(spec.object)) throw new InvalidInputError(`"${spec.object}" is not an sObject API name`);
  if (spec.operation === 'upsert' && !spec.externalIdFieldName) {
    throw new InvalidInputError(`an upsert into ${spec.object} needs externalIdFieldName (the external id field to match on)`);
  }
}

function multipartBody(boundary: string, jobJson: string, csv: string): Buffer {
  const crlf = '\r\n';
  return Buffer.from(
    `--${boundary}${crlf}` +
      `Content-Disposition: form-data; name="job"${crlf}` +
      `Content-Type: application/json${crlf}${crlf}` +
      `${jobJson}${crlf}` +
      `--${boundary}${crlf}` +
      `Content-Disposition: form-data; name="content"; filename="content"${crlf}` +
      `Content-Type: text/csv${crlf}${crlf}` +
      `${csv}${crlf}` +
      `--${boundary}--${crlf}`,
    'utf8',
  );
}
