// Rows -> CSV chunk files bounded in bytes and rows. Each row is written to the chunk's CSV and its source line to
// a sidecar file, and the chunker reports where both landed, so a row can later be copied into a retry chunk or
// written back to a failed-rows file without holding any chunk in memory. Writes are buffered in small blocks
// and synchronous: a chunk is on disk (fsync) before anyone may send it. The fsync may run off the caller's thread
// (sealAsync), so a reader goes on with the next chunk while the last one reaches the disk.
import { close, closeSync, fsync, fsyncSync, openSync, writeSync } from 'node:fs';

export type CsvLineEnding = 'LF' | 'CRLF';

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTES = /"/g;

/** One CSV cell, RFC 4180: quoted only when it holds a quote, the delimiter or a line break. */
export function csvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(QUOTES, '""')}"` : value;
}

/** One CSV line with its terminator. */
export function csvLine(cells: readonly string[], eol: CsvLineEnding): string {
  let s = '';
  for (let i = 0; i < cells.length; i++) s += (i ? ',' : '') + csvCell(cells[i]!);
  return s + (eol === 'LF' ? '\n' : '\r\n');
}

/**
 * The line ending a row can travel with: servers that check line endings over the whole file refuse a CRLF inside
 * a value of an LF file and a bare LF inside a value of a CRLF file. undefined when the row mixes both.
 */
export function lineEndingFor(cells: readonly string[]): CsvLineEnding | undefined {
  let crlf = false;
  let bareLf = false;
  for (const c of cells) {
    let i = c.indexOf('\n');
    while (i !== -1) {
      if (i > 0 && c.charCodeAt(i - 1) === 13) crlf = true;
      else bareLf = true;
      i = c.indexOf('\n', i + 1);
    }
  }
  if (crlf && bareLf) return undefined;
  return crlf ? 'CRLF' : 'LF';
}

const BLOCK = 1 << 20;

function writeAll(fd: number, b: Buffer, length: number): void {
  for (let off = 0; off < length; ) off += writeSync(fd, b, off, length - off);
}

/** An append-only file written in blocks, tracking its length. */
export class BlockFile {
  private readonly fd: number;
  // Text is encoded straight into one reused block: no per-row Buffer, no joined string, and the byte length
  // comes from the encoding itself.
  private block = Buffer.allocUnsafe(BLOCK);
  /** Bytes held in the block, not yet written. */
  used = 0;
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }

  /** Appends text, or bytes as they are; returns the byte length (the offset is `bytes` before). */
  append(text: string | Uint8Array): number {
    if (typeof text !== 'string') {
      const n = text.length;
      if (n > BLOCK - this.used) {
        this.flush();
        if (n > BLOCK) {
          writeAll(this.fd, Buffer.from(text.buffer, text.byteOffset, n), n);
          this.bytes += n;
          return n;
        }
      }
      this.block.set(text, this.used);
      this.used += n;
      this.bytes += n;
      return n;
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (text.length * 3 > BLOCK - this.used) {
      this.flush();
      if (text.length * 3 > BLOCK) {
        const b = Buffer.from(text);
        writeAll(this.fd, b, b.length);
        this.bytes += b.length;
        return b.length;
      }
    }
    const len = this.block.write(text, this.used);
    this.used += len;
    this.bytes += len;
    return len;
  }

  appendByte(b: number): void {
    if (this.used === BLOCK) this.flush();
    this.block[this.used++] = b;
    this.bytes++;
  }

  /**
   * Appends up to `max` bytes that `fill` writes into `buf` from `at` (returning how many it wrote): binary records
   * go straight into the block like text does.
   */
  appendWith(max: number, fill: (buf: Buffer, at: number) => number): void {
    this.commit(fill(this.reserve(max), this.used));
  }

  /** Room for up to `max` bytes at `used` in the buffer returned; commit(n) then appends the n written there. */
  reserve(max: number): Buffer {
    if (max > this.block.length - this.used) {
      this.flush();
      if (max > this.block.length) this.block = Buffer.allocUnsafe(max); // rare: one record larger than a block
    }
    return this.block;
  }

  commit(n: number): void {
    this.used += n;
    this.bytes += n;
  }

  flush(): void {
    if (!this.used) return;
    writeAll(this.fd, this.block, this.used);
    this.used = 0;
  }

  /** Flushes, fsyncs and closes. */
  seal(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  /** As seal, the fsync and close on the thread pool: resolves once the file is durable. */
  sealAsync(): Promise<void> {
    this.flush();
    return new Promise((resolve, reject) => {
      fsync(this.fd, (e) => close(this.fd, (e2) => (e ?? e2 ? reject(e ?? e2) : resolve())));
    });
  }

  /** Closes without caring for the contents (the file is about to be removed). */
  discard(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

export interface ChunkRowPlace {
  /** 0-based row number within the chunk. */
  readonly row: number;
  readonly csvOffset: number;
  readonly csvLength: number;
  readonly sideOffset: number;
  readonly sideLength: number;
}

export interface ChunkFiles {
  readonly csvPath: string;
  readonly sidePath: string;
}

/** One chunk being written: the CSV (header first) and the sidecar of source lines. */
export class CsvChunkWriter {
  readonly csv: BlockFile;
  readonly side: BlockFile;
  rows = 0;
  readonly headerBytes: number;

  constructor(
    readonly files: ChunkFiles,
    header: readonly string[],
    readonly eol: CsvLineEnding,
  ) {
    this.csv = new BlockFile(files.csvPath);
    this.side = new BlockFile(files.sidePath);
    this.headerBytes = this.csv.append(csvLine(header, eol));
  }

  get bytes(): number {
    return this.csv.bytes;
  }

  /** The last row's CSV and sidecar lengths (putLine's: no object per row). */
  lastCsvLength = 0;
  lastSideLength = 0;

  /** Appends a ready CSV line (with terminator) and its source line (without), as text or UTF-8 bytes. */
  addLine(line: string | Uint8Array, source: string | Uint8Array): ChunkRowPlace {
    const csvOffset = this.csv.bytes;
    const sideOffset = this.side.bytes;
    this.putLine(line, source);
    return { row: this.rows - 1, csvOffset, csvLength: this.lastCsvLength, sideOffset, sideLength: this.lastSideLength };
  }

  /** addLine without the place: the lengths are left in lastCsvLength and lastSideLength. */
  putLine(line: string | Uint8Array, source: string | Uint8Array): void {
    this.lastCsvLength = this.csv.append(line);
    this.lastSideLength = this.side.append(source);
    this.side.appendByte(10);
    this.rows++;
  }

  seal(): void {
    this.csv.seal();
    this.side.seal();
  }

  async sealAsync(): Promise<void> {
    await Promise.all([this.csv.sealAsync(), this.side.sealAsync()]);
  }

  discard(): void {
    this.csv.discard();
    this.side.discard();
  }
}

export interface ChunkLimits {
  readonly maxBytes: number;
  readonly maxRows: number;
}

/**
 * Cuts rows into chunks: a row that would push the current chunk past `maxBytes` or `maxRows` seals it first.
 * `open` names the files of the next chunk; `sealed` receives each full chunk, written but not yet durable: it
 * seals the writer (seal, or sealAsync and waits) before anything may trust the files.
 */
export class CsvChunker<C extends { writer: CsvChunkWriter }> {
  private current: C | undefined;

  constructor(
    private readonly limits: ChunkLimits,
    private readonly open: () => C,
    private readonly sealed: (chunk: C) => void,
  ) {}

  get pending(): C | undefined {
    return this.current;
  }

  /**
   * Adds a CSV line (`len`: its UTF-8 length, when the caller knows it); returns the chunk it went into (where the
   * row landed: its writer's lastCsvLength and lastSideLength). Throws when one row alone exceeds maxBytes.
   */
  add(line: string | Uint8Array, source: string | Uint8Array, len = typeof line === 'string' ? Buffer.byteLength(line) : line.length): C {
    let c = this.current;
    if (c && (c.writer.rows >= this.limits.maxRows || c.writer.bytes + len > this.limits.maxBytes)) {
      this.flush();
      c = undefined;
    }
    if (!c) {
      c = this.open();
      if (c.writer.bytes + len > this.limits.maxBytes) {
        c.writer.discard();
        throw new RangeError(`one row is ${len} bytes, more than the ${this.limits.maxBytes}-byte upload limit with its header`);
      }
      this.current = c;
    }
    c.writer.putLine(line, source);
    return c;
  }

  /** Seals the current chunk if it holds maxRows rows (call after recording the last row's place). */
  sealIfFull(): void {
    if (this.current && this.current.writer.rows >= this.limits.maxRows) this.flush();
  }

  /** Hands the current chunk, if it has rows, to `sealed`. */
  flush(): void {
    const c = this.current;
    this.current = undefined;
    if (!c) return;
    this.sealed(c);
  }
}
