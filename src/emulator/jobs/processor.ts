// Asynchronous processing after UploadComplete: queue (UploadComplete) -> InProgress -> terminal.
// Ingest work is done by the ingest engine, queries by the SOQL engine; this module owns timing and states.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Faults } from '../faults.js';
import { IngestRun, LockRegistry } from '../ingest/index.js';
import type { OrgStore } from '../org/types.js';
import type { Rng } from '../rng.js';
import type { CompiledQuery, QueryResult } from '../query/index.js';
import type { Usage } from '../usage.js';
import { HeapCollection } from './heap-collection.js';
import { moveJob, tryMoveJob } from './job-state.js';
import type { IngestJob, JobState, QueryJob } from './types.js';

export interface ProcessorOptions {
  store: () => OrgStore;
  faults: Faults;
  usage: Usage;
  /** Records per second per internal batch worker; 0 = as fast as the machine goes. */
  processingRate: number;
  /** Internal batches processed at the same moment. */
  parallelism: number;
  rng: Rng;
  now: () => number;
}

/** Longest wait for an aborted run's batch in flight before the job reads Aborted anyway. */
const ABORT_SETTLE_MS = 30_000;

export type IngestResultSet = 'successfulResults' | 'failedResults' | 'unprocessedrecords';

export class JobProcessor {
  private readonly runs = new Map<string, IngestRun>();
  /** Settles when a job's run has stopped writing (an aborted run finishes the batch in flight first). */
  private readonly settled = new Map<string, Promise<unknown>>();
  private readonly results = new Map<string, QueryResult>();
  private readonly aborts = new Map<string, AbortController>();
  private readonly closing = new AbortController();
  readonly locks = new LockRegistry();
  private readonly heap = new HeapCollection();

  constructor(private readonly opts: ProcessorOptions) {}

  /** Starts processing a job that just became UploadComplete. Never throws: failures end in job state. */
  startIngest(job: IngestJob): void {
    void this.runIngest(job).catch((e) => this.fail(job, `Unknown : ${(e as Error).message}`));
  }

  private async runIngest(job: IngestJob): Promise<void> {
    const ac = this.jobSignal(job.id);
    const started = this.opts.now();
    if (!(await this.hold(job.id, 'UploadComplete', 'ingest', job.object, ac.signal))) return;
    if (!tryMoveJob(job, 'InProgress', this.opts.now())) return; // aborted while queued
    if (!(await this.hold(job.id, 'InProgress', 'ingest', job.object, ac.signal))) return;
    if (stateOf(job) !== 'InProgress') return;
    const { faults, usage } = this.opts;
    const run = new IngestRun(
      {
        store: this.opts.store(),
        now: this.opts.now,
        processingRate: this.opts.processingRate,
        parallelism: this.opts.parallelism,
        lockFailureRate: faults.lockFailureRate,
        rng: this.opts.rng,
        batchTimesOut: (jobId, batchIndex, attempt) => faults.batchTimesOut(jobId, job.object, batchIndex, attempt),
        consumeIngestAllocation: (n) => usage.takeIngestRecords(n),
        consumeBatchAllocation: () => usage.takeBatch(),
        hardDeleteAllowed: this.opts.store().settings.hardDeleteAllowed,
        locks: this.locks,
        betweenWaves: () => this.heap.maybeCollect(),
      },
      {
        id: job.id,
        object: job.object,
        operation: job.operation,
        externalIdFieldName: job.externalIdFieldName,
        columnDelimiter: job.columnDelimiter,
        lineEnding: job.lineEnding,
      },
      job.data,
      job.scanned,
    );
    this.runs.set(job.id, run);
    const tick = setInterval(() => this.copyProgress(job, run), 50);
    const running = run.start();
    this.settled.set(job.id, running.catch(() => undefined));
    try {
      const outcome = await running;
      this.copyProgress(job, run);
      if (stateOf(job) !== 'InProgress') return;
      job.totalProcessingTime = Math.max(job.totalProcessingTime, this.opts.now() - started);
      if (!tryMoveJob(job, outcome.state, this.opts.now())) return;
      if (outcome.state === 'Failed') job.errorMessage = outcome.errorMessage;
      if (outcome.state === 'Failed' && run.recordCount === 0 && job.data && job.data.length > 0) {
        // The CSV could not be read at all: no row was attempted, so the upload as sent is what is unprocessed.
        this.runs.delete(job.id);
      } else {
        // the run's results hold what is needed from here on
        job.data = undefined;
        job.scanned = undefined;
      }
    } finally {
      clearInterval(tick);
    }
  }

  private copyProgress(job: IngestJob, run: IngestRun): void {
    const p = run.progress;
    job.numberRecordsProcessed = p.numberRecordsProcessed;
    job.numberRecordsFailed = p.numberRecordsFailed;
    job.retries = p.retries;
    job.totalProcessingTime = p.totalProcessingTime;
    job.apiActiveProcessingTime = p.apiActiveProcessingTime;
    job.apexProcessingTime = p.apexProcessingTime;
  }

  private copyProgressOf(job: IngestJob): void {
    const run = this.runs.get(job.id);
    if (run) this.copyProgress(job, run);
  }

  /**
   * Aborts a job. A run in progress finishes the batch in flight first, and the job reads Aborted only once it
   * has stopped (bounded wait), so results, counters and the org no longer move when a client sees Aborted.
   */
  async abortIngest(job: IngestJob): Promise<void> {
    const run = this.runs.get(job.id);
    const settled = this.settled.get(job.id);
    if (run && settled && job.state === 'InProgress') {
      run.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, ABORT_SETTLE_MS)))]);
      clearTimeout(timer);
      this.copyProgress(job, run);
      // runIngest has set the state from the run's outcome (Aborted, or JobComplete if the last batch won)
      tryMoveJob(job, 'Aborted', this.opts.now());
      return;
    }
    moveJob(job, 'Aborted', this.opts.now());
    run?.abort();
    this.aborts.get(job.id)?.abort();
  }

  /**
   * Result CSV of a finished ingest job (undefined: it never ran, so every uploaded row is unprocessed), for
   * streaming out: each Buffer is overwritten by the next one. Waits for an aborted run to stop, so results, counters and the org no longer move once they are read.
   */
  async ingestResults(job: IngestJob, set: IngestResultSet): Promise<Iterable<Buffer> | undefined> {
    await this.settled.get(job.id);
    this.copyProgressOf(job);
    const run = this.runs.get(job.id);
    if (!run) return undefined;
    return run.resultChunks(set === 'successfulResults' ? 'successful' : set === 'failedResults' ? 'failed' : 'unprocessed', true);
  }

  startQuery(job: QueryJob, compiled: CompiledQuery): void {
    void this.runQuery(job, compiled).catch((e) => this.fail(job, `Unknown : ${(e as Error).message}`));
  }

  private async runQuery(job: QueryJob, compiled: CompiledQuery): Promise<void> {
    const ac = this.jobSignal(job.id);
    const started = this.opts.now();
    if (!(await this.hold(job.id, 'UploadComplete', 'query', job.object, ac.signal))) return;
    if (!tryMoveJob(job, 'InProgress', this.opts.now())) return;
    if (!(await this.hold(job.id, 'InProgress', 'query', job.object, ac.signal))) return;
    if (stateOf(job) !== 'InProgress') return;
    const result = compiled.execute(job.operation === 'queryAll');
    const { processingRate, parallelism } = this.opts;
    if (processingRate > 0 && result.count > 0) {
      const ms = (result.count / (processingRate * Math.max(1, parallelism))) * 1000;
      if (!(await this.sleep(Math.min(ms, 600_000), ac.signal))) return;
    }
    if (stateOf(job) !== 'InProgress') return;
    this.results.set(job.id, result);
    job.numberRecordsProcessed = result.count;
    job.totalProcessingTime = this.opts.now() - started;
    moveJob(job, 'JobComplete', this.opts.now());
  }

  abortQuery(job: QueryJob): void {
    moveJob(job, 'Aborted', this.opts.now());
    this.aborts.get(job.id)?.abort();
  }

  queryResult(job: QueryJob): QueryResult | undefined {
    return this.results.get(job.id);
  }

  /** Frees what a deleted job held. */
  forget(jobId: string): void {
    this.runs.get(jobId)?.abort();
    this.runs.delete(jobId);
    this.settled.delete(jobId);
    this.results.delete(jobId);
    this.aborts.get(jobId)?.abort();
    this.aborts.delete(jobId);
  }

  close(): void {
    this.closing.abort();
    for (const run of this.runs.values()) run.abort();
    this.runs.clear();
    this.results.clear();
    this.heap.close();
  }

  private fail(job: IngestJob | QueryJob, message: string): void {
    // a job already terminal (aborted by a request, or finished) keeps its outcome
    if (tryMoveJob(job, 'Failed', this.opts.now())) job.errorMessage = message;
  }

  private jobSignal(jobId: string): AbortController {
    const ac = new AbortController();
    this.aborts.set(jobId, ac);
    return ac;
  }

  /** Holds a job in a state when a fault asks for it; false when aborted or shutting down meanwhile. */
  private async hold(jobId: string, state: 'UploadComplete' | 'InProgress', kind: 'ingest' | 'query', object: string, signal: AbortSignal): Promise<boolean> {
    const s = this.opts.faults.holdSeconds(state, kind, object);
    // Even without a hold, a queued job moves on asynchronously, as on Salesforce.
    return this.sleep(s > 0 ? s * 1000 : 5, signal);
  }

  private async sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: AbortSignal.any([signal, this.closing.signal]) });
      return true;
    } catch {
      return false;
    }
  }
}

/** Reads a job's state afresh: it changes under our feet (abort requests) across awaits. */
function stateOf(job: IngestJob | QueryJob): JobState {
  return job.state;
}
