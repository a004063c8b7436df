// Writing responses the way Salesforce does: pretty JSON, the error envelope, gzip when asked, limit header.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, crc32, deflateRaw, gzipSync } from 'node:zlib';

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

const STREAM_CHUNK = 64 * 1024;
const MAX_BUFFERED = 4 * STREAM_CHUNK;

/**
 * Streams a CSV body with backpressure (chunked; gzip-compressed on the fly when accepted), so a large result
 * set is never one string or one Buffer and compression never blocks the event loop.
 *
 * Compressed, the body is one gzip member as Salesforce sends it, built the way pigz builds one: each piece of
 * about STREAM_CHUNK bytes is deflated on its own on the libuv pool (several at once, while the next pieces
 * render) and ends byte-aligned with a sync flush, so the pieces join into one deflate stream; the CRC-32 and
 * length of the trailer are computed here. One deflate stream written piece by piece would hold the whole body
 * to one core at zlib's speed. A body cut anywhere still fails to gunzip (no member boundary to stop at).
 */
export async function sendCsv(
  req: IncomingMessage,
  res: ServerResponse,
  body: string | Iterable<string | Buffer>,
  headers: Record<string, string | number> = {},
): Promise<void> {
  const all = { 'Content-Type': 'text/csv; charset=UTF-8', ...headers };
  if (typeof body === 'string' && (body.length < STREAM_CHUNK || !wantsGzip(req))) {
    send(req, res, 200, body, all);
    return;
  }
  for (const [k, v] of Object.entries(all)) res.setHeader(k, v);
  const gzip = wantsGzip(req);
  if (gzip) {
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
  }
  res.writeHead(200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const write = (piece: string | Buffer) =>
    new Promise<void>((resolve) => {
      // Up to a few pieces may wait in the socket, so the next piece is rendered while the last one is sent
      // (waiting for a full drain after every piece would serialize the two).
      if (res.write(piece) || res.writableLength <= MAX_BUFFERED) return resolve();
      const go = () => {
        res.off('drain', go);
        res.off('close', go);
        resolve();
      };
      res.on('drain', go);
      res.on('close', go);
    });
  if (!gzip) {
    for (const piece of pieces(body)) {
      if (res.destroyed) break;
      await write(piece);
    }
  } else {
    await write(GZIP_HEADER);
    let crc = 0;
    let size = 0;
    const blocks: Promise<Buffer>[] = [];
    for (const piece of pieces(body)) {
      if (res.destroyed) break;
      const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      crc = crc32(bytes, crc);
      size = (size + bytes.length) >>> 0;
      blocks.push(deflatePiece(bytes, constants.Z_SYNC_FLUSH));
      if (blocks.length >= DEFLATE_IN_FLIGHT) await write(await blocks.shift()!);
    }
    blocks.push(deflatePiece(Buffer.alloc(0), constants.Z_FINISH));
    // sent in order; after a disconnect they are still awaited, so none settles unobserved
    while (blocks.length > 0) {
      const block = await blocks.shift()!;
      if (!res.destroyed) await write(block);
    }
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size, 4);
    if (!res.destroyed) res.write(trailer);
  }
  res.end();
}

/** Pieces deflated at once on the libuv pool (4 threads by default). */
const DEFLATE_IN_FLIGHT = 4;

/** A gzip header (RFC 1952): deflate, no name or time, fastest compression (XFL 4), Unix. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3]);

/** A piece as raw deflate blocks at level 1, ended by `flush` (a sync flush leaves the stream open and byte-aligned). */
const deflatePiece = (piece: Buffer, flush: number) =>
  new Promise<Buffer>((resolve, reject) =>
    deflateRaw(piece, { level: 1, finishFlush: flush }, (err, out) => (err ? reject(err) : resolve(out))),
  );

/** The body as pieces of about STREAM_CHUNK bytes (Buffers from a renderer are such pieces already). */
function* pieces(body: string | Iterable<string | Buffer>): Generator<string | Buffer> {
  if (typeof body === 'string') {
    for (let i = 0; i < body.length; i += STREAM_CHUNK) yield body.slice(i, i + STREAM_CHUNK);
    return;
  }
  let buf = '';
  for (const chunk of body) {
    if (typeof chunk !== 'string') {
      if (buf) yield buf;
      buf = '';
      yield chunk;
      continue;
    }
    buf += chunk;
    if (buf.length >= STREAM_CHUNK) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: ApiError): void {
  sendJson(req, res, err.status, err.body(), err.headers);
}

export { formatJsonDateTime } from '../json-datetime.js';
