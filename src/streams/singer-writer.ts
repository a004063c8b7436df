// The only writer of a connector's stdout: Singer messages as JSON lines, in order, with backpressure. Lines are
// gathered into chunks of up to 64 KB (one write call per chunk, not per record); when the reader is slower than
// we are, every write waits for 'drain', so memory holds at most one chunk plus the stream's own buffer.
import type { Writable } from 'node:stream';
import { ConnectorError } from './connector-errors.js';
import type { JsonValue, SchemaMessage } from './singer-messages.js';

const CHUNK_CHARS = 64 * 1024;

export class SingerWriter {
  private pending = '';
  private broken: Error | undefined;
  /** RECORD lines written (for progress). */
  records = 0;

  constructor(private readonly out: Writable) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      this.broken = new ConnectorError('RUN_FAILED', e.code === 'EPIPE' ? 'the reader of stdout went away (EPIPE)' : `stdout failed: ${e.message}`, { cause: e, where: 'stdout' });
    });
  }

  async schema(msg: Omit<SchemaMessage, 'type'>): Promise<void> {
    await this.line(JSON.stringify({ type: 'SCHEMA', ...msg }));
  }

  /** A STATE line; everything written before it reaches stdout first, and the chunk is flushed at once. */
  async state(value: JsonValue): Promise<void> {
    this.pending += `${JSON.stringify({ type: 'STATE', value })}\n`;
    await this.flush();
  }

  /**
   * A RECORD line from a record's JSON text (built by RecordCoercer), so records are never built as objects
   * only to be serialized again. `prefix` comes from `recordPrefix(stream)`. Synchronous (no await per row):
   * when it returns true the chunk is full and the caller must `await flush()` before the next record.
   */
  record(prefix: string, recordJson: string, timeExtracted: string): boolean {
    this.records++;
    this.pending += `${prefix}${recordJson},"time_extracted":"${timeExtracted}"}\n`;
    return this.pending.length >= CHUNK_CHARS;
  }

  /** Writes what is gathered and waits until the stream can take more. */
  async flush(): Promise<void> {
    if (this.broken) throw this.broken;
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    if (!this.out.write(chunk)) await this.drained();
  }

  private async line(text: string): Promise<void> {
    this.pending += `${text}\n`;
    if (this.pending.length >= CHUNK_CHARS) await this.flush();
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('error', fail);
        this.out.off('close', done);
        if (this.broken) reject(this.broken);
        else resolve();
      };
      const fail = () => done();
      this.out.on('drain', done);
      this.out.on('error', fail);
      this.out.on('close', done);
    });
  }
}

/** The constant start of a stream's RECORD lines. */
export function recordPrefix(stream: string): string {
  return `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":`;
}
