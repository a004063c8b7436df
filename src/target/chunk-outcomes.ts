// After a chunk is reconciled: its permanent failures go to the failed-rows output (the original record, read back
// from the chunk's sidecar), and its transient failures are copied byte for byte into a retry chunk, in one ledger
// transaction with the parent marked done, so a kill never loses them nor sends them twice.
import { closeSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CsvChunkWriter, type ChunkFiles } from '../streams/csv-chunker.js';
import type { JsonValue } from '../streams/singer-messages.js';
import { FailedRows, type FailedRowsMark } from './failed-rows.js';
import { failpoint } from './failpoint.js';
import type { ChunkRecord, JobLedger, RowState } from './job-ledger.js';
import { chunkHeader } from './chunk-job.js';
import { RowPlaceLog } from './row-places.js';

function readAt(fd: number, offset: number, length: number): string {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got).toString('utf8');
}

/** The record of a sidecar line (a Singer RECORD message, or a bare record). */
export function recordOfLine(line: string): { [k: string]: JsonValue } {
  try {
    const m = JSON.parse(line) as { record?: { [k: string]: JsonValue } };
    return m.record ?? (m as { [k: string]: JsonValue });
  } catch {
    return { _line: line };
  }
}

/**
 * Writes the chunk's permanently failed rows to the failed-rows output, exactly once across kills: the files' lengths
 * are recorded first (cleared with the chunk's `done`), and a mark left by a killed run cuts its files back to it.
 */
export function deadLetterFailed(ledger: JobLedger, chunk: ChunkRecord, failed: FailedRows, columns: (stream: string) => readonly string[]): number {
  const earlier = ledger.failedRowsMark(chunk.id) as FailedRowsMark | undefined;
  if (earlier) FailedRows.rewind(earlier);
  if (!failed.countOnly) ledger.setFailedRowsMark(chunk.id, failed.mark(chunk.stream));
  let n = 0;
  const fd = openSync(chunk.sidePath, 'r');
  try {
    for (const page of ledger.rowsWithOutcome(chunk.id, 'failed')) {
      for (const r of page) {
        failed.write(chunk.stream, r.error ?? 'UNKNOWN', recordOfLine(readAt(fd, r.sideOffset, r.sideLength)), columns(chunk.stream));
        n++;
      }
    }
  } finally {
    closeSync(fd);
  }
  failpoint('after-dead-letter');
  return n;
}

export interface RetryPlan {
  readonly notBefore: number;
  /** Lock errors dominated: the retry runs alone, rows grouped by parent. */
  readonly serial: boolean;
  /** Carried to the next run instead of sent now. */
  readonly carry: boolean;
}

/** A chunk's three files: CSV, sidecar of source lines, row places. */
export interface ChunkPaths extends ChunkFiles {
  readonly placesPath: string;
}

const pathsOf = (f: ChunkPaths) => ({ csv: f.csvPath, side: f.sidePath, places: f.placesPath });

/**
 * Copies rows of a chunk (in the order the pages give) into new chunk files, byte for byte, CSV and sidecar, with
 * their places file (so no chunk's places are ever all in memory, and the copy's rows reach the ledger the way a
 * spooled chunk's do: imported when first needed). Returns the sealed writer and row count, or undefined when there
 * was no row.
 */
export function copyRows(chunk: ChunkRecord, pages: Iterable<RowState[]>, files: ChunkPaths): { writer: CsvChunkWriter; rows: number } | undefined {
  let writer: CsvChunkWriter | undefined;
  let places: RowPlaceLog | undefined;
  const csvFd = openSync(chunk.csvPath, 'r');
  const sideFd = openSync(chunk.sidePath, 'r');
  try {
    for (const page of pages) {
      writer ??= new CsvChunkWriter(files, chunkHeader(chunk.csvPath), chunk.lineEnding);
      places ??= new RowPlaceLog(files.placesPath, writer.headerBytes);
      for (const r of page) {
        const p = writer.addLine(readAt(csvFd, r.csvOffset, r.csvLength), readAt(sideFd, r.sideOffset, r.sideLength));
        places.push({ csvLength: p.csvLength, sideLength: p.sideLength, hash: r.hash, parentKey: r.parentKey, key: r.key });
      }
    }
    writer?.seal();
    places?.seal();
  } finally {
    closeSync(csvFd);
    closeSync(sideFd);
  }
  return writer && places ? { writer, rows: places.rows } : undefined;
}

/**
 * Rewrites a chunk with its rows ordered by parent reference (an on-disk sort: SQLite orders the row places, the
 * bytes are copied file to file), so one parent's children share Salesforce's internal batches. Runs before the
 * chunk is sealed, so a kill mid-way leaves an `open` chunk, which the next run drops (with the `building` copy).
 */
export function sortChunkByParent(ledger: JobLedger, chunk: ChunkRecord): void {
  const files = { csvPath: `${chunk.csvPath}.sorted`, sidePath: `${chunk.sidePath}.sorted`, placesPath: `${chunk.placesPath}.sorted` };
  const staging = ledger.addChunk({ ...chunk, externalId: chunk.externalId, phase: 'building', paths: pathsOf(files) });
  ledger.indexRows(chunk.id);
  const copy = copyRows(chunk, ledger.rowsWithOutcome(chunk.id, null, true), files);
  if (copy) {
    renameSync(files.csvPath, chunk.csvPath);
    renameSync(files.sidePath, chunk.sidePath);
    renameSync(files.placesPath, chunk.placesPath);
  }
  ledger.tx(() => {
    ledger.dropChunk(staging.id);
    if (copy) ledger.forgetRows(chunk.id); // its rows come again from the sorted places file
  });
}

/**
 * Copies the chunk's transient rows into a new chunk and marks the parent done. The new chunk is `building` until one
 * transaction makes it `pending` and marks the parent's rows retried and the parent done, so a kill never loses the
 * rows nor sends them twice (a `building` chunk is dropped on recovery; its parent is reconciled again).
 */
export function finishChunk(ledger: JobLedger, chunk: ChunkRecord, retry: RetryPlan): ChunkRecord | undefined {
  const tag = `retry-${chunk.id}-${chunk.attempt + 1}`;
  const files = { csvPath: join(ledger.chunkDir, `${tag}.csv`), sidePath: join(ledger.chunkDir, `${tag}.jsonl`), placesPath: join(ledger.chunkDir, `${tag}.places`) };
  const next = ledger.addChunk({
    stream: chunk.stream, object: chunk.object, operation: chunk.operation, externalId: chunk.externalId,
    lineEnding: chunk.lineEnding, attempt: chunk.attempt + 1, phase: 'building', notBefore: retry.carry ? 0 : retry.notBefore,
    serial: retry.serial, paths: pathsOf(files),
  });
  const copy = copyRows(chunk, ledger.rowsWithOutcome(chunk.id, 'transient', retry.serial), files);
  return ledger.tx(() => {
    if (!copy) ledger.dropChunk(next.id);
    else {
      ledger.setSealed(next.id, copy.rows, copy.writer.bytes, 'pending');
      ledger.retryTransientRows(chunk.id);
    }
    ledger.setPhase(chunk.id, 'done');
    ledger.clearFailedRowsMark(chunk.id);
    return copy ? ledger.chunk(next.id) : undefined;
  });
}

/** Removes a chunk's files (its rows stay in the ledger until the run finishes). */
export function removeChunkFiles(chunk: ChunkRecord): void {
  rmSync(chunk.csvPath, { force: true });
  rmSync(chunk.sidePath, { force: true });
  if (chunk.placesPath) rmSync(chunk.placesPath, { force: true });
}
