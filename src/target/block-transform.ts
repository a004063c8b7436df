// The parallel half of reading: a block of whole input lines -> Singer messages -> built rows, as compact columns
// that cross a thread boundary cheaply (the block and all its CSV lines as bytes that move, typed arrays for numbers). Everything with a
// side effect or an order (counts, STATE, the ledger, the chunker) stays with the reader thread, which consumes
// blocks strictly in input order. Line numbers here are relative to the block: the reader knows where it starts.
// Whatever needs an absolute line number in its text (a line that is not a message, a refused row) is only marked
// here; the reader redoes that line itself, so every message is produced by the same code as on one thread.
import { isUtf8 } from 'node:buffer';
import type { CsvLineEnding } from '../streams/csv-chunker.js';
import type { SchemaValidators } from '../streams/schema-validators.js';
import { parseSingerLine, type OtherMessage } from '../streams/singer-reader.js';
import type { JsonSchema, SingerMessage } from '../streams/singer-messages.js';
import type { LineBytesPlan } from './line-bytes-plan.js';
import { LineBytesRows } from './line-bytes-row.js';
import { buildRow, isRefused } from './record-row.js';
import { rowHashOfLfBytes } from './row-hash.js';
import type { StreamPlan } from './stream-plan.js';

/** What a block item is. */
export const ITEM_ROW = 0; // a RECORD built into a row with the plan of `version`
export const ITEM_REDO = 1; // a RECORD the reader builds itself: refused, or no plan here for its stream
export const ITEM_MESSAGE = 2; // SCHEMA, STATE, ACTIVATE_VERSION, or an unknown type (in `messages`)
export const ITEM_BAD_LINE = 3; // not a Singer message: the reader parses it again to throw the error

/** A stream's plan as the block builders know it; `version` changes whenever the stream's SCHEMA changes. */
export interface StreamPlanVersion {
  readonly version: number;
  /** The SCHEMA's `schema`, as JSON: a SCHEMA repeated unchanged keeps the plan. */
  readonly schemaText: string;
  /** undefined: the stream's records are not loaded. */
  readonly plan: StreamPlan | undefined;
  readonly nullCell: string;
  /** The plan for rows built from a line's bytes, when the stream's schema and rules allow it. */
  readonly bytesPlan?: LineBytesPlan;
  /** Rows built from bytes are hashed while spooling (else the places import derives the hash). */
  readonly hashRows: boolean;
}

export interface PlanUpdate extends Omit<StreamPlanVersion, 'bytesPlan'> {
  readonly stream: string;
  readonly schema: JsonSchema;
}

export interface BlockResult {
  /** The block's bytes (UTF-8): sources are slices of it. */
  readonly block: Uint8Array;
  /** Lines processed (the whole block, or up to a SCHEMA this builder had no plan for). */
  readonly lines: number;
  /** Bytes after that SCHEMA, not processed: the reader resubmits them once the new plan is out. */
  readonly rest: Uint8Array | undefined;
  readonly kind: Uint8Array;
  /** 0-based line of each item within the block. */
  readonly line: Int32Array;
  /** Where each item's line is in `block`. */
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly streams: string[];
  readonly streamOf: Int32Array;
  readonly version: Int32Array;
  /** Rows, in order: CSV lines' bytes concatenated, where each ends, line endings (1: CRLF). */
  readonly csv: Uint8Array;
  readonly csvEnd: Int32Array;
  readonly crlf: Uint8Array;
  /** Per row: its hash (null where the places import derives it, StreamPlanVersion.hashRows), key and parent key. */
  readonly hashes: StringColumn;
  readonly keys: StringColumn;
  readonly parentKeys: StringColumn;
  readonly messages: (SingerMessage | OtherMessage)[];
}

/**
 * Optional strings, one per row, as one string and typed arrays: a clone copies three things instead of a string
 * per row (measured: cloning per-row strings took 13% of a transform thread).
 */
export interface StringColumn {
  readonly text: string;
  /** Where each row's string ends in `text` (it starts where the row before it ends). */
  readonly end: Int32Array;
  /** 1: the row's value is null. */
  readonly none: Uint8Array;
}

/** Builds a StringColumn. */
class StringColumnOut {
  private text = '';
  private readonly end: number[] = [];
  private readonly none: number[] = [];

  push(s: string | null): void {
    if (s !== null) this.text += s;
    this.end.push(this.text.length);
    this.none.push(s === null ? 1 : 0);
  }

  done(): StringColumn {
    return { text: this.text, end: Int32Array.from(this.end), none: Uint8Array.from(this.none) };
  }
}

/** Row `row`'s string in `c`. */
export function stringAt(c: StringColumn, row: number): string | null {
  return c.none[row] ? null : c.text.slice(row ? c.end[row - 1]! : 0, c.end[row]!);
}

/** A buffer that grows, for the block's CSV bytes. */
class ByteOut {
  buf: Buffer;
  length = 0;

  constructor(size: number) {
    // Its own ArrayBuffer (never the shared pool): the result moves to the reader thread without a copy.
    this.buf = Buffer.from(new ArrayBuffer(size));
  }

  room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.from(new ArrayBuffer(Math.max(this.length + n, this.buf.length * 2)));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  bytes(src: Uint8Array, a: number, b: number): void {
    this.room(b - a);
    this.buf.set(src.subarray(a, b), this.length);
    this.length += b - a;
  }

  text(s: string): void {
    this.room(s.length * 3);
    this.length += this.buf.write(s, this.length);
  }
}

/** The bytes of `input` decoded, in an ArrayBuffer of their own (it may move between threads). */
function decoded(input: Buffer): Buffer {
  const text = input.toString('utf8');
  const b = Buffer.from(new ArrayBuffer(Buffer.byteLength(text)));
  b.write(text);
  return b;
}

/**
 * Builds every item of `input` (whole lines) with the plans `planFor` knows: each RECORD line by the byte-level
 * builder when its stream allows and it can prove the row, else parsed (as the reader thread alone does).
 */
export function transformBlock(input: Buffer, planFor: (stream: string) => StreamPlanVersion | undefined, validators: SchemaValidators, rows = new LineBytesRows()): BlockResult {
  // Valid UTF-8 (nearly always): line bytes are what decoding and encoding them again would give. Else the block
  // is decoded once, as each of its lines would be (a line break is never part of an invalid sequence).
  const block = isUtf8(input) ? input : decoded(input);
  const kind: number[] = [];
  const line: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const streams: string[] = [];
  const streamIndex = new Map<string, number>();
  const streamOf: number[] = [];
  const version: number[] = [];
  const csvEnd: number[] = [];
  const crlf: number[] = [];
  const hashes = new StringColumnOut();
  const keys = new StringColumnOut();
  const parentKeys = new StringColumnOut();
  const messages: (SingerMessage | OtherMessage)[] = [];
  const csv = new ByteOut(block.length + 1024);
  let rest: Uint8Array | undefined;
  let n = 0;
  const item = (k: number, start: number, end: number, stream: string, v: number): void => {
    kind.push(k);
    line.push(n);
    from.push(start);
    to.push(end);
    let si = streamIndex.get(stream);
    if (si === undefined) {
      si = streams.push(stream) - 1;
      streamIndex.set(stream, si);
    }
    streamOf.push(si);
    version.push(v);
  };
  // The plan of the stream a RECORD line names (the last stream's, without decoding).
  let lastName: Buffer | undefined;
  let last: StreamPlanVersion | undefined;
  const lookup = (src: Buffer, a: number, b: number): LineBytesPlan | undefined => {
    if (lastName === undefined || lastName.length !== b - a || lastName.compare(src, a, b) !== 0) {
      last = planFor(src.toString('utf8', a, b));
      lastName = Buffer.from(src.subarray(a, b));
    }
    return last?.bytesPlan;
  };
  let start = 0;
  while (start < block.length) {
    const nl = block.indexOf(10, start);
    const stop = nl === -1 ? block.length : nl;
    const end = stop > start && block[stop - 1] === 13 ? stop - 1 : stop;
    const next = nl === -1 ? block.length : nl + 1;
    const built = rows.build(block, start, end, lookup);
    if (built >= 0) {
      const p = last!;
      item(ITEM_ROW, start, end, p.plan!.stream, p.version);
      const out = rows.out;
      hashes.push(p.hashRows ? rowHashOfLfBytes(out.subarray(0, built)) : null);
      if (rows.crlf) {
        out[built - 1] = 13;
        out[built] = 10;
      }
      csv.bytes(out, 0, rows.crlf ? built + 1 : built);
      csvEnd.push(csv.length);
      crlf.push(rows.crlf ? 1 : 0);
      keys.push(rows.key);
      parentKeys.push(rows.parentKey);
      n++;
      start = next;
      continue;
    }
    const source = block.toString('utf8', start, end);
    let m: SingerMessage | OtherMessage | undefined;
    try {
      m = parseSingerLine(source, n + 1);
    } catch {
      item(ITEM_BAD_LINE, start, end, '', -1);
      n++;
      break; // the run stops at this line
    }
    if (m !== undefined) {
      if ('line' in m) {
        item(ITEM_MESSAGE, start, end, '', -1);
        messages.push(m);
      } else if (m.type === 'RECORD') {
        const p = planFor(m.stream);
        const row = p?.plan ? buildRow(p.plan, p.nullCell, validators, m.record, n + 1) : undefined;
        if (row === undefined || isRefused(row)) item(ITEM_REDO, start, end, m.stream, -1);
        else {
          item(ITEM_ROW, start, end, m.stream, p!.version);
          csv.text(row.csv);
          csvEnd.push(csv.length);
          crlf.push(row.eol === 'CRLF' ? 1 : 0);
          hashes.push(row.hash);
          keys.push(row.key);
          parentKeys.push(row.parentKey);
        }
      } else {
        item(ITEM_MESSAGE, start, end, '', -1);
        messages.push(m);
        if (m.type === 'SCHEMA' && planFor(m.stream)?.schemaText !== JSON.stringify(m.schema)) {
          // A new plan needs describe, on the reader's thread: stop here, the reader resubmits the rest.
          n++;
          if (next < block.length) rest = block.subarray(next);
          break;
        }
      }
    }
    n++;
    start = next;
  }
  return {
    block,
    lines: n,
    rest,
    kind: Uint8Array.from(kind),
    line: Int32Array.from(line),
    from: Int32Array.from(from),
    to: Int32Array.from(to),
    streams,
    streamOf: Int32Array.from(streamOf),
    version: Int32Array.from(version),
    csv: csv.buf.subarray(0, csv.length),
    csvEnd: Int32Array.from(csvEnd),
    crlf: Uint8Array.from(crlf),
    hashes: hashes.done(),
    keys: keys.done(),
    parentKeys: parentKeys.done(),
    messages,
  };
}

export function rowEnding(r: BlockResult, row: number): CsvLineEnding {
  return r.crlf[row] ? 'CRLF' : 'LF';
}

/** True when a block may hold a SCHEMA message (every SCHEMA has a "schema" key): nothing is sent after it until it is consumed. */
export function mayHoldSchema(block: Uint8Array | string): boolean {
  return typeof block === 'string' ? block.includes('"schema"') : Buffer.from(block.buffer, block.byteOffset, block.byteLength).indexOf('"schema"') !== -1;
}
