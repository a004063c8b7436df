// CSV bodies as rows: bytes from the socket, gunzipped when compressed (by header or by magic bytes,
// since the guide says query results may always be compressed), through csv-parse, with backpressure.
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { DELIMITER_CHARS, type ColumnDelimiter } from './job-info.js';

export type CsvRow = Readonly<Record<string, string>>;

/** Ingest results: `sf__Id`, `sf__Created`, then the uploaded columns. */
export type SuccessfulResultRow = CsvRow & { readonly sf__Id: string; readonly sf__Created: string };
/** Ingest failures: `sf__Id`, `sf__Error` (`STATUS_CODE:message:FIELDS --`), then the uploaded columns. */
export type FailedResultRow = CsvRow & { readonly sf__Id: string; readonly sf__Error: string };
/** Rows never attempted: the uploaded columns. */
export type UnprocessedRow = CsvRow;

/**
 * A body stream, decompressed if it is gzip. The first two bytes decide (0x1f 0x8b never starts a CSV), so a
 * body compressed without a `Content-Encoding` header, or a header without compression, are both handled.
 * Pull-driven: nothing is read from the socket before the consumer asks.
 */
export function decodedBody(body: Readable): Readable {
  return Readable.from(decode(body), { objectMode: false });
}

async function* decode(body: Readable): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    let head: Buffer = Buffer.alloc(0);
    while (head.length < 2) {
      const r = await it.next();
      if (r.done) {
        if (head.length) yield head;
        return;
      }
      head = head.length ? Buffer.concat([head, r.value]) : r.value;
    }
    const rest = replay(head, it);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      const gunzip = pipeline(Readable.from(rest), createGunzip(), () => {
        // errors surface through the iteration below
      });
      for await (const chunk of gunzip) yield chunk as Buffer;
    } else {
      yield* rest;
    }
  } finally {
    await it.return?.();
    if (!body.destroyed) body.destroy();
  }
}

async function* replay(head: Buffer, it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
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
    if (this.used) throw new Error('CsvRows can be iterated once');
    this.used = true;
    const parser = parse({
      delimiter: DELIMITER_CHARS[this.options.columnDelimiter ?? 'COMMA'],
      bom: true,
      columns: (header: string[]) => {
        this.columns = header;
        return header;
      },
      relax_column_count: false,
      skip_empty_lines: false,
    });
    const chain = pipeline(this.source, parser, () => {
      // errors surface through the parser's iterator
    });
    try {
      for await (const row of chain) {
        this.count++;
        yield row as R;
      }
    } catch (e) {
      throw this.options.mapError ? this.options.mapError(e) : e;
    } finally {
      if (!this.source.destroyed) this.source.destroy();
    }
  }
}
