// Writing responses the way Salesforce does: pretty JSON, the error envelope, gzip when asked, limit header.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

/** A Salesforce REST error entry; the envelope on the wire is an array of these. */
export interface ApiErrorEntry {
  readonly errorCode: string;
  readonly message: string;
  readonly fields?: readonly string[];
}

/** Thrown by handlers to answer with Salesforce's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  body(): ApiErrorEntry[] {
    return [{ errorCode: this.errorCode, message: this.message }];
  }
}

export const notFound = () => new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

/** Salesforce pretty-prints JSON as `"key" : value` with two-space indents. */
export function salesforceJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/^(\s*"(?:[^"\\]|\\.)*"):/gm, '$1 :');
}

function wantsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  return typeof ae === 'string' && /\bgzip\b/i.test(ae);
}

const GZIP_MIN_BYTES = 1024;

/** Sends a body, gzip-compressed when the client accepts it (other encodings are ignored, as Salesforce does). */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string | Buffer | null,
  headers: Record<string, string | number> = {},
): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === null || status === 204) {
    res.writeHead(status);
    res.end();
    return;
  }
  let bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (wantsGzip(req) && bytes.length >= GZIP_MIN_BYTES) {
    bytes = gzipSync(bytes, { level: 1 });
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
  }
  res.setHeader('Content-Length', bytes.length);
  res.writeHead(status);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string | number> = {},
): void {
  send(req, res, status, salesforceJson(value), { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
}

/** Bytes per piece a large CSV body is packed into (rendered, then compressed or written, one piece at a time). */
export const PIECE_BYTES = 256 * 1024;
/** Bytes that may wait unsent (in zlib or the socket): about two pieces, so one renders while another is sent. */
const MAX_PENDING = 2 * PIECE_BYTES;
/** zlib's output Buffers: a piece of CSV compresses to about 40 KB at level 1. */
const GZIP_OUT_BYTES = 64 * 1024;

/**
 * Streams a CSV body with backpressure (chunked; gzip-compressed on the fly when accepted), so a large result
 * set is never one string or one Buffer and compression never blocks the event loop.
 *
 * Compressed, the body is one gzip member as Salesforce sends it: one deflate stream at level 1 on the libuv pool
 * while the next piece renders, so a body cut anywhere fails to gunzip (no member boundary to stop at). Level 1
 * compresses result CSV as well as the default level 6 (6.6:1 on Account rows) at five times its speed
 * (about 600 MB/s a core), so one stream keeps up with the renderer.
 *
 * Renderers may hand out the same Buffer again and again: each chunk is copied into a piece before the next one
 * is asked for. Pieces are reused once zlib or the socket is done with them, so serving a result set allocates
 * almost nothing: fresh Buffers (external memory) by the hundred megabytes would start V8's marking of the whole
 * org, which costs more than rendering and compressing together.
 */
export async function sendCsv(
  req: IncomingMessage,
  res: ServerResponse,
  body: string | Iterable<string | Buffer>,
  headers: Record<string, string | number> = {},
): Promise<void> {
  const all = { 'Content-Type': 'text/csv; charset=UTF-8', ...headers };
  const gzip = wantsGzip(req);
  if (typeof body === 'string' && (body.length < PIECE_BYTES || !gzip)) {
    send(req, res, 200, body, all);
    return;
  }
  for (const [k, v] of Object.entries(all)) res.setHeader(k, v);
  if (gzip) {
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
  }
  res.writeHead(200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const gz = gzip ? createGzip({ level: 1, chunkSize: GZIP_OUT_BYTES }) : undefined;
  // a client that goes away ends the pipeline early; what is left unsent is dropped
  const sent = gz ? pipeline(gz, res).catch(() => undefined) : undefined;
  const sink: Writable = gz ?? res;
  const pieces = new PieceWriter(sink);
  for (const chunk of typeof body === 'string' ? [body] : body) {
    if (sink.destroyed) break;
    await pieces.add(chunk);
  }
  if (!sink.destroyed) {
    await pieces.flush();
    sink.end();
  }
  await sent;
}

/** Packs a body into pieces of PIECE_BYTES and writes them with backpressure, reusing each piece once written. */
class PieceWriter {
  private readonly free: Buffer[] = [];
  private piece: Buffer = Buffer.allocUnsafe(PIECE_BYTES);
  private pos = 0;

  constructor(private readonly sink: Writable) {}

  async add(chunk: string | Buffer): Promise<void> {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let at = 0; at < bytes.length; ) {
      const n = bytes.copy(this.piece, this.pos, at);
      at += n;
      this.pos += n;
      if (this.pos === PIECE_BYTES) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.pos === 0 || this.sink.destroyed) return;
    const piece = this.piece;
    const bytes = this.pos === PIECE_BYTES ? piece : piece.subarray(0, this.pos);
    this.piece = this.free.pop() ?? Buffer.allocUnsafe(PIECE_BYTES);
    this.pos = 0;
    // the callback runs once zlib has consumed the piece or the socket has taken it: it may be filled again
    const ok = this.sink.write(bytes, () => this.free.push(piece));
    // 'drain' follows only a write that answered false
    if (!ok && this.sink.writableLength > MAX_PENDING) await drained(this.sink);
  }
}

/** Resolves on 'drain', or when the stream closes (a client gone never drains). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      stream.off('drain', go);
      stream.off('close', go);
      resolve();
    };
    stream.on('drain', go);
    stream.on('close', go);
  });
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: ApiError): void {
  sendJson(req, res, err.status, err.body(), err.headers);
}

export { formatJsonDateTime } from '../json-datetime.js';
