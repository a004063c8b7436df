// A chunk's row places as a third file beside its CSV and sidecar, so spooling writes no ledger row per record: the
// ledger imports a chunk's places only when something first needs them (the parent sort, reconciliation). Row N of
// the file is row N of the CSV, so only what cannot be derived is stored: each row's CSV and sidecar lengths (the
// offsets are running sums from the CSV header's end; a sidecar line is its source line and "\n"), its hash, key
// and parent key. Binary, little-endian: a prelude of "RPL1" and the CSV header's byte length, then per row
// u32 csvLength, u32 sideLength and three strings (hash, key, parentKey), each a u32 byte length (NONE for null)
// and UTF-8 bytes. Binary rather than one text line per row: measured at ~205 against ~225 ns/row to write (1M
// Account-like rows, 52 against 46 bytes a row), with no escaping for keys that hold separators or line breaks and
// no parsing when read back. A row's hash may be left out (NONE): it is then the hash of its CSV line, computed
// when the places are read back (the ledger imports them while jobs wait on the org) instead of on the reader
// thread while spooling, where it cost ~12% of the transform (bench/target-transform.mjs).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { ConnectorError } from '../streams/connector-errors.js';
import { BlockFile, type CsvLineEnding } from '../streams/csv-chunker.js';
import type { RowPlace } from './job-ledger.js';
import { rowHashOfLfBytes } from './row-hash.js';

const MAGIC = 0x314c5052; // "RPL1"
const NONE = 0xffffffff;
const PRELUDE = 8;

/**
 * A spooled chunk whose files do not agree: changed or cut short outside the target (a disk that filled, a copy).
 * Never guessed at: the run stops, naming the file.
 */
export function spoolMismatch(path: string, what: string): ConnectorError {
  return new ConnectorError('RUN_FAILED', `${path}: ${what}; the spooled chunk under state_dir cannot be trusted (restore it, or remove state_dir and re-run from the last STATE)`, { where: path });
}

/**
 * What a places file stores of a row; its row number and offsets are derived from the lengths. A null hash is
 * derived from the row's CSV line when read back.
 */
export type StoredPlace = Pick<RowPlace, 'csvLength' | 'sideLength' | 'key' | 'parentKey'> & { readonly hash: string | null };

function putString(buf: Buffer, at: number, s: string | null): number {
  if (s === null) {
    buf.writeUInt32LE(NONE, at);
    return 4;
  }
  // Hashes and most keys are short ASCII: copied by hand, cheaper than a call into the encoder.
  let n = 0;
  if (s.length <= 64) {
    for (; n < s.length; n++) {
      const c = s.charCodeAt(n);
      if (c >= 0x80) break;
      buf[at + 4 + n] = c;
    }
  }
  if (n < s.length) n = buf.write(s, at + 4, 'utf8');
  buf.writeUInt32LE(n, at);
  return 4 + n;
}

/** Writes a chunk's row places as rows are spooled (buffered; `seal` fsyncs, as for the CSV and sidecar). */
export class RowPlaceLog {
  private readonly file: BlockFile;
  rows = 0;

  constructor(readonly path: string, csvHeaderBytes: number) {
    this.file = new BlockFile(path);
    this.file.appendWith(PRELUDE, (buf, at) => {
      buf.writeUInt32LE(MAGIC, at);
      buf.writeUInt32LE(csvHeaderBytes, at + 4);
      return PRELUDE;
    });
  }

  /**
   * Appends the next row's place (row `rows` of the chunk). Only what cannot be derived is taken; the file is
   * trusted only once sealed, so the block writer flushes when it likes.
   */
  push(p: StoredPlace): void {
    this.put(p.csvLength, p.sideLength, p.hash, p.key, p.parentKey);
  }

  /** push without an object per row (the spooling loop's). */
  put(csvLength: number, sideLength: number, hash: string | null, key: string | null, parentKey: string | null): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const max = 20 + 3 * ((hash?.length ?? 0) + (key?.length ?? 0) + (parentKey?.length ?? 0));
    const buf = this.file.reserve(max);
    let at = this.file.used;
    buf.writeUInt32LE(csvLength, at);
    buf.writeUInt32LE(sideLength, at + 4);
    at += 8;
    at += putString(buf, at, hash);
    at += putString(buf, at, key);
    at += putString(buf, at, parentKey);
    this.file.commit(at - this.file.used);
    this.rows++;
  }

  seal(): void {
    this.file.seal();
  }

  sealAsync(): Promise<void> {
    return this.file.sealAsync();
  }

  discard(): void {
    this.file.discard();
  }
}

/** What a chunk's files must add up to for its places to be trusted. */
export interface ChunkSizes {
  readonly csvPath: string;
  readonly sidePath: string;
  /** The CSV's line ending: a row's hash is that of its line with an LF ending. */
  readonly lineEnding: CsvLineEnding;
}

/** Reads a chunk's CSV rows in order, to hash the rows whose places leave the hash out. */
class CsvRowReader {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(READ);
  private start = 0;
  private end = 0;

  constructor(readonly path: string, private offset: number, private readonly crlf: boolean) {
    this.fd = openSync(path, 'r');
  }

  /** The hash of the row at `at` (rows are asked for in order), `length` bytes with its line ending. */
  hash(at: number, length: number): string {
    if (at !== this.offset + this.start) {
      // a row with a stored hash came between: skip its bytes
      this.offset = at;
      this.start = this.end = 0;
    }
    if (this.end - this.start < length) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.offset += this.start;
      this.end -= this.start;
      this.start = 0;
      if (length > this.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(length, this.buf.length * 2));
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      }
      while (this.end < length) {
        const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.offset + this.end);
        if (got === 0) throw spoolMismatch(this.path, 'the CSV ends before its last row');
        this.end += got;
      }
    }
    const a = this.start;
    this.start += length;
    if (!this.crlf) return rowHashOfLfBytes(this.buf.subarray(a, a + length));
    // The LF form of a CRLF line: its CR becomes the LF (this buffer's bytes are read once).
    this.buf[a + length - 2] = 10;
    return rowHashOfLfBytes(this.buf.subarray(a, a + length - 1));
  }

  close(): void {
    closeSync(this.fd);
  }
}

const READ = 1 << 20;

/**
 * Reads a places file back in pages of rows, deriving row numbers and offsets. The lengths must add up to the CSV's
 * and the sidecar's sizes exactly: a places file that does not describe its chunk is an error, never a guess.
 */
export function* readRowPlaces(path: string, files: ChunkSizes, pageSize = 1000): Generator<RowPlace[]> {
  const fd = openSync(path, 'r');
  let rowReader: CsvRowReader | undefined;
  try {
    let buf = Buffer.allocUnsafe(READ);
    let start = 0; // first unread byte in buf
    let end = 0; // end of valid bytes in buf
    let eof = false;
    /** Makes `n` bytes available from `start`; false at the end of the file. */
    const need = (n: number): boolean => {
      while (end - start < n) {
        if (eof) {
          if (end > start) throw spoolMismatch(path, 'the row places end in the middle of a row');
          return false;
        }
        if (start > 0) {
          buf.copy(buf, 0, start, end);
          end -= start;
          start = 0;
        }
        if (n > buf.length) {
          const bigger = Buffer.allocUnsafe(Math.max(n, buf.length * 2));
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
        }
        const got = readSync(fd, buf, end, buf.length - end, null);
        if (got === 0) eof = true;
        end += got;
      }
      return true;
    };
    if (!need(PRELUDE) || buf.readUInt32LE(0) !== MAGIC) throw spoolMismatch(path, 'not a row places file');
    let csvOffset = buf.readUInt32LE(4);
    const headerBytes = csvOffset;
    start = PRELUDE;
    let sideOffset = 0;
    let row = 0;
    const str = (): string | null => {
      if (!need(4)) throw spoolMismatch(path, 'the row places end in the middle of a row');
      const n = buf.readUInt32LE(start);
      start += 4;
      if (n === NONE) return null;
      need(n);
      const s = buf.toString('utf8', start, start + n);
      start += n;
      return s;
    };
    let page: RowPlace[] = [];
    while (need(8)) {
      const csvLength = buf.readUInt32LE(start);
      const sideLength = buf.readUInt32LE(start + 4);
      start += 8;
      const hash = str() ?? (rowReader ??= new CsvRowReader(files.csvPath, headerBytes, files.lineEnding === 'CRLF')).hash(csvOffset, csvLength);
      const key = str();
      const parentKey = str();
      page.push({ row, hash, key, parentKey, csvOffset, csvLength, sideOffset, sideLength });
      row++;
      csvOffset += csvLength;
      sideOffset += sideLength + 1;
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
    const csv = statSync(files.csvPath).size;
    const side = statSync(files.sidePath).size;
    if (csv !== csvOffset || side !== sideOffset) {
      throw spoolMismatch(path, `${row} row places cover ${csvOffset} CSV bytes and ${sideOffset} sidecar bytes, but the files hold ${csv} and ${side}`);
    }
  } finally {
    closeSync(fd);
    rowReader?.close();
  }
}
