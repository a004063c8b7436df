// The parallel half of reading: a block of whole input lines -> Singer messages -> built rows, as compact columns
// that cross a thread boundary cheaply (one string for all CSV lines, typed arrays for numbers). Everything with a
// side effect or an order (counts, STATE, the ledger, the chunker) stays with the reader thread, which consumes
// blocks strictly in input order. Line numbers here are relative to the block: the reader knows where it starts.
// Whatever needs an absolute line number in its text (a line that is not a message, a refused row) is only marked
// here; the reader redoes that line itself, so every message is produced by the same code as on one thread.
import type { CsvLineEnding } from '../streams/csv-chunker.js';
import type { SchemaValidators } from '../streams/schema-validators.js';
import { parseSingerLine, type OtherMessage } from '../streams/singer-reader.js';
import type { JsonSchema, SingerMessage } from '../streams/singer-messages.js';
import { buildRow, isRefused } from './record-row.js';
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
}

export interface PlanUpdate extends StreamPlanVersion {
  readonly stream: string;
  readonly schema: JsonSchema;
}

export interface BlockResult {
  /** The block's text: sources are slices of it. */
  readonly text: string;
  /** Lines processed (the whole block, or up to a SCHEMA this builder had no plan for). */
  readonly lines: number;
  /** Text after that SCHEMA, not processed: the reader resubmits it once the new plan is out. */
  readonly rest: string | undefined;
  readonly kind: Uint8Array;
  /** 0-based line of each item within the block. */
  readonly line: Int32Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly streams: string[];
  readonly streamOf: Int32Array;
  readonly version: Int32Array;
  /** Rows, in order: CSV lines concatenated, where each ends, UTF-8 lengths, line endings (1: CRLF). */
  readonly csv: string;
  readonly csvEnd: Int32Array;
  readonly csvBytes: Int32Array;
  readonly crlf: Uint8Array;
  /** 22-character row hashes, concatenated. */
  readonly hashes: string;
  readonly keys: (string | null)[];
  readonly parentKeys: (string | null)[];
  readonly messages: (SingerMessage | OtherMessage)[];
}

export const HASH_LENGTH = 22;

/** Builds every item of `text` (whole lines) with the plans `planFor` knows. */
export function transformBlock(text: string, planFor: (stream: string) => StreamPlanVersion | undefined, validators: SchemaValidators): BlockResult {
  const kind: number[] = [];
  const line: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const streams: string[] = [];
  const streamIndex = new Map<string, number>();
  const streamOf: number[] = [];
  const version: number[] = [];
  const csvEnd: number[] = [];
  const csvBytes: number[] = [];
  const crlf: number[] = [];
  const keys: (string | null)[] = [];
  const parentKeys: (string | null)[] = [];
  const messages: (SingerMessage | OtherMessage)[] = [];
  let csv = '';
  let hashes = '';
  let rest: string | undefined;
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
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const stop = nl === -1 ? text.length : nl;
    const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    const next = nl === -1 ? text.length : nl + 1;
    const source = text.slice(start, end);
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
          csv += row.csv;
          csvEnd.push(csv.length);
          csvBytes.push(row.csvBytes);
          crlf.push(row.eol === 'CRLF' ? 1 : 0);
          hashes += row.hash;
          keys.push(row.key);
          parentKeys.push(row.parentKey);
        }
      } else {
        item(ITEM_MESSAGE, start, end, '', -1);
        messages.push(m);
        if (m.type === 'SCHEMA' && planFor(m.stream)?.schemaText !== JSON.stringify(m.schema)) {
          // A new plan needs describe, on the reader's thread: stop here, the reader resubmits the rest.
          n++;
          if (next < text.length) rest = text.slice(next);
          break;
        }
      }
    }
    n++;
    start = next;
  }
  return {
    text,
    lines: n,
    rest,
    kind: Uint8Array.from(kind),
    line: Int32Array.from(line),
    from: Int32Array.from(from),
    to: Int32Array.from(to),
    streams,
    streamOf: Int32Array.from(streamOf),
    version: Int32Array.from(version),
    csv,
    csvEnd: Int32Array.from(csvEnd),
    csvBytes: Int32Array.from(csvBytes),
    crlf: Uint8Array.from(crlf),
    hashes,
    keys,
    parentKeys,
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
