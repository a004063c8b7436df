// The three result sets of an ingest job (successfulResults, failedResults, unprocessedrecords), rendered as
// Buffers of about 64 KB straight from the uploaded bytes: the original header as uploaded, then per row the
// sf__ columns and the row's cells, every cell quoted, in the job's delimiter and line ending.
//
// A row without a quote character is echoed byte by byte (each delimiter becomes `"<d>"`), which is exactly
// what decoding its cells and quoting them again gives for valid UTF-8; rows with quotes, and uploads that are
// not valid UTF-8 (decoding replaces bad bytes), take the decode-and-quote path.
import { isUtf8 } from 'node:buffer';
import { DELIMITER_CHARS, parseRecord, type ScannedCsv } from './csv.js';
import { ROW_CREATED, ROW_FAILED, ROW_UNPROCESSED, ROW_UPDATED, type RowOutcomes } from './row-outcomes.js';
import type { ColumnDelimiter, LineEnding } from './types.js';

export type ResultSetKind = 'successful' | 'failed' | 'unprocessed';

export interface ResultSetSource {
  readonly csv: Buffer;
  /** The scan of the upload; undefined when it could not be read (the header is then its first line). */
  readonly scanned: ScannedCsv | undefined;
  readonly columnDelimiter: ColumnDelimiter;
  readonly lineEnding: LineEnding;
  readonly outcomes: RowOutcomes;
}

const CHUNK_BYTES = 64 * 1024;
const QUOTE = 0x22;

/** The header row as uploaded. */
function headerText(src: ResultSetSource): string {
  const s = src.scanned;
  if (s) return src.csv.toString('utf8', s.headerStart, s.headerEnd);
  const lf = src.csv.indexOf(0x0a);
  const line = src.csv.toString('utf8', 0, lf < 0 ? src.csv.length : lf);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Upper bound of the bytes `putQuoted` writes for `s`. */
function quotedBytes(s: string): number {
  return s.length * 6 + 2;
}

function putQuoted(buf: Buffer, pos: number, s: string): number {
  buf[pos++] = QUOTE;
  const text = s.indexOf('"') < 0 ? s : s.replaceAll('"', '""');
  pos += buf.write(text, pos, 'utf8');
  buf[pos++] = QUOTE;
  return pos;
}

/** putQuoted for an sf__Id (ASCII letters and digits, no quote): a byte loop, cheaper than a native write per row. */
function putQuotedAscii(buf: Buffer, pos: number, s: string): number {
  buf[pos++] = QUOTE;
  for (let k = 0; k < s.length; k++) buf[pos++] = s.charCodeAt(k);
  buf[pos++] = QUOTE;
  return pos;
}

/** Whether `s` can take putQuotedAscii. */
function isPlainAscii(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 0x7e || c === QUOTE) return false;
  }
  return true;
}

const TRUE_CELL = Buffer.from('"true"', 'latin1');
const FALSE_CELL = Buffer.from('"false"', 'latin1');

function putBytes(buf: Buffer, pos: number, bytes: Buffer): number {
  for (let k = 0; k < bytes.length; k++) buf[pos++] = bytes[k];
  return pos;
}

/** Echoes the record csv[start, end) with every cell quoted; -1 when it holds a quote (use putCells). */
function putRecordBytes(buf: Buffer, pos: number, csv: Buffer, start: number, end: number, delim: number): number {
  buf[pos++] = QUOTE;
  for (let j = start; j < end; j++) {
    const c = csv[j];
    if (c === delim) {
      buf[pos++] = QUOTE;
      buf[pos++] = delim;
      buf[pos++] = QUOTE;
    } else if (c === QUOTE) {
      return -1;
    } else {
      buf[pos++] = c;
    }
  }
  buf[pos++] = QUOTE;
  return pos;
}

/** Decodes the record's cells and writes each quoted. */
function putCells(buf: Buffer, pos: number, src: ResultSetSource, start: number, end: number, delim: number): number {
  const cells = parseRecord(src.csv, start, end, src.columnDelimiter);
  for (let k = 0; k < cells.length; k++) {
    if (k > 0) buf[pos++] = delim;
    pos = putQuoted(buf, pos, cells[k]);
  }
  return pos;
}

function wanted(kind: ResultSetKind, st: number): boolean {
  if (kind === 'successful') return st === ROW_CREATED || st === ROW_UPDATED;
  if (kind === 'failed') return st === ROW_FAILED;
  return st === ROW_UNPROCESSED;
}

/**
 * One result set as Buffers of about 64 KB; each ends with a line ending. With `reuse`, each Buffer is
 * overwritten by the next one (read it before asking for the next): a download then allocates nothing per chunk.
 */
export function* resultSetChunks(src: ResultSetSource, kind: ResultSetKind, reuse = false): Generator<Buffer> {
  const d = DELIMITER_CHARS[src.columnDelimiter];
  const delim = d.charCodeAt(0);
  const eol = src.lineEnding === 'CRLF' ? '\r\n' : '\n';
  const crlf = eol.length === 2;
  const head = kind === 'successful' ? `"sf__Id"${d}"sf__Created"${d}` : kind === 'failed' ? `"sf__Id"${d}"sf__Error"${d}` : '';
  if (src.csv.length === 0) {
    // an empty upload: the sf__ columns alone, and an empty unprocessedrecords
    if (head) yield Buffer.from(head.slice(0, -1) + eol, 'utf8');
    return;
  }
  yield Buffer.from(head + headerText(src) + eol, 'utf8');
  const s = src.scanned;
  if (!s) return;
  const { status, ids, errors } = src.outcomes;
  const { csv } = src;
  const echo = isUtf8(csv);
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let pos = 0;
  for (let i = 0; i < status.length; i++) {
    const st = status[i];
    if (!wanted(kind, st)) continue;
    const start = s.starts[i];
    const end = s.ends[i];
    const id = kind === 'unprocessed' ? '' : (ids[i] ?? '');
    const error = kind === 'failed' ? (errors.get(i) ?? '') : '';
    // each byte of a row prints in at most 3 (a delimiter as `"<d>"`, a bad byte as U+FFFD): 6 leaves room to spare
    const need = (end - start) * 6 + 8 + quotedBytes(id) + quotedBytes(error);
    if (pos + need > buf.length) {
      if (pos > 0) yield buf.subarray(0, pos);
      if (!reuse || need > buf.length) buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, need));
      pos = 0;
    }
    if (kind !== 'unprocessed') {
      // sf__Ids are the store's 18-character ids; anything else takes the general path
      pos = id.length <= 18 && isPlainAscii(id) ? putQuotedAscii(buf, pos, id) : putQuoted(buf, pos, id);
      buf[pos++] = delim;
      if (kind === 'successful') {
        pos = putBytes(buf, pos, st === ROW_CREATED ? TRUE_CELL : FALSE_CELL);
      } else {
        pos = putQuoted(buf, pos, error);
      }
      buf[pos++] = delim;
    }
    const echoed = echo ? putRecordBytes(buf, pos, csv, start, end, delim) : -1;
    pos = echoed >= 0 ? echoed : putCells(buf, pos, src, start, end, delim);
    if (crlf) buf[pos++] = 0x0d;
    buf[pos++] = 0x0a;
  }
  if (pos > 0) yield buf.subarray(0, pos);
}
