// A query job's result: a snapshot of row references taken when the job ran, rendered to CSV one
// page at a time (header row on every page), so a million-row result costs an array of references,
// never a rendered file.
import { DELIMITER_CHARS, type ColumnDelimiter, type LineEnding } from '../csv-dialect.js';
import type { Row } from '../org/types.js';
import type { ResultColumn } from '../soql/compile.js';
import { escapeQuotes, formatValue } from './csv-values.js';

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
  /** The same page in pieces of about 64 KB, rendered lazily (for streaming a large page). */
  pageChunks(offset: number, maxRecords: number, opts: PageFormat): Iterable<string>;
}

const CHUNK_CHARS = 64 * 1024;

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
    let out = '';
    for (const chunk of this.pageChunks(offset, maxRecords, opts)) out += chunk;
    return out;
  }

  /**
   * The page as ~64 KB pieces, rendered as they are consumed: no page-sized array of lines lives long
   * enough to be promoted to the old generation, so serving a large result does not grow the heap.
   */
  *pageChunks(offset: number, maxRecords: number, opts: PageFormat): Generator<string> {
    const delim = DELIMITER_CHARS[opts.columnDelimiter] ?? ',';
    const eol = opts.lineEnding === 'CRLF' ? '\r\n' : '\n';
    // Every cell is quoted, so a line is '"' + cells joined by '"<delim>"' + '"'.
    const sep = '"' + delim + '"';
    // Only text can hold a double quote; ids, numbers, dates and booleans print without one.
    const cols = this.columns.map((c) => ({ ...c, quotable: c.kind === 'text' || c.kind === 'multi' || c.kind === 'time' }));
    const ncols = cols.length;
    const cells = new Array<string>(ncols);
    for (let c = 0; c < ncols; c++) cells[c] = escapeQuotes(cols[c].header);
    const start = Math.max(0, Math.floor(offset));
    const end = Math.max(start, Math.min(this.rows.length, start + Math.max(0, Math.floor(maxRecords))));
    let buf = '"' + cells.join(sep) + '"' + eol;
    const rows = this.rows;
    const chains = this.chains;
    for (let i = start; i < end; i++) {
      const row = rows[i];
      for (let c = 0; c < ncols; c++) {
        const col = cols[c];
        const src = col.chain < 0 ? row : chains[col.chain][i];
        const v = src === undefined ? null : src[col.field];
        if (v === null || v === undefined) cells[c] = '';
        else if (typeof v === 'string') cells[c] = col.quotable ? escapeQuotes(v) : v;
        else cells[c] = formatValue(v, col.kind);
      }
      buf += '"' + cells.join(sep) + '"' + eol;
      if (buf.length >= CHUNK_CHARS) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
}
