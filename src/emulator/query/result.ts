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
  /** The same page as Buffers of about 64 KB, rendered lazily (for streaming a large page). */
  pageChunks(offset: number, maxRecords: number, opts: PageFormat): Iterable<Buffer>;
}

const CHUNK_BYTES = 64 * 1024;

const QUOTE = 0x22;
/** Room for any cell that is not a string (numbers, datetimes, booleans print in at most 32 bytes) plus its quotes. */
const CELL_SLACK = 40;

const enum Kind {
  Text,
  Id,
  Int,
  Double,
  DateTime,
  Bool,
  Other,
}

function kindCode(kind: ValueKind): Kind {
  switch (kind) {
    case 'text':
    case 'multi':
    case 'time':
      return Kind.Text;
    case 'id':
      return Kind.Id;
    case 'int':
      return Kind.Int;
    case 'double':
      return Kind.Double;
    case 'datetime':
      return Kind.DateTime;
    case 'bool':
      return Kind.Bool;
    default:
      return Kind.Other;
  }
}

/** A non-string stored value as bytes at `pos`, exactly as formatValue prints it. */
function putValue(buf: Buffer, pos: number, v: FieldValue, kind: ValueKind, code: Kind): number {
  if (typeof v === 'number') {
    if (code === Kind.DateTime) {
      const end = putIsoDateTime(buf, pos, v);
      if (end >= 0) return end;
    } else if (code === Kind.Int || code === Kind.Double) {
      // integers of moderate size print as their digits (a double as Java does: `12.0`, but not below 1e-3 or from 1e7)
      if (Number.isInteger(v) && v !== 0 && v > -1e7 && v < 1e7) {
        pos = putInteger(buf, pos, v);
        if (code === Kind.Double) {
          buf[pos++] = 0x2e;
          buf[pos++] = 0x30;
        }
        return pos;
      }
    }
  } else if (code === Kind.Bool && typeof v === 'boolean') {
    return pos + buf.write(v ? 'true' : 'false', pos, 'latin1');
  }
  return putText(buf, pos, formatValue(v, kind), false);
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
  *pageChunks(offset: number, maxRecords: number, opts: PageFormat): Generator<Buffer> {
    const d = DELIMITER_CHARS[opts.columnDelimiter] ?? ',';
    const delim = d.charCodeAt(0);
    const eol = opts.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const crlf = eol.length === 2;
    const cols = this.columns;
    const ncols = cols.length;
    const codes = cols.map((c) => kindCode(c.kind));
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
        const need = (typeof v === 'string' ? v.length * 6 : 0) + CELL_SLACK;
        if (pos + need > buf.length) {
          yield buf.subarray(0, pos);
          buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, need));
          pos = 0;
        }
        if (c > 0) buf[pos++] = delim;
        buf[pos++] = QUOTE;
        if (v === null || v === undefined) {
          // null: an empty cell
        } else if (typeof v === 'string') {
          pos = putText(buf, pos, v, quotable[c]);
        } else {
          pos = putValue(buf, pos, v, cols[c].kind, codes[c]);
        }
        buf[pos++] = QUOTE;
      }
      if (crlf) buf[pos++] = 0x0d;
      buf[pos++] = 0x0a;
    }
    if (pos > 0) yield buf.subarray(0, pos);
  }
}
