// After a chunk is reconciled: its permanent failures go to the failed-rows output (the original record, read back
// from the chunk's sidecar), and its transient failures are copied byte for byte into a retry chunk, in one ledger
// transaction with the parent marked done, so a kill never loses them nor sends them twice.
import { closeSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CsvChunkWriter, type ChunkFiles } from '../streams/csv-chunker.js';
import type { JsonValue } from '../streams/singer-messages.js';
import type { FailedRows } from './failed-rows.js';
import type { ChunkRecord, JobLedger, RowPlace, RowState } from './job-ledger.js';
import { chunkHeader } from './chunk-job.js';

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

/** Writes the chunk's permanently failed rows to the failed-rows output. */
export function deadLetterFailed(ledger: JobLedger, chunk: ChunkRecord, failed: FailedRows, columns: (stream: string) => readonly string[]): number {
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
  return n;
}

export interface RetryPlan {
  readonly notBefore: number;
  /** Lock errors dominated: the retry runs alone, rows grouped by parent. */
  readonly serial: boolean;
  /** Carried to the next run instead of sent now. */
  readonly carry: boolean;
}

/**
 * Copies rows of a chunk (in the order the pages give) into new chunk files, byte for byte, CSV and sidecar.
 * Returns undefined when there was no row.
 */
export function copyRows(
  chunk: ChunkRecord,
  pages: Iterable<RowState[]>,
  files: ChunkFiles,
): { writer: CsvChunkWriter; places: RowPlace[]; moved: number[] } | undefined {
  let writer: CsvChunkWriter | undefined;
  const places: RowPlace[] = [];
  const moved: number[] = [];
  const csvFd = openSync(chunk.csvPath, 'r');
  const sideFd = openSync(chunk.sidePath, 'r');
  try {
    for (const page of pages) {
      writer ??= new CsvChunkWriter(files, chunkHeader(chunk.csvPath), chunk.lineEnding);
      for (const r of page) {
        const p = writer.addLine(readAt(csvFd, r.csvOffset, r.csvLength), readAt(sideFd, r.sideOffset, r.sideLength));
        places.push({ ...p, hash: r.hash, parentKey: r.parentKey, key: r.key });
        moved.push(r.row);
      }
    }
    writer?.seal();
  } finally {
    closeSync(csvFd);
    closeSync(sideFd);
  }
  return writer ? { writer, places, moved } : undefined;
}

/**
 * Rewrites a chunk with its rows ordered by parent reference (an on-disk sort: SQLite orders the row places, the
 * bytes are copied file to file), so one parent's children share Salesforce's internal batches.
 */
export function sortChunkByParent(ledger: JobLedger, chunk: ChunkRecord): void {
  const files = { csvPath: `${chunk.csvPath}.sorted`, sidePath: `${chunk.sidePath}.sorted` };
  const copied = copyRows(chunk, ledger.rowsWithOutcome(chunk.id, null, true), files);
  if (!copied) return;
  renameSync(files.csvPath, chunk.csvPath);
  renameSync(files.sidePath, chunk.sidePath);
  ledger.replaceRows(chunk.id, copied.places);
}

/**
 * Copies the chunk's transient rows into a new chunk and marks the parent done, atomically. Returns the new chunk,
 * or undefined when there was nothing to retry (the parent is just marked done).
 */
export function finishChunk(ledger: JobLedger, chunk: ChunkRecord, retry: RetryPlan): ChunkRecord | undefined {
  const tag = `retry-${chunk.id}-${chunk.attempt + 1}`;
  const files = { csvPath: join(ledger.chunkDir, `${tag}.csv`), sidePath: join(ledger.chunkDir, `${tag}.jsonl`) };
  const copied = copyRows(chunk, ledger.rowsWithOutcome(chunk.id, 'transient', retry.serial), files);
  return ledger.tx(() => {
    let next: ChunkRecord | undefined;
    if (copied) {
      next = ledger.addChunk({
        stream: chunk.stream, object: chunk.object, operation: chunk.operation, externalId: chunk.externalId,
        lineEnding: chunk.lineEnding, attempt: chunk.attempt + 1, phase: 'pending', notBefore: retry.carry ? 0 : retry.notBefore,
        serial: retry.serial, paths: { csv: files.csvPath, side: files.sidePath }, rows: copied.places.length, bytes: copied.writer.bytes,
      });
      ledger.addRows(next.id, copied.places);
      ledger.setRowsOutcome(chunk.id, copied.moved, 'retried');
    }
    ledger.setPhase(chunk.id, 'done');
    return next;
  });
}

/** Removes a chunk's files (its rows stay in the ledger until the run finishes). */
export function removeChunkFiles(chunk: ChunkRecord): void {
  rmSync(chunk.csvPath, { force: true });
  rmSync(chunk.sidePath, { force: true });
}
