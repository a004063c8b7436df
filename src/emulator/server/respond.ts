// Writing responses the way Salesforce does: pretty JSON, the error envelope, gzip when asked, limit header.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzip, gzipSync } from 'node:zlib';

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
 * Compressed, each piece of about STREAM_CHUNK bytes becomes its own gzip member (a gzip file may be a series of
 * members, RFC 1952 section 2.2; every gunzip reads them as one stream), compressed on the libuv pool while the
 * next pieces render: one deflate stream would hold the whole body to one core at zlib's speed.
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
    const members: Promise<Buffer>[] = [];
    for (const piece of pieces(body)) {
      if (res.destroyed) break;
      members.push(gzipMember(piece));
      if (members.length >= GZIP_IN_FLIGHT) await write(await members.shift()!);
    }
    // sent in order; after a disconnect they are still awaited, so none settles unobserved
    while (members.length > 0) {
      const member = await members.shift()!;
      if (!res.destroyed) await write(member);
    }
  }
  res.end();
}

/** Members compressed at once on the libuv pool (4 threads by default). */
const GZIP_IN_FLIGHT = 4;

const gzipMember = (piece: string | Buffer) =>
  new Promise<Buffer>((resolve, reject) => gzip(piece, { level: 1 }, (err, out) => (err ? reject(err) : resolve(out))));

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
