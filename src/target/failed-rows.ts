// The failed-rows output: per stream, a CSV with `sf__Error` then the original record's properties, and a JSON Lines
// twin ({stream, error, record}), in failed_records_dir with mode 0600. Written synchronously and fsynced before any
// STATE that covers them leaves the target.
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { csvLine } from '../streams/csv-chunker.js';
import type { JsonValue } from '../streams/singer-messages.js';

interface StreamFiles {
  csv: number;
  jsonl: number;
  columns: string[];
  paths: [string, string];
}

/** `AnnualRevenue: ...` -> the leading status code of an sf__Error (`UNABLE_TO_LOCK_ROW`). */
export function errorCode(sfError: string): string {
  const m = /^([A-Z_]+)\s*:/.exec(sfError);
  return m ? m[1]! : sfError.split(':')[0]!.trim() || 'UNKNOWN';
}

/** A stream's failed-rows files and their byte lengths at one moment (0: the file did not exist). */
export type FailedRowsMark = readonly { readonly path: string; readonly length: number }[];

function cellText(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export class FailedRows {
  private readonly files = new Map<string, StreamFiles>();
  private dirty = false;
  /** Rows written, per stream and error code. */
  readonly counts = new Map<string, Map<string, number>>();

  constructor(
    private readonly dir: string,
    private readonly runTag: string,
    /** Count only, write nothing (--dry-run). */
    readonly countOnly = false,
  ) {}

  /** Writes one failed row. `columns` (the stream's properties) fixes the CSV header on the stream's first row. */
  write(stream: string, error: string, record: { [k: string]: JsonValue }, columns: readonly string[]): void {
    this.count(stream, error);
    if (this.countOnly) return;
    let f = this.files.get(stream);
    if (!f) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const paths = this.pathsOf(stream);
      f = { csv: openSync(paths[0], 'a', 0o600), jsonl: openSync(paths[1], 'a', 0o600), columns: [...columns], paths };
      for (const k of Object.keys(record)) if (!f.columns.includes(k)) f.columns.push(k);
      writeSync(f.csv, csvLine(['sf__Error', ...f.columns], 'LF'));
      this.files.set(stream, f);
    }
    writeSync(f.csv, csvLine([error, ...f.columns.map((c) => cellText(record[c]))], 'LF'));
    writeSync(f.jsonl, JSON.stringify({ stream, error, record }) + '\n');
    this.dirty = true;
  }

  private pathsOf(stream: string): [string, string] {
    const base = join(this.dir, `${stream.replace(/[^A-Za-z0-9_.-]/g, '_')}.${this.runTag}`);
    return [`${base}.csv`, `${base}.jsonl`];
  }

  /** The stream's files and their lengths now: what `rewind` cuts back to. */
  mark(stream: string): FailedRowsMark {
    return this.pathsOf(stream).map((path) => {
      try {
        return { path, length: statSync(path).size };
      } catch {
        return { path, length: 0 };
      }
    });
  }

  /**
   * Cuts files of an earlier run back to a mark taken before a chunk's rows were appended, so rows written by a run
   * killed before it recorded them as written are not written twice. Safe only because a chunk's rows are appended in
   * one synchronous step: when the kill fell in it, nothing was written to those files after them.
   */
  static rewind(mark: FailedRowsMark): void {
    for (const { path, length } of mark) {
      try {
        if (statSync(path).size <= length) continue;
      } catch {
        continue;
      }
      if (length === 0) rmSync(path, { force: true });
      else truncateSync(path, length);
    }
  }

  private count(stream: string, error: string): void {
    const code = errorCode(error);
    const byCode = this.counts.get(stream) ?? new Map<string, number>();
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
    this.counts.set(stream, byCode);
  }

  total(stream?: string): number {
    let n = 0;
    for (const [s, m] of this.counts) if (stream === undefined || s === stream) for (const v of m.values()) n += v;
    return n;
  }

  paths(): string[] {
    return [...this.files.values()].flatMap((f) => f.paths);
  }

  /** Makes every row written so far durable (before a STATE that covers them). */
  sync(): void {
    if (!this.dirty) return;
    for (const f of this.files.values()) {
      fsyncSync(f.csv);
      fsyncSync(f.jsonl);
    }
    this.dirty = false;
  }

  close(): void {
    this.sync();
    for (const f of this.files.values()) {
      closeSync(f.csv);
      closeSync(f.jsonl);
    }
    this.files.clear();
  }
}
