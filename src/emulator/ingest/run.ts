// One ingest job's processing: from "UploadComplete with this CSV" to a terminal state with results.
//
// Processing model (Bulk API 2.0 as documented): the data is split into internal batches of 10,000 records,
// `parallelism` batches run at the same moment (a "wave"), each at `processingRate` records/s, in
// transactions ("chunks") of 200 records. Batches of one wave hold locks on the parent records their rows
// reference for the whole wave; a row whose parent is held by another batch (of this job or of any job
// running at that moment) fails with UNABLE_TO_LOCK_ROW with probability `lockFailureRate`.
import { performance } from 'node:perf_hooks';
import { isValidId, sameId, to18 } from '../ids.js';
import type { FieldDef, FieldValue, OrgStore, Row, SObjectType, Table, ValidationRule } from '../org/types.js';
import { compileValidationRule } from '../org/validation-rules.js';
import { seededRng, type Rng } from '../rng.js';
import { checkValue, deserialize } from './coerce.js';
import { CsvFormatError, parseRecord, scanCsv, type ScannedCsv } from './csv.js';
import { jobErrors, rowErrors, sfError } from './errors.js';
import { HeaderError, planHeader, type Column, type HeaderPlan } from './header.js';
import { lockKey } from './locks.js';
import { resultSetChunks, type ResultSetKind } from './result-sets.js';
import { ROW_CREATED, ROW_FAILED, ROW_UPDATED, RowOutcomes, type RowOutcome } from './row-outcomes.js';
import type { IngestEnvironment, IngestJobSpec, IngestOutcome, IngestProgress } from './types.js';

/** Records per internal batch. */
export const BATCH_SIZE = 10_000;
/** Records per transaction inside a batch (duplicate-key detection works within one chunk, as on Salesforce). */
export const CHUNK_SIZE = 200;
/** Retries of a timed-out batch before the job fails (current Bulk API 2.0 guide: 20; 2020-era pages: 10). */
export const MAX_BATCH_RETRIES = 20;

type Outcome = RowOutcome;

function failed(error: string, id = ''): Outcome {
  return { status: ROW_FAILED, id, error };
}

/** A store refusal (StoreError: `code`, `message`, `fields`) as an sf__Error. */
function storeErrorToSfError(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown; fields?: unknown };
  if (typeof err?.code !== 'string') throw e;
  const message = String(err.message ?? '');
  switch (err.code) {
    case 'DUPLICATE_VALUE':
      return sfError('DUPLICATE_VALUE', message);
    case 'ENTITY_IS_DELETED':
      return rowErrors.entityIsDeleted();
    case 'NOT_FOUND':
      return rowErrors.invalidCrossReference();
    default:
      return sfError(err.code, message, Array.isArray(err.fields) ? (err.fields as string[]) : []);
  }
}

function yieldNow(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleepUntil(t: number): Promise<void> {
  const d = t - performance.now();
  if (d < 1) return yieldNow();
  return new Promise((resolve) => setTimeout(resolve, d));
}

interface CompiledRule {
  readonly rule: ValidationRule;
  readonly test: (row: Row) => boolean;
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
  private scanned?: ScannedCsv;
  private plan?: HeaderPlan;
  private table?: Table;
  private outcomes = new RowOutcomes(0);
  private aborted = false;
  private promise?: Promise<IngestOutcome>;
  private startedAt = 0;
  private processingStartedAt = 0;
  private rules: CompiledRule[] = [];
  private requiredOnInsert: FieldDef[] = [];
  private deleteParentFields: FieldDef[] = [];
  private locksActive = false;
  private idLabel = 'Record ID';

  constructor(env: IngestEnvironment, spec: IngestJobSpec, csv: Buffer) {
    this.env = env;
    this.spec = spec;
    this.csv = csv;
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
    try {
      this.scanned = scanCsv(this.csv, spec.columnDelimiter, spec.lineEnding);
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
    this.prepare(plan.type);
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
      }
    }
    if (failure) return { state: 'Failed', errorMessage: failure };
    return { state: 'JobComplete' };
  }

  /** Scans the CSV for the result files only (the job fails anyway). */
  private tryScan(): void {
    try {
      this.scanned = scanCsv(this.csv, this.spec.columnDelimiter, this.spec.lineEnding);
      this.outcomes = new RowOutcomes(this.scanned.count);
    } catch {
      // unreadable: no rows to report
    }
  }

  private batchEnd(b: number): number {
    return Math.min(this.scanned!.count, (b + 1) * BATCH_SIZE);
  }

  /** Per-run caches: validation rules, required fields, lock fields. */
  private prepare(type: SObjectType): void {
    this.idLabel = type.field('Id')?.label ?? `${type.label} ID`;
    this.requiredOnInsert = type.fields.filter(
      (f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean' && f.type !== 'id' && !f.calculated,
    );
    this.deleteParentFields = type.fields.filter(
      (f) => f.type === 'reference' && f.createable && !f.referenceTo.some((r) => r === 'User' || r === 'Group'),
    );
    if (this.spec.operation !== 'delete' && this.spec.operation !== 'hardDelete') {
      for (const rule of type.validationRules) {
        if (rule.active) this.rules.push({ rule, test: compileValidationRule(type, rule) });
      }
    }
    const isDelete = this.spec.operation === 'delete' || this.spec.operation === 'hardDelete';
    this.locksActive =
      this.env.lockFailureRate > 0 && (isDelete ? this.deleteParentFields.length > 0 : (this.plan?.refColumns.length ?? 0) > 0);
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
    return parseRecord(this.csv, s.starts[i], s.ends[i], this.spec.columnDelimiter);
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
      let out: Outcome;
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

  private rowOutcome(cells: string[], dupKeys: ReadonlySet<string>, keyIndex: number, rng: Rng, holder: string): Outcome {
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

  private processRow(cells: string[], rng: Rng, holder: string): Outcome {
    const plan = this.plan!;
    switch (this.spec.operation) {
      case 'insert':
        return this.write(cells, undefined, -1, rng, holder);
      case 'update': {
        const raw = plan.idIndex >= 0 ? cells[plan.idIndex] : '';
        if (raw === '') return failed(rowErrors.missingIdOnUpdate());
        const own = this.ownRecord(raw);
        if ('error' in own) return failed(own.error, own.id);
        return this.write(cells, own.row, -1, rng, holder);
      }
      case 'upsert': {
        const ext = plan.extField!;
        const raw = plan.extIndex >= 0 ? cells[plan.extIndex] : '';
        if (ext.type === 'id') {
          if (raw === '' || raw === '#N/A') return this.write(cells, undefined, plan.extIndex, rng, holder);
          const own = this.ownRecord(raw);
          if ('error' in own) return failed(own.error, own.id);
          return this.write(cells, own.row, plan.extIndex, rng, holder);
        }
        if (raw === '' || raw === '#N/A') return failed(rowErrors.missingExternalId(ext.name));
        const matches = this.table!.findBy(ext.name, raw);
        if (matches.length > 1) return failed(rowErrors.externalIdMatchesMany(ext, matches.map((r) => r.Id as string)));
        if (matches.length === 1) return this.write(cells, matches[0], plan.extIndex, rng, holder);
        return this.write(cells, undefined, -1, rng, holder);
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

  private remove(raw: string, rng: Rng, holder: string): Outcome {
    if (raw === '') return failed(rowErrors.missingIdOnDelete());
    const own = this.ownRecord(raw);
    if ('error' in own) return failed(own.error, own.id);
    const id = own.row.Id as string;
    const type = this.plan!.type;
    if (!type.deletable) return failed(rowErrors.notDeletable(type), id);
    if (this.locksActive) {
      for (const f of this.deleteParentFields) {
        const p = own.row[f.name];
        if (typeof p === 'string' && this.lockCollides(p, rng, holder)) return failed(rowErrors.unableToLockRow(), id);
      }
    }
    if (this.spec.operation === 'hardDelete') this.table!.hardDelete(id);
    else this.table!.softDelete(id, this.env.now());
    return { status: ROW_UPDATED, id };
  }

  private lockCollides(parent: string, rng: Rng, holder: string): boolean {
    return this.env.locks.heldByOther(parent, holder) && rng() < this.env.lockFailureRate;
  }

  /**
   * Insert (existing undefined) or update of one row. `skipIndex` is a column that is not written (the
   * matching key of an upsert that updates).
   */
  private write(cells: string[], existing: Row | undefined, skipIndex: number, rng: Rng, holder: string): Outcome {
    const plan = this.plan!;
    const insert = existing === undefined;
    const selfId = existing ? (existing.Id as string) : '';
    const fail = (error: string) => failed(error, selfId);
    const changes: Record<string, FieldValue> = {};
    const raws = new Map<string, string>();

    // 1. deserialize, column by column
    for (const col of plan.columns) {
      if (col.index === skipIndex) continue;
      const raw = cells[col.index];
      if (raw === '') continue;
      if (col.kind === 'id') {
        if (insert && this.spec.operation === 'insert') return fail(rowErrors.idOnInsert());
        continue;
      }
      const f = col.field;
      if (raw === '#N/A') {
        changes[f.name] = null;
        continue;
      }
      if (col.kind === 'rel') continue;
      if (f.type === 'reference') {
        if (!isValidId(raw)) return fail(rowErrors.malformedId(f.label, raw, f.name));
        changes[f.name] = to18(raw);
        raws.set(f.name, raw);
        continue;
      }
      const d = deserialize(f, raw, col.index + 1);
      if (!d.ok) return fail(d.error);
      changes[f.name] = d.value;
      raws.set(f.name, raw);
    }

    // 2. fields the operation may not write
    const bad: string[] = [];
    for (const col of plan.columns) {
      if (col.kind === 'id' || col.index === skipIndex || cells[col.index] === '') continue;
      if (insert ? !col.field.createable : !col.field.updateable) bad.push(col.field.name);
    }
    if (bad.length) return fail(rowErrors.notCreateableOrUpdateable(bad));

    // 3. references: ids must point at an existing record of an allowed type; relationships resolve by key
    const parents: string[] = [];
    for (const col of plan.refColumns) {
      if (col.index === skipIndex || col.kind === 'id') continue;
      const raw = cells[col.index];
      if (raw === '' || raw === '#N/A') continue;
      if (col.kind === 'field') {
        const err = this.checkReference(col.field, raw);
        if (err) return fail(err);
        parents.push(raw);
      } else if (col.kind === 'rel') {
        const r = this.resolveRelationship(col, raw);
        if ('error' in r) return fail(r.error);
        changes[col.field.name] = r.id;
        parents.push(r.id);
      }
    }

    // 4. parent locks held by other batches running at this moment
    if (this.locksActive) {
      for (const p of parents) if (this.lockCollides(p, rng, holder)) return fail(rowErrors.unableToLockRow());
    }

    // 5. required fields, then each value's own checks
    const type = plan.type;
    if (insert) {
      const missing = this.requiredOnInsert.filter((f) => changes[f.name] === undefined || changes[f.name] === null);
      if (missing.length) return fail(rowErrors.requiredMissing(missing.map((f) => f.name)));
    } else {
      const cleared: string[] = [];
      for (const name of Object.keys(changes)) {
        const f = type.field(name)!;
        if (changes[name] === null && !f.nillable && f.type !== 'boolean') cleared.push(f.name);
      }
      if (cleared.length) return fail(rowErrors.requiredMissing(cleared));
    }
    const box: { value: FieldValue } = { value: null };
    for (const name of Object.keys(changes)) {
      const v = changes[name];
      if (v === null) continue;
      const f = type.field(name)!;
      if (f.type === 'reference') continue;
      const err = checkValue(f, v, raws.get(name) ?? String(v), box);
      if (err) return fail(err);
      changes[name] = box.value;
    }

    // 6. validation rules on the record as it would be saved
    if (this.rules.length) {
      const wouldBe: Row = insert ? changes : { ...existing, ...changes };
      for (const { rule, test } of this.rules) {
        let hit: boolean;
        try {
          hit = test(wouldBe);
        } catch (e) {
          // a rule that cannot be evaluated fails the row, as a formula error does on Salesforce
          return fail(sfError('UNKNOWN_EXCEPTION', `Validation rule ${rule.name} on ${type.name} could not be evaluated: ${e instanceof Error ? e.message : String(e)}`));
        }
        if (hit) return fail(rowErrors.customValidation(rule.errorMessage, rule.errorField));
      }
    }

    // 7. save (the store refuses duplicate values of unique fields)
    const now = this.env.now();
    let saved: Row;
    try {
      saved = insert ? this.table!.insert(changes, now) : this.table!.update(selfId, changes, now);
    } catch (e) {
      return fail(storeErrorToSfError(e));
    }
    return { status: insert ? ROW_CREATED : ROW_UPDATED, id: saved.Id as string };
  }

  private checkReference(f: FieldDef, raw: string): string | undefined {
    const { store } = this.env;
    const target = store.typeOfId(raw);
    if (!target || !f.referenceTo.some((r) => r.toLowerCase() === target.name.toLowerCase())) return rowErrors.wrongIdType(f, raw);
    const table = store.table(target.name);
    if (!table) return undefined;
    const row = table.get(raw);
    if ((!row || row.IsDeleted === true) && !sameId(raw, store.user.id)) return rowErrors.invalidCrossReference();
    return undefined;
  }

  private resolveRelationship(col: Extract<Column, { kind: 'rel' }>, raw: string): { id: string } | { error: string } {
    const table = this.env.store.table(col.target.name);
    const notFound = { error: rowErrors.foreignKeyNotFound(raw, col.targetField.name, col.target.name) };
    if (!table) return notFound;
    if (col.targetField.type === 'id') {
      if (!isValidId(raw)) return { error: rowErrors.malformedId(col.field.label, raw, col.field.name) };
      const row = table.get(raw);
      return row && row.IsDeleted !== true ? { id: row.Id as string } : notFound;
    }
    const matches = table.findBy(col.targetField.name, raw);
    if (matches.length === 0) return notFound;
    if (matches.length > 1) return { error: rowErrors.foreignKeyMultiple(raw, col.targetField.name, col.target.name) };
    return { id: matches[0].Id as string };
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
          const r = this.resolveRelationship(col, raw);
          if ('id' in r) out.add(lockKey(r.id));
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- results

  /** A result set as Buffers of about 64 KB (for streaming answers); each ends with a line ending. */
  resultChunks(kind: ResultSetKind): Generator<Buffer> {
    const { spec } = this;
    return resultSetChunks(
      { csv: this.csv, scanned: this.scanned, columnDelimiter: spec.columnDelimiter, lineEnding: spec.lineEnding, outcomes: this.outcomes },
      kind,
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
