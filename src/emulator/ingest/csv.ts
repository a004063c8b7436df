// CSV as the Bulk API 2.0 ingest reader sees it: the job's delimiter and line ending, RFC 4180 quoting,
// values never trimmed, and no byte-order-mark stripping (Salesforce reads a BOM as part of the first field).
//
// The upload is kept as the one Buffer it arrived in. A scan records where each record starts and ends
// (two numbers per record); cells are decoded on demand from those byte ranges, so a 1,000,000-row upload
// holds one copy of its data plus 8 bytes of offsets per row.
import { DELIMITER_CHARS } from '../csv-dialect.js';
import type { ColumnDelimiter, LineEnding } from './types.js';

export { DELIMITER_CHARS };

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Job-level errors found while reading the CSV; `message` is the job's errorMessage. */
export class CsvFormatError extends Error {}

// Captured from real orgs (see src/emulator/ingest/README.md for sources).
export const MSG_LINE_ENDING = (setting: LineEnding) =>
  `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${setting}`;
export const MSG_UNESCAPED_QUOTE =
  'InvalidBatch : Failed to parse CSV. Found unescaped quote. A value with quote should be within a quote';
// Not captured: worded in the same family as the captured message above.
export const MSG_UNCLOSED_QUOTE = 'InvalidBatch : Failed to parse CSV. EOF reached before closing an opened quote';
export const MSG_NO_HEADER = 'InvalidBatch : Failed to parse CSV. The file has no header row';
export const MSG_COLUMN_COUNT = (row: number, found: number, expected: number) =>
  `InvalidBatch : Failed to parse CSV. Row ${row} has ${found} columns but the header has ${expected}`;

/**
 * Checks the file's line endings against the job's setting the way Salesforce does: the whole upload is
 * looked at as bytes (quoted values included), so an LF job containing any CRLF fails, and a CRLF job
 * containing any bare LF fails (embedded newlines in values included), with ClientInputError.
 */
export function checkLineEndings(buf: Buffer, lineEnding: LineEnding): void {
  if (lineEnding === 'LF') {
    if (buf.indexOf('\r\n') >= 0) throw new CsvFormatError(MSG_LINE_ENDING('LF'));
    return;
  }
  let i = buf.indexOf(LF);
  while (i >= 0) {
    if (i === 0 || buf[i - 1] !== CR) throw new CsvFormatError(MSG_LINE_ENDING('CRLF'));
    i = buf.indexOf(LF, i + 1);
  }
}

/** Growable pair of offset arrays (record start, record end exclusive of the terminator). */
class Offsets {
  starts = new Uint32Array(1024);
  ends = new Uint32Array(1024);
  length = 0;
  push(s: number, e: number): void {
    if (this.length === this.starts.length) {
      const n = this.starts.length * 2;
      const s2 = new Uint32Array(n);
      s2.set(this.starts);
      const e2 = new Uint32Array(n);
      e2.set(this.ends);
      this.starts = s2;
      this.ends = e2;
    }
    this.starts[this.length] = s;
    this.ends[this.length] = e;
    this.length++;
  }
  trim(): void {
    this.starts = this.starts.slice(0, this.length);
    this.ends = this.ends.slice(0, this.length);
  }
}

export interface ScannedCsv {
  /** Byte range of the header record. */
  readonly headerStart: number;
  readonly headerEnd: number;
  /** Number of columns of the header. */
  readonly columns: number;
  /** Data records: starts[i]..ends[i] (terminator excluded). Empty lines are skipped. */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly count: number;
}

/**
 * One pass over the whole upload: finds record boundaries, checks quoting and column counts. Throws
 * CsvFormatError for a file Salesforce cannot parse (the job fails before any row is processed).
 */
export function scanCsv(buf: Buffer, delimiter: ColumnDelimiter, lineEnding: LineEnding): ScannedCsv {
  checkLineEndings(buf, lineEnding);
  const delim = DELIMITER_CHARS[delimiter].charCodeAt(0);
  const crlf = lineEnding === 'CRLF';
  const n = buf.length;
  const offsets = new Offsets();
  let headerStart = -1;
  let headerEnd = -1;
  let columns = 0;
  let pos = 0;
  let rowNumber = 0; // 1-based data row number for messages
  while (pos < n) {
    const recStart = pos;
    let cols = 1;
    let recEnd = -1;
    let next = n;
    // walk the fields of one record
    for (;;) {
      if (pos < n && buf[pos] === QUOTE) {
        // quoted field
        pos++;
        for (;;) {
          const q = buf.indexOf(QUOTE, pos);
          if (q < 0) throw new CsvFormatError(MSG_UNCLOSED_QUOTE);
          if (q + 1 < n && buf[q + 1] === QUOTE) {
            pos = q + 2;
            continue;
          }
          pos = q + 1;
          break;
        }
        // after the closing quote: delimiter, terminator or end of file
        if (pos >= n) {
          recEnd = n;
          next = n;
          break;
        }
        const c = buf[pos];
        if (c === delim) {
          pos++;
          cols++;
          continue;
        }
        if (!crlf && c === LF) {
          recEnd = pos;
          next = pos + 1;
          break;
        }
        if (crlf && c === CR && pos + 1 < n && buf[pos + 1] === LF) {
          recEnd = pos;
          next = pos + 2;
          break;
        }
        throw new CsvFormatError(MSG_UNESCAPED_QUOTE);
      }
      // unquoted field: up to the delimiter or the terminator; a quote inside is an error
      let i = pos;
      let ended = false;
      while (i < n) {
        const c = buf[i];
        if (c === delim) {
          pos = i + 1;
          cols++;
          break;
        }
        if (!crlf && c === LF) {
          recEnd = i;
          next = i + 1;
          ended = true;
          break;
        }
        if (crlf && c === CR && i + 1 < n && buf[i + 1] === LF) {
          recEnd = i;
          next = i + 2;
          ended = true;
          break;
        }
        if (c === QUOTE) throw new CsvFormatError(MSG_UNESCAPED_QUOTE);
        i++;
      }
      if (i >= n) {
        recEnd = n;
        next = n;
        ended = true;
      }
      if (ended) break;
    }
    pos = next;
    if (recEnd === recStart) continue; // empty line
    if (headerStart < 0) {
      headerStart = recStart;
      headerEnd = recEnd;
      columns = cols;
      continue;
    }
    rowNumber++;
    if (cols !== columns) throw new CsvFormatError(MSG_COLUMN_COUNT(rowNumber, cols, columns));
    offsets.push(recStart, recEnd);
  }
  if (headerStart < 0) throw new CsvFormatError(MSG_NO_HEADER);
  offsets.trim();
  return { headerStart, headerEnd, columns, starts: offsets.starts, ends: offsets.ends, count: offsets.length };
}

/** scanCsv, or undefined when the upload cannot be read (its job then fails with scanCsv's CsvFormatError). */
export function scanIfReadable(buf: Buffer, delimiter: ColumnDelimiter, lineEnding: LineEnding): ScannedCsv | undefined {
  try {
    return scanCsv(buf, delimiter, lineEnding);
  } catch (e) {
    if (e instanceof CsvFormatError) return undefined;
    throw e;
  }
}

/**
 * Decodes the cells of one record (already known to be well formed) from buf[start, end). `columns`, when known,
 * sizes the array once: grown by push, a five-cell record's array holds seventeen slots.
 */
export function parseRecord(buf: Buffer, start: number, end: number, delimiter: ColumnDelimiter, columns = 0): string[] {
  const delim = DELIMITER_CHARS[delimiter].charCodeAt(0);
  const out: string[] = columns > 0 ? new Array<string>(columns) : [];
  let n = 0;
  let pos = start;
  for (;;) {
    if (pos < end && buf[pos] === QUOTE) {
      pos++;
      let value = '';
      for (;;) {
        const q = buf.indexOf(QUOTE, pos);
        if (q < 0 || q >= end) {
          // cannot happen for scanned records; be lenient
          value += buf.toString('utf8', pos, end);
          pos = end;
          break;
        }
        value += buf.toString('utf8', pos, q);
        if (q + 1 < end && buf[q + 1] === QUOTE) {
          value += '"';
          pos = q + 2;
          continue;
        }
        pos = q + 1;
        break;
      }
      out[n++] = value;
      if (pos >= end) return cut(out, n);
      pos++; // the delimiter
      if (pos > end) return cut(out, n);
      if (pos === end) {
        out[n++] = '';
        return cut(out, n);
      }
      continue;
    }
    let i = pos;
    while (i < end && buf[i] !== delim) i++;
    out[n++] = buf.toString('utf8', pos, i);
    if (i >= end) return cut(out, n);
    pos = i + 1;
    if (pos === end) {
      out[n++] = '';
      return cut(out, n);
    }
  }
}

/** The record's cells: `out` down to the `n` written (a record with fewer cells than `columns` is never scanned). */
function cut(out: string[], n: number): string[] {
  if (n !== out.length) out.length = n;
  return out;
}

/** Quotes one cell for a result file: every cell quoted, quotes doubled. */
export function quoteCell(value: string): string {
  return '"' + (value.includes('"') ? value.replace(/"/g, '""') : value) + '"';
}
