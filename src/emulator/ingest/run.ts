// One ingest job's processing: from "UploadComplete with this CSV" to a terminal state with results.
//
// Processing model (Bulk API 2.0 as documented): the data is split into internal batches of 10,000 records,
// `parallelism` batches run at the same moment (a "wave"), each at `processingRate` records/s, in
// transactions ("chunks") of 200 records. Batches of one wave hold locks on the parent records their rows
// reference for the whole wave; a row whose parent is held by another batch (of this job or of any job
// running at that moment) fails with UNABLE_TO_LOCK_ROW with probability `lockFailureRate`.
import { performance } from 'node:perf_hooks';
import { isValidId, to18 } from '../ids.js';
import type { FieldDef, OrgStore, Row, Table } from '../org/types.js';
import { compileValidationRule } from '../org/validation-rules.js';
import { seededRng, type Rng } from '../rng.js';
import { CsvFormatError, parseRecord, scanCsv, type ScannedCsv } from './csv.js';
import { jobErrors, rowErrors, sfError } from './errors.js';
import { HeaderError, planHeader, type HeaderPlan } from './header.js';
import { lockKey } from './locks.js';
import { resultSetChunks, type ResultSetKind } from './result-sets.js';
import { ROW_FAILED, ROW_UPDATED, RowOutcomes, type RowOutcome } from './row-outcomes.js';
import { failed, resolveRelationship, RowWriter } from './row-writer.js';
import type { IngestEnvironment, IngestJobSpec, IngestOutcome, IngestProgress } from './types.js';

/** Records per internal batch. */
export const BATCH_SIZE = 10_000;
/** Records per transaction inside a batch (duplicate-key detection works within one chunk, as on Salesforce). */
export const CHUNK_SIZE = 200;
/** Retries of a timed-out batch before the job fails (current Bulk API 2.0 guide: 20; 2020-era pages: 10). */
export const MAX_BATCH_RETRIES = 20;

function yieldNow(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleepUntil(t: number): Promise<void> {
  const d = t - performance.now();
  if (d < 1) return yieldNow();
  return new Promise((resolve) => setTimeout(resolve, d));
}

export class IngestRun {
  readonly progress: IngestProgress = {
    numberRecordsProcessed: 0,
    numberRecordsFailed: 0,
    retries: 0,
    totalProcessingTime: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
  };

  private readonly env: IngestEnvironment;
  private readonly spec: IngestJobSpec;
  private readonly csv: Buffer;
  /** False when the job was closed without an upload (as opposed to an upload of zero bytes). */
  private readonly uploaded: boolean;
  private scanned?: ScannedCsv;
  private readonly prescanned?: ScannedCsv;
  private plan?: HeaderPlan;
  private table?: Table;
  private outcomes = new RowOutcomes(0);
  private aborted = false;
  private promise?: Promise<IngestOutcome>;
  private startedAt = 0;
  private processingStartedAt = 0;
  private writer?: RowWriter;
  private deleteParentFields: FieldDef[] = [];
  private locksActive = false;
  private idLabel = 'Record ID';

  /**
   * `csv` is the upload (undefined when the job was closed without one); `scanned`, scanCsv of it with the
   * spec's format when the caller has it already.
   */
  constructor(env: IngestEnvironment, spec: IngestJobSpec, csv: Buffer | undefined, scanned?: ScannedCsv) {
    this.env = env;
    this.spec = spec;
    this.csv = csv ?? Buffer.alloc(0);
    this.uploaded = csv !== undefined;
    this.prescanned = scanned;
  }

  /** Runs the job to a terminal state (the same promise on every call). */
  start(): Promise<IngestOutcome> {
    if (!this.promise) this.promise = this.run();
    return this.promise;
  }

  /** Stops after the batches in flight; the rest lands in unprocessedrecords. */
  abort(): void {
    this.aborted = true;
  }

  /** Number of data records in the upload (0 when the CSV could not be read). */
  get recordCount(): number {
    return this.scanned?.count ?? 0;
  }

  // ---------------------------------------------------------------- processing

  private async run(): Promise<IngestOutcome> {
    this.startedAt = performance.now();
    try {
      return await this.process();
    } catch (e) {
      return { state: 'Failed', errorMessage: `Unknown : ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      this.tick();
    }
  }

  private tick(): void {
    const now = performance.now();
    this.progress.totalProcessingTime = Math.round(now - this.startedAt);
    if (this.processingStartedAt) this.progress.apiActiveProcessingTime = Math.round(now - this.processingStartedAt);
  }

  private async process(): Promise<IngestOutcome> {
    const { env, spec } = this;
    if (spec.operation === 'hardDelete' && !env.hardDeleteAllowed) {
      this.tryScan();
      return { state: 'Failed', errorMessage: jobErrors.hardDeleteNotAllowed() };
    }
    // An upload of zero bytes (no header, no rows) completes with nothing processed and three empty result
    // sets: what a widely used client's integration tests against real orgs expect (see the README).
    if (this.uploaded && this.csv.length === 0) return { state: 'JobComplete' };
    try {
      this.scanned = this.prescanned ?? scanCsv(this.csv, spec.columnDelimiter, spec.lineEnding);
    } catch (e) {
      if (e instanceof CsvFormatError) return { state: 'Failed', errorMessage: e.message };
      throw e;
    }
    const scanned = this.scanned;
    this.outcomes = new RowOutcomes(scanned.count);
    const names = parseRecord(this.csv, scanned.headerStart, scanned.headerEnd, spec.columnDelimiter);
    try {
      this.plan = planHeader(env.store, spec, names);
    } catch (e) {
      if (e instanceof HeaderError) return { state: 'Failed', errorMessage: e.message };
      throw e;
    }
    const plan = this.plan;
    const table = env.store.table(plan.type.name);
    if (!table) return { state: 'Failed', errorMessage: jobErrors.entityNotSupported(spec.object) };
    this.table = table;
    this.prepare(plan, table);
    if (this.aborted) return { state: 'Aborted' };

    this.processingStartedAt = performance.now();
    const batches = Math.ceil(scanned.count / BATCH_SIZE);
    const parallelism = Math.max(1, Math.floor(env.parallelism || 1));
    let next = 0;
    let failure: string | undefined;
    while (next < batches && !failure) {
      if (this.aborted) return { state: 'Aborted' };
      const wave: number[] = [];
      while (wave.length < parallelism && next < batches) {
        if (!env.consumeBatchAllocation()) {
          failure = jobErrors.batchAllocation();
          break;
        }
        if (!env.consumeIngestAllocation(this.batchEnd(next) - next * BATCH_SIZE)) {
          failure = jobErrors.recordAllocation();
          break;
        }
        wave.push(next++);
      }
      if (wave.length) {
        const waveFailure = await this.runWave(wave);
        failure ??= waveFailure;
        env.betweenWaves?.();
      }
    }
    if (failure) return { state: 'Failed', errorMessage: failure };
    return { state: 'JobComplete' };
  }

  /** Scans the CSV for the result files only (the job fails anyway). */
  private tryScan(): void {
    try {
      this.scanned = this.prescanned ?? scanCsv(this.csv, this.spec.columnDelimiter, this.spec.lineEnding);
      this.outcomes = new RowOutcomes(this.scanned.count);
    } catch {
      // unreadable: no rows to report
    }
  }

  private batchEnd(b: number): number {
    return Math.min(this.scanned!.count, (b + 1) * BATCH_SIZE);
  }

  /** Per-run caches: validation rules, required fields, lock fields, and the row writer built on them. */
  private prepare(plan: HeaderPlan, table: Table): void {
    const { env, spec } = this;
    const type = plan.type;
    const isDelete = spec.operation === 'delete' || spec.operation === 'hardDelete';
    this.idLabel = type.field('Id')?.label ?? `${type.label} ID`;
    this.deleteParentFields = type.fields.filter(
      (f) => f.type === 'reference' && f.createable && !f.referenceTo.some((r) => r === 'User' || r === 'Group'),
    );
    this.locksActive = env.lockFailureRate > 0 && (isDelete ? this.deleteParentFields.length > 0 : plan.refColumns.length > 0);
    this.writer = new RowWriter({
      store: env.store,
      table,
      plan,
      operation: spec.operation,
      now: env.now,
      // delete rows are never validated; a rule that does not compile fails any other job (compileValidationRule)
      rules: isDelete ? [] : type.validationRules.filter((r) => r.active).map((rule) => ({ rule, test: compileValidationRule(type, rule) })),
      requiredOnInsert: type.fields.filter(
        (f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean' && f.type !== 'id' && !f.calculated,
      ),
      locksActive: this.locksActive,
      locks: env.locks,
      lockFailureRate: env.lockFailureRate,
    });
  }

  /** Runs one wave of batches at the same moment; returns a job failure message if one occurred. */
  private async runWave(wave: readonly number[]): Promise<string | undefined> {
    const { env } = this;
    const holders = wave.map((b) => `${this.spec.id}#${b}`);
    // one seeded generator per batch, drawn in batch order: the same seed gives the same collisions
    const rngs = wave.map(() => seededRng(Math.floor(env.rng() * 4294967296)));
    if (this.locksActive) wave.forEach((b, k) => env.locks.acquire(holders[k], this.parentsOfBatch(b)));
    try {
      const results = await Promise.all(wave.map((b, k) => this.runBatch(b, rngs[k], holders[k])));
      return results.find((r) => r !== undefined);
    } finally {
      if (this.locksActive) for (const h of holders) env.locks.release(h);
    }
  }

  /** Runs a batch with its retries; returns a job failure message when the retries are exhausted. */
  private async runBatch(b: number, rng: Rng, holder: string): Promise<string | undefined> {
    const { env } = this;
    const from = b * BATCH_SIZE;
    const to = this.batchEnd(b);
    for (let attempt = 0; ; attempt++) {
      if (env.batchTimesOut(this.spec.id, b, attempt)) {
        // the attempt's work is discarded: model the time it took, then retry
        if (env.processingRate > 0) await sleepUntil(performance.now() + ((to - from) / env.processingRate) * 1000);
        else await yieldNow();
        this.tick();
        if (attempt >= MAX_BATCH_RETRIES) return jobErrors.retriesExhausted(MAX_BATCH_RETRIES);
        this.progress.retries++;
        continue;
      }
      break;
    }
    const t0 = performance.now();
    for (let s = from; s < to; s += CHUNK_SIZE) {
      const e = Math.min(to, s + CHUNK_SIZE);
      if (env.processingRate > 0) await sleepUntil(t0 + ((e - from) / env.processingRate) * 1000);
      else await yieldNow();
      this.processChunk(s, e, rng, holder);
      this.tick();
    }
    return undefined;
  }

  // ---------------------------------------------------------------- rows

  private cells(i: number): string[] {
    const s = this.scanned!;
    return parseRecord(this.csv, s.starts[i], s.ends[i], this.spec.columnDelimiter, s.columns);
  }

  private processChunk(from: number, to: number, rng: Rng, holder: string): void {
    const plan = this.plan!;
    const op = this.spec.operation;
    const rows: string[][] = [];
    for (let i = from; i < to; i++) rows.push(this.cells(i));
    // duplicate keys inside one transaction fail every row that carries them
    const keyIndex = op === 'upsert' ? plan.extIndex : op === 'insert' ? -1 : plan.idIndex;
    const dupKeys = new Set<string>();
    if (keyIndex >= 0) {
      const seen = new Set<string>();
      const byId = op !== 'upsert' || plan.extField?.type === 'id';
      const fold = !byId && !plan.extField?.caseSensitive;
      for (const cells of rows) {
        const raw = cells[keyIndex];
        if (raw === '' || raw === '#N/A') continue;
        const key = byId ? (isValidId(raw) ? lockKey(raw) : raw) : fold ? raw.toLowerCase() : raw;
        if (seen.has(key)) dupKeys.add(key);
        else seen.add(key);
      }
    }
    for (let k = 0; k < rows.length; k++) {
      const i = from + k;
      const cells = rows[k];
      let out: RowOutcome;
      try {
        out = this.rowOutcome(cells, dupKeys, keyIndex, rng, holder);
      } catch (e) {
        // a bug or an unforeseen store refusal: reported on the row, as Salesforce reports internal errors
        out = failed(sfError('UNKNOWN_EXCEPTION', e instanceof Error ? e.message : String(e)));
      }
      this.outcomes.record(i, out);
      if (out.status === ROW_FAILED) this.progress.numberRecordsFailed++;
      this.progress.numberRecordsProcessed++;
    }
  }

  private rowOutcome(cells: string[], dupKeys: ReadonlySet<string>, keyIndex: number, rng: Rng, holder: string): RowOutcome {
    if (dupKeys.size === 0) return this.processRow(cells, rng, holder);
    const plan = this.plan!;
    const op = this.spec.operation;
    const raw = cells[keyIndex];
    const byId = op !== 'upsert' || plan.extField?.type === 'id';
    if (raw === '' || raw === '#N/A') return this.processRow(cells, rng, holder);
    const key = byId ? (isValidId(raw) ? lockKey(raw) : raw) : plan.extField?.caseSensitive ? raw : raw.toLowerCase();
    if (!dupKeys.has(key)) return this.processRow(cells, rng, holder);
    return byId
      ? failed(rowErrors.duplicateIdInInput(raw), op === 'upsert' ? '' : isValidId(raw) ? to18(raw) : raw)
      : failed(rowErrors.duplicateExternalIdInInput(raw, plan.extField!.name));
  }

  private processRow(cells: string[], rng: Rng, holder: string): RowOutcome {
    const plan = this.plan!;
    switch (this.spec.operation) {
      case 'insert':
        return this.writer!.write(cells, undefined, -1, rng, holder);
      case 'update': {
        const raw = plan.idIndex >= 0 ? cells[plan.idIndex] : '';
        if (raw === '') return failed(rowErrors.missingIdOnUpdate());
        const own = this.ownRecord(raw);
        if ('error' in own) return failed(own.error, own.id);
        return this.writer!.write(cells, own.row, -1, rng, holder);
      }
      case 'upsert': {
        const ext = plan.extField!;
        const raw = plan.extIndex >= 0 ? cells[plan.extIndex] : '';
        if (ext.type === 'id') {
          if (raw === '' || raw === '#N/A') return this.writer!.write(cells, undefined, plan.extIndex, rng, holder);
          const own = this.ownRecord(raw);
          if ('error' in own) return failed(own.error, own.id);
          return this.writer!.write(cells, own.row, plan.extIndex, rng, holder);
        }
        if (raw === '' || raw === '#N/A') return failed(rowErrors.missingExternalId(ext.name));
        const matches = this.table!.findBy(ext.name, raw);
        if (matches.length > 1) return failed(rowErrors.externalIdMatchesMany(ext, matches.map((r) => r.Id as string)));
        if (matches.length === 1) return this.writer!.write(cells, matches[0], plan.extIndex, rng, holder);
        return this.writer!.write(cells, undefined, -1, rng, holder);
      }
      case 'delete':
      case 'hardDelete':
        return this.remove(cells[0] ?? '', rng, holder);
    }
  }

  /** The record named by an Id cell of an update/delete/upsert-by-Id row. */
  private ownRecord(raw: string): { row: Row } | { error: string; id: string } {
    const type = this.plan!.type;
    if (!isValidId(raw)) return { error: rowErrors.malformedId(this.idLabel, raw, 'Id'), id: raw };
    const owner = this.env.store.typeOfId(raw);
    if (!owner || owner.name !== type.name) return { error: rowErrors.malformedId(this.idLabel, raw, 'Id'), id: raw };
    const row = this.table!.get(raw);
    if (!row) return { error: rowErrors.invalidCrossReference(), id: to18(raw) };
    if (row.IsDeleted === true) return { error: rowErrors.entityIsDeleted(), id: to18(raw) };
    return { row };
  }

  private remove(raw: string, rng: Rng, holder: string): RowOutcome {
    if (raw === '') return failed(rowErrors.missingIdOnDelete());
    const own = this.ownRecord(raw);
    if ('error' in own) return failed(own.error, own.id);
    const id = own.row.Id as string;
    const type = this.plan!.type;
    if (!type.deletable) return failed(rowErrors.notDeletable(type), id);
    if (this.locksActive) {
      for (const f of this.deleteParentFields) {
        const p = own.row[f.name];
        if (typeof p === 'string' && this.writer!.lockCollides(p, rng, holder)) return failed(rowErrors.unableToLockRow(), id);
      }
    }
    if (this.spec.operation === 'hardDelete') this.table!.hardDelete(id);
    else this.table!.softDelete(id, this.env.now());
    return { status: ROW_UPDATED, id };
  }

  /** Parent ids the rows of batch `b` reference (locked for the wave). */
  private parentsOfBatch(b: number): Set<string> {
    const plan = this.plan!;
    const out = new Set<string>();
    const isDelete = this.spec.operation === 'delete' || this.spec.operation === 'hardDelete';
    for (let i = b * BATCH_SIZE, end = this.batchEnd(b); i < end; i++) {
      const cells = this.cells(i);
      if (isDelete) {
        const raw = cells[0] ?? '';
        if (!isValidId(raw)) continue;
        const row = this.table!.get(raw);
        if (!row) continue;
        for (const f of this.deleteParentFields) {
          const p = row[f.name];
          if (typeof p === 'string') out.add(lockKey(p));
        }
        continue;
      }
      for (const col of plan.refColumns) {
        const raw = cells[col.index];
        if (raw === '' || raw === '#N/A') continue;
        if (col.kind === 'field') {
          if (isValidId(raw)) out.add(lockKey(raw));
        } else if (col.kind === 'rel') {
          const r = resolveRelationship(this.env.store, col, raw);
          if ('id' in r) out.add(lockKey(r.id));
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- results

  /** A result set as Buffers of about 64 KB (for streaming answers); each ends with a line ending. */
  resultChunks(kind: ResultSetKind, reuse = false): Generator<Buffer> {
    const { spec } = this;
    return resultSetChunks(
      { csv: this.csv, scanned: this.scanned, columnDelimiter: spec.columnDelimiter, lineEnding: spec.lineEnding, outcomes: this.outcomes },
      kind,
      reuse,
    );
  }

  private resultText(kind: ResultSetKind): string {
    return Buffer.concat([...this.resultChunks(kind)]).toString('utf8');
  }

  /** `"sf__Id","sf__Created",<original header>` then one line per successful row. */
  successfulResults(): string {
    return this.resultText('successful');
  }

  /** `"sf__Id","sf__Error",<original header>` then one line per failed row. */
  failedResults(): string {
    return this.resultText('failed');
  }

  /** `<original header>` then one line per row never attempted. */
  unprocessedRecords(): string {
    return this.resultText('unprocessed');
  }

  /** Counts of the three result sets (successful + failed + unprocessed = records uploaded). */
  resultCounts(): { successful: number; failed: number; unprocessed: number } {
    return this.outcomes.counts();
  }
}

/**
 * Upload-time check (optional for the server): the job-level errors the CSV would fail with (line endings,
 * quoting, header), without processing any row. Returns the errorMessage, or undefined when the CSV is fine.
 */
export function precheckUpload(store: OrgStore, spec: IngestJobSpec, csv: Buffer): string | undefined {
  try {
    const s = scanCsv(csv, spec.columnDelimiter, spec.lineEnding);
    planHeader(store, spec, parseRecord(csv, s.headerStart, s.headerEnd, spec.columnDelimiter));
    return undefined;
  } catch (e) {
    if (e instanceof CsvFormatError || e instanceof HeaderError) return e.message;
    throw e;
  }
}
