// A query job's result: a snapshot of row references taken when the job ran, rendered to CSV one
// page at a time (header row on every page), so a million-row result costs an array of references,
// never a rendered file. Pages are written as bytes straight from the stored values.
import { DELIMITER_CHARS, type ColumnDelimiter, type LineEnding } from '../csv-dialect.js';
import type { FieldValue, Row } from '../org/types.js';
import type { ResultColumn } from '../soql/compile.js';
import { escapeQuotes, formatValue, putInteger, putIsoDateTime, putText, type ValueKind } from './csv-values.js';

export type { ColumnDelimiter, LineEnding } from '../csv-dialect.js';
export type { ResultColumn } from '../soql/compile.js';

export interface PageFormat {
  readonly columnDelimiter: ColumnDelimiter;
  readonly lineEnding: LineEnding;
}

export interface QueryResult {
  /** Rows in the result (a job's numberRecordsProcessed). */
  readonly count: number;
  /** CSV of rows [offset, offset + maxRecords), header row first. */
  page(offset: number, maxRecords: number, opts: PageFormat): string;
  /**
   * The same page as Buffers of about 64 KB, rendered lazily (for streaming a large page). With `reuse`, each
   * Buffer is overwritten by the next one (read it before asking for the next).
   */
  pageChunks(offset: number, maxRecords: number, opts: PageFormat, reuse?: boolean): Iterable<Buffer>;
}

const CHUNK_BYTES = 64 * 1024;

const QUOTE = 0x22;
/** Room for a delimiter, two quotes and a line ending around a cell. */
const CELL_SLACK = 8;
/** The longest short form of a number, datetime or boolean (putShortValue). */
const SHORT_VALUE_BYTES = 32;

const enum Kind {
  Text,
  Id,
  Int,
  Double,
  DateTime,
  Bool,
  Other,
}

const KIND_CODES: Readonly<Record<ValueKind, Kind>> = {
  text: Kind.Text,
  multi: Kind.Text,
  time: Kind.Text,
  id: Kind.Id,
  int: Kind.Int,
  double: Kind.Double,
  datetime: Kind.DateTime,
  bool: Kind.Bool,
  date: Kind.Other,
};

/**
 * Writes a number, datetime or boolean at `pos` exactly as formatValue prints it, in at most 32 bytes; returns -1
 * (writing nothing) for a value without such a short form (it then prints through formatValue).
 */
function putShortValue(buf: Buffer, pos: number, v: FieldValue, code: Kind): number {
  if (typeof v === 'number') {
    if (code === Kind.DateTime) return putIsoDateTime(buf, pos, v);
    // integers of moderate size print as their digits (a double as Java does: `12.0`, but not below 1e-3 or from 1e7)
    if ((code === Kind.Int || code === Kind.Double) && Number.isInteger(v) && v !== 0 && v > -1e7 && v < 1e7) {
      pos = putInteger(buf, pos, v);
      if (code === Kind.Double) {
        buf[pos++] = 0x2e;
        buf[pos++] = 0x30;
      }
      return pos;
    }
  } else if (code === Kind.Bool && typeof v === 'boolean') {
    return pos + buf.write(v ? 'true' : 'false', pos, 'latin1');
  }
  return -1;
}

export class SnapshotResult implements QueryResult {
  constructor(
    private readonly rows: readonly Row[],
    /** chains[c][i]: the parent row of chain c for result row i (undefined when there is none). */
    private readonly chains: readonly (readonly (Row | undefined)[])[],
    private readonly columns: readonly ResultColumn[],
  ) {}

  get count(): number {
    return this.rows.length;
  }

  page(offset: number, maxRecords: number, opts: PageFormat): string {
    return Buffer.concat([...this.pageChunks(offset, maxRecords, opts)]).toString('utf8');
  }

  /**
   * The page as Buffers of about 64 KB, written as they are consumed straight from the stored values (no
   * string per cell or line), so serving a large result neither grows the heap nor churns the collector.
   */
  *pageChunks(offset: number, maxRecords: number, opts: PageFormat, reuse = false): Generator<Buffer> {
    const d = DELIMITER_CHARS[opts.columnDelimiter] ?? ',';
    const delim = d.charCodeAt(0);
    const eol = opts.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const crlf = eol.length === 2;
    const cols = this.columns;
    const ncols = cols.length;
    const codes = cols.map((c) => KIND_CODES[c.kind]);
    // Only text can hold a double quote; ids, numbers, dates and booleans print without one.
    const quotable = codes.map((k) => k === Kind.Text);
    const fields = cols.map((c) => c.field);
    const chainOf = cols.map((c) => c.chain);
    const header = '"' + cols.map((c) => escapeQuotes(c.header)).join('"' + d + '"') + '"' + eol;
    const start = Math.max(0, Math.floor(offset));
    const end = Math.max(start, Math.min(this.rows.length, start + Math.max(0, Math.floor(maxRecords))));
    let buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, header.length * 3));
    let pos = buf.write(header, 0, 'utf8');
    const rows = this.rows;
    const chains = this.chains;
    for (let i = start; i < end; i++) {
      const row = rows[i];
      for (let c = 0; c < ncols; c++) {
        const chain = chainOf[c];
        const src = chain < 0 ? row : chains[chain][i];
        const v = src === undefined ? null : src[fields[c]];
        // the cell's text when it has no short form: strings as stored, other values as formatValue prints them
        const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : undefined;
        const need = (text === undefined ? SHORT_VALUE_BYTES : text.length * 6) + CELL_SLACK;
        if (pos + need > buf.length) {
          yield buf.subarray(0, pos);
          if (!reuse || need > buf.length) buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, need));
          pos = 0;
        }
        if (c > 0) buf[pos++] = delim;
        buf[pos++] = QUOTE;
        if (text !== undefined) {
          pos = putText(buf, pos, text, quotable[c]);
        } else {
          const end = putShortValue(buf, pos, v!, codes[c]);
          if (end >= 0) {
            pos = end;
          } else {
            const printed = formatValue(v, cols[c].kind);
            if (pos + printed.length * 3 + CELL_SLACK > buf.length) {
              // rare: a value that prints long (a double beyond 1e21 as all its digits); keep the cell whole
              const head = buf.subarray(0, pos);
              buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, printed.length * 3 + CELL_SLACK));
              pos = 0;
              yield head;
            }
            pos = putText(buf, pos, printed, false);
          }
        }
        buf[pos++] = QUOTE;
      }
      if (crlf) buf[pos++] = 0x0d;
      buf[pos++] = 0x0a;
    }
    if (pos > 0) yield buf.subarray(0, pos);
  }
}
