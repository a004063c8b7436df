// One chunk through one ingest job: create -> upload from the spooled file -> UploadComplete -> poll -> the three
// result sets -> reconcile. Every step is written to the ledger first, so the same function resumes a chunk found
// in the ledger after a crash: a job that never got its UploadComplete is aborted (nothing of it was processed)
// and the chunk goes to a new job; a job that did is waited for and reconciled, never sent again. A create's time is
// recorded before it is sent, so a job whose id never reached the ledger is found and aborted by the next run.
import { closeSync, openSync, readSync } from 'node:fs';
import {
  CountMismatchError,
  UploadInterruptedError,
  type BulkClient,
  type IngestJob,
  type IngestJobInfo,
  type IngestJobSpec,
} from '../bulk/index.js';
import type { ChunkRecord, JobLedger, RowOutcome } from './job-ledger.js';
import { rowHash } from './row-hash.js';
import { errorCode } from './failed-rows.js';

/** Row errors worth another job: the row was fine, the moment was not. */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_LOCK_ROW',
  'API_TEMPORARILY_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'SERVER_UNAVAILABLE',
  'UNPROCESSED',
]);

/** Whether a row's `sf__Error` (`CODE:message:fields --`) is worth another job. */
export function isTransientRowError(sfError: string): boolean {
  return TRANSIENT_ERROR_CODES.has(errorCode(sfError));
}

export interface ChunkJobHooks {
  /** Before a job is created (the quota guard); throws to stop. */
  beforeCreate(): Promise<void>;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
  onPhase?(chunk: ChunkRecord, phase: string, jobId?: string): void;
  readonly signal?: AbortSignal;
}

export interface ReconcileCounts {
  readonly jobId: string;
  readonly state: IngestJobInfo['state'];
  readonly ok: number;
  readonly failed: number;
  readonly transient: number;
  readonly lockErrors: number;
}

/** The chunk's CSV header (its first line). */
export function chunkHeader(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const end = text.search(/\r?\n/);
    return (end < 0 ? text : text.slice(0, end)).split(',');
  } finally {
    closeSync(fd);
  }
}

function specOf(chunk: ChunkRecord): IngestJobSpec {
  return {
    object: chunk.object,
    operation: chunk.operation as IngestJobSpec['operation'],
    lineEnding: chunk.lineEnding,
    columnDelimiter: 'COMMA',
    ...(chunk.externalId ? { externalIdFieldName: chunk.externalId } : {}),
  } as IngestJobSpec;
}

export type ChunkJobResult = { readonly kind: 'reconciled'; readonly counts: ReconcileCounts } | { readonly kind: 'unsent'; readonly jobId: string };

/**
 * Runs the chunk's job to a terminal state and reconciles its results into the ledger. A chunk found with a job
 * (after a crash) is reattached: if the job never got its UploadComplete it is aborted and the result is `unsent`
 * (nothing of it was processed); otherwise it is waited for and reconciled, never sent again.
 */
export async function runChunkJob(client: BulkClient, ledger: JobLedger, chunkId: number, hooks: ChunkJobHooks): Promise<ChunkJobResult> {
  let chunk = ledger.chunk(chunkId);
  let job: IngestJob;
  if (chunk.phase === 'job_created' || chunk.phase === 'closed') {
    job = client.ingest.job(chunk.jobId!);
    const now = await job.refresh({ signal: hooks.signal });
    if (now.state === 'Open') {
      hooks.log('info', `job ${job.id} (chunk ${chunk.id}) was left Open by an earlier run: aborting it; none of its rows were processed`);
      await job.abort({ signal: hooks.signal });
      return { kind: 'unsent', jobId: job.id };
    }
    if (now.state === 'Aborted' && (now.numberRecordsProcessed ?? 0) === 0) return { kind: 'unsent', jobId: job.id };
    hooks.log('info', `reattached to job ${job.id} (chunk ${chunk.id}, ${now.state})`);
  } else {
    for (let round = 0; ; round++) {
      await hooks.beforeCreate();
      // The intent first: a kill after Salesforce created the job but before its id reached the ledger leaves an
      // Open job the next run can only find by when it was created.
      ledger.recordCreateIntent(chunk, client.ingest.serverNow());
      job = await client.ingest.create(specOf(chunk), { signal: hooks.signal });
      ledger.setCreatedJob(chunk.id, job.id);
      chunk = ledger.chunk(chunk.id);
      hooks.onPhase?.(chunk, 'created', job.id);
      try {
        hooks.onPhase?.(chunk, 'uploading', job.id);
        await job.upload({ file: chunk.csvPath }, { signal: hooks.signal });
        hooks.onPhase?.(chunk, 'uploaded', job.id);
        await job.close({ signal: hooks.signal });
      } catch (e) {
        // Cut off mid-upload and refused on resend: the job was aborted before processing, so a new job is safe.
        if (e instanceof UploadInterruptedError && round === 0) {
          hooks.log('warn', `${e.message}; sending chunk ${chunk.id} in a new job`);
          continue;
        }
        if (hooks.signal?.aborted) await abortUnclosed(job, ledger, chunk, hooks);
        throw e;
      }
      ledger.setPhase(chunk.id, 'closed');
      hooks.onPhase?.(chunk, 'closed', job.id);
      break;
    }
  }
  hooks.onPhase?.(chunk, 'polling', job.id);
  const info = await job.waitForCompletion({ signal: hooks.signal });
  hooks.onPhase?.(chunk, 'terminal', job.id);
  const counts = await reconcile(job, info, ledger, chunk);
  hooks.onPhase?.(chunk, 'reconciled', job.id);
  return { kind: 'reconciled', counts };
}

/**
 * Interrupted (`on_interrupt: abort`) before UploadComplete: nothing of the job was processed, so it is aborted now
 * rather than left Open, and the ledger takes the chunk back as unsent (input rows come again with the input, retry
 * rows wait as pending). When the abort itself fails, the job stays in the ledger and the next run deals with it.
 */
async function abortUnclosed(job: IngestJob, ledger: JobLedger, chunk: ChunkRecord, hooks: ChunkJobHooks): Promise<void> {
  try {
    await job.abort();
  } catch (e) {
    const now = await job.refresh().catch(() => undefined);
    if (now?.state !== 'Aborted') {
      hooks.log('warn', `interrupted: could not abort job ${job.id} (chunk ${chunk.id}): ${(e as Error).message}; the next run will`);
      return;
    }
  }
  ledger.setJob(chunk.id, null, chunk.attempt === 1 ? 'spooled' : 'pending');
  hooks.log('info', `interrupted: aborted job ${job.id} before UploadComplete; its ${chunk.rows} rows (chunk ${chunk.id}) are sent again by the next run`);
}

/**
 * An earlier run sent job creates and was killed before their answers reached the ledger: each job they created is
 * Open, empty (nothing is uploaded before a job's id is recorded) and known to nobody. Found through the client's
 * create-once matching (this user, same object and operation, created since the intent, Open, unknown) and aborted,
 * so no job is left Open; their chunks go to new jobs as usual. Runs once, before any chunk is resumed.
 */
export async function abortLeftoverJobs(client: BulkClient, ledger: JobLedger, hooks: Pick<ChunkJobHooks, 'log' | 'signal'>): Promise<void> {
  for (const intent of ledger.createIntents()) {
    const spec = { object: intent.object, operation: intent.operation as IngestJobSpec['operation'] };
    for (const found of await client.ingest.findUnclaimed(spec, intent.sentAt, { signal: hooks.signal })) {
      if (ledger.holdsJob(found.id)) continue;
      hooks.log('info', `job ${found.id} (${found.object} ${found.operation}) was created by an earlier run that stopped before recording it (chunk ${intent.chunkId}): aborting it; it holds no rows`);
      const job = client.ingest.job(found.id);
      try {
        await job.abort({ signal: hooks.signal });
      } catch (e) {
        if ((await job.refresh({ signal: hooks.signal })).state === 'Open') throw e;
      }
    }
    ledger.clearCreateIntent(intent.chunkId);
  }
}

// Result rows written to the ledger per transaction. Small on purpose: rows held longer than a young-generation
// collection or two are promoted, and the old generation then grows with garbage before it is swept.
const RESULTS_PER_WRITE = 1000;

/**
 * Reads the three result sets and gives every row of the chunk exactly one outcome. Successful + failed +
 * unprocessed must equal the rows uploaded, and every result row must match an uploaded row: anything else is a
 * CountMismatchError naming the job.
 */
async function reconcile(job: IngestJob, info: IngestJobInfo, ledger: JobLedger, chunk: ChunkRecord): Promise<ReconcileCounts> {
  const header = chunkHeader(chunk.csvPath);
  ledger.indexRows(chunk.id);
  ledger.startResults(chunk.id);
  const counts = { ok: 0, failed: 0, transient: 0, lockErrors: 0 };
  let batch: { hash: string; outcome: RowOutcome; error: string | null }[] = [];
  const apply = (): void => {
    ledger.addResults(chunk.id, batch);
    batch = [];
  };
  const add = (cells: string[], outcome: RowOutcome, error: string | null): void => {
    batch.push({ hash: rowHash(cells), outcome, error });
    if (batch.length >= RESULTS_PER_WRITE) apply();
  };
  const cellsOf = (row: Readonly<Record<string, string>>): string[] => header.map((h) => row[h] ?? '');
  for await (const r of await job.successfulResults()) {
    counts.ok++;
    add(cellsOf(r), 'ok', null);
  }
  for await (const r of await job.failedResults()) {
    const code = errorCode(r.sf__Error);
    if (code === 'UNABLE_TO_LOCK_ROW') counts.lockErrors++;
    if (isTransientRowError(r.sf__Error)) {
      counts.transient++;
      add(cellsOf(r), 'transient', r.sf__Error);
    } else {
      counts.failed++;
      add(cellsOf(r), 'failed', r.sf__Error);
    }
  }
  let unprocessed = 0;
  for await (const r of await job.unprocessedRecords()) {
    unprocessed++;
    counts.transient++;
    add(cellsOf(r), 'transient', `UNPROCESSED:job ${job.id} ended ${info.state} before processing this row${info.errorMessage ? ` (${info.errorMessage})` : ''}`);
  }
  apply();
  const { stray, unmatched: left } = ledger.finishResults(chunk.id);
  const total = counts.ok + counts.failed + counts.transient;
  const expected = chunk.rows - (ledger.outcomeCounts(chunk.id).skipped ?? 0);
  if (stray > 0) throw new CountMismatchError(job.id, `${stray} result rows match no uploaded row of chunk ${chunk.id}`, expected, total);
  if (total !== expected) throw new CountMismatchError(job.id, `successful ${counts.ok} + failed ${counts.failed + counts.transient - unprocessed} + unprocessed ${unprocessed} (chunk ${chunk.id})`, expected, total);
  const processed = info.numberRecordsProcessed ?? 0;
  if (counts.ok + counts.failed + counts.transient - unprocessed !== processed) {
    throw new CountMismatchError(job.id, `result rows against numberRecordsProcessed`, processed, counts.ok + counts.failed + counts.transient - unprocessed);
  }
  if (left) throw new CountMismatchError(job.id, `${left} uploaded rows of chunk ${chunk.id} have no outcome`, expected, expected - left);
  return { jobId: job.id, state: info.state, ...counts };
}
