// CSV bodies as rows: decoded bytes (see http/decoded-body.ts) through our RFC 4180 splitter, pulled chunk by
// chunk (backpressure: nothing is read before the consumer asks).
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvRecordSplitter, CsvSyntaxError } from './record-splitter.js';
import { ProtocolError, UsageError } from '../errors.js';
import { DELIMITER_CHARS, type ColumnDelimiter } from '../jobs/job-info.js';

export type CsvRow = Readonly<Record<string, string>>;

/** Ingest results: `sf__Id`, `sf__Created`, then the uploaded columns. */
export type SuccessfulResultRow = CsvRow & { readonly sf__Id: string; readonly sf__Created: string };
/** Ingest failures: `sf__Id`, `sf__Error` (`STATUS_CODE:message:FIELDS --`), then the uploaded columns. */
export type FailedResultRow = CsvRow & { readonly sf__Id: string; readonly sf__Error: string };
/** Rows never attempted: the uploaded columns. */
export type UnprocessedRow = CsvRow;

/** Without a caller's mapping, a CSV syntax error is still a typed ProtocolError; stream errors pass through. */
function typedCsvError(e: unknown): unknown {
  return e instanceof CsvSyntaxError ? new ProtocolError(`malformed CSV: ${e.message}`, { cause: e }) : e;
}

export interface CsvRowsOptions {
  readonly columnDelimiter?: ColumnDelimiter;
  /** Turns a raw stream or parse error into the error the caller should see. */
  readonly mapError?: (e: unknown) => Error;
}

/**
 * Parses a CSV stream with a header row into objects keyed by column name. Iterate it once; `columns`
 * holds the header after the first row (or after the end, for a header-only body). `count` is the number
 * of data rows yielded so far.
 */
export class CsvRows<R extends CsvRow = CsvRow> implements AsyncIterable<R> {
  columns: readonly string[] | undefined;
  count = 0;
  private used = false;

  constructor(
    private readonly source: Readable,
    private readonly options: CsvRowsOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    if (this.used) throw new UsageError('CsvRows can be iterated once');
    this.used = true;
    const splitter = new CsvRecordSplitter(DELIMITER_CHARS[this.options.columnDelimiter ?? 'COMMA']);
    const decoder = new StringDecoder('utf8');
    let header: string[] | undefined;
    const toRow = (header: readonly string[], cells: string[]): R => {
      if (cells.length !== header.length) {
        throw new CsvSyntaxError(`a row has ${cells.length} cells where the header has ${header.length}`, this.count + 2);
      }
      const row: Record<string, string> = {};
      for (let k = 0; k < cells.length; k++) row[header[k]] = cells[k];
      return row as R;
    };
    try {
      let first = true;
      for (let chunks = this.source[Symbol.asyncIterator](); ; ) {
        const next = await chunks.next();
        let text = next.done ? decoder.end() : decoder.write(next.value as Buffer);
        if (first && text.length) {
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          first = false;
        }
        const records = next.done ? splitter.end(text) : splitter.push(text);
        for (const cells of records) {
          if (!header) {
            header = cells;
            this.columns = header;
            continue;
          }
          const row = toRow(header, cells);
          this.count++;
          yield row;
        }
        if (next.done) break;
      }
    } catch (e) {
      throw this.options.mapError ? this.options.mapError(e) : typedCsvError(e);
    } finally {
      if (!this.source.destroyed) this.source.destroy();
    }
  }
}
