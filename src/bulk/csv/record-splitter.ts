// An RFC 4180 record splitter fed text chunk by chunk. Written for speed on Salesforce's bodies (every cell
// quoted): native indexOf finds the closing quotes, so a row costs a few slices, not a call per character.
// csv-parse managed about 100,000 rows/s here, below one Salesforce result stream; this keeps the client
// out of the way.
//
// It is a state machine that resumes where the last chunk stopped: each character is scanned once, however
// a record is cut across chunks, and only the record in progress is kept between chunks. That record is
// capped: an unclosed quote must not make the client hold the rest of a page as one string.

import { UsageError } from '../errors.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The longest record accepted, in characters. Salesforce's longest field holds 131,072 characters and an object's
 * long text areas hold 1,638,400 characters in all; with every other field at its longest a record stays far
 * below this, so a record beyond it is a broken body (an unclosed quote), not data.
 */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;

export class CsvSyntaxError extends Error {
  readonly code: 'CSV_SYNTAX' | 'CSV_RECORD_TOO_LONG' = 'CSV_SYNTAX';
  constructor(
    message: string,
    /** 1-based record number where the problem is. */
    readonly record: number,
  ) {
    super(`${message} (record ${record})`);
  }
}

/** A record longer than the cap: almost always a quote that is never closed. */
export class CsvRecordTooLongError extends CsvSyntaxError {
  override readonly code = 'CSV_RECORD_TOO_LONG' as const;
}

/** Where the scan stands between two characters. */
type ScanState =
  | 'field' // at the start of a field
  | 'unquoted' // inside an unquoted field
  | 'quoted' // inside a quoted field
  | 'quote' // just after a quote inside a quoted field: a doubled quote or the field's end
  | 'cr'; // just after the CR that ended a record: an LF here belongs to it

/** Splits text into records (arrays of cells). Feed chunks with `push`, then call `end`. */
export class CsvRecordSplitter {
  private state: ScanState = 'field';
  /** The finished cells of the record in progress. */
  private cells: string[] = [];
  /** The value so far of the field in progress (quotes undone). */
  private part = '';
  /** Characters of the record in progress seen in earlier chunks. */
  private carried = 0;
  private records = 0;
  private readonly delim: number;

  constructor(
    delimiter: string,
    private readonly maxRecordChars: number = MAX_RECORD_CHARS,
  ) {
    if (delimiter.length !== 1) throw new UsageError(`a CSV delimiter is one character, not ${JSON.stringify(delimiter)}`);
    this.delim = delimiter.charCodeAt(0);
  }

  /** Complete records in `chunk` (with what was left over before it). */
  push(chunk: string): string[][] {
    return this.scan(chunk);
  }

  /** The last records: the input has ended. */
  end(chunk = ''): string[][] {
    const out = this.scan(chunk);
    switch (this.state) {
      case 'quoted':
        throw new CsvSyntaxError('a quoted field is not closed before the end of the body', this.records + 1);
      case 'quote':
      case 'unquoted':
        this.endField();
        out.push(this.endRecord());
        break;
      case 'field':
        // after a delimiter at the very end: an empty last field
        if (this.cells.length > 0) {
          this.endField();
          out.push(this.endRecord());
        }
        break;
      case 'cr':
        break;
    }
    this.state = 'field';
    return out;
  }

  private scan(text: string): string[][] {
    const out: string[][] = [];
    const n = text.length;
    const delim = this.delim;
    /** Where the record in progress starts in this chunk (0 when it began in an earlier one). */
    let recStart = 0;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case 'cr':
          if (text.charCodeAt(i) === LF) i++;
          this.state = 'field';
          recStart = i;
          break;
        case 'field': {
          if (text.charCodeAt(i) !== QUOTE) {
            this.state = 'unquoted';
            break;
          }
          i++;
          // Fast path, Salesforce's usual cell: the quoted field closes in this chunk, with no doubled quote,
          // and a delimiter or LF follows.
          const q = text.indexOf('"', i);
          if (q >= 0 && q + 1 < n) {
            const next = text.charCodeAt(q + 1);
            if (next === delim || next === LF) {
              this.cells.push(text.slice(i, q));
              i = q + 2;
              if (next === LF) {
                out.push(this.endRecord());
                recStart = i;
              }
              break;
            }
          }
          this.state = 'quoted';
          break;
        }
        case 'unquoted': {
          let j = i;
          let c = 0;
          while (j < n) {
            c = text.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          this.part = this.part ? this.part + text.slice(i, j) : text.slice(i, j);
          i = j;
          if (j >= n) break;
          this.endField();
          i++;
          if (c === delim) {
            this.state = 'field';
          } else {
            out.push(this.endRecord());
            this.state = c === CR ? 'cr' : 'field';
            recStart = i;
          }
          break;
        }
        case 'quoted': {
          const q = text.indexOf('"', i);
          const stop = q < 0 ? n : q;
          this.part = this.part ? this.part + text.slice(i, stop) : text.slice(i, stop);
          if (q < 0) {
            i = n;
          } else {
            i = q + 1;
            this.state = 'quote';
          }
          break;
        }
        case 'quote': {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.part += '"';
            i++;
            this.state = 'quoted';
          } else if (c === delim) {
            this.endField();
            i++;
            this.state = 'field';
          } else if (c === LF || c === CR) {
            this.endField();
            out.push(this.endRecord());
            i++;
            this.state = c === CR ? 'cr' : 'field';
            recStart = i;
          } else {
            throw new CsvSyntaxError(`unexpected ${JSON.stringify(text[i])} after a closing quote`, this.records + 1);
          }
          break;
        }
      }
    }
    // Whatever of this chunk belongs to the record still in progress counts toward its cap.
    const inProgress = this.state !== 'cr' && (this.state !== 'field' || this.cells.length > 0);
    this.carried = inProgress ? this.carried + (n - recStart) : 0;
    if (this.carried > this.maxRecordChars) {
      throw new CsvRecordTooLongError(
        `a record runs past ${this.maxRecordChars} characters without ending (an unclosed quote?); no Salesforce record is that long`,
        this.records + 1,
      );
    }
    return out;
  }

  private endField(): void {
    this.cells.push(this.part);
    this.part = '';
  }

  private endRecord(): string[] {
    const rec = this.cells;
    this.cells = [];
    this.carried = 0;
    this.records++;
    return rec;
  }
}
