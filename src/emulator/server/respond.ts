// Writing responses the way Salesforce does: pretty JSON, the error envelope, gzip when asked, limit header.
import type { IncomingMessage, ServerResponse } from 'node:http';
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

const STREAM_CHUNK = 64 * 1024;
const MAX_BUFFERED = 4 * STREAM_CHUNK;

/**
 * Streams a CSV body with backpressure (chunked; gzip-compressed on the fly when accepted), so a large result
 * set is never one string or one Buffer and compression never blocks the event loop.
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
  const sink = gzip ? createGzip({ level: 1 }) : res;
  if (gzip) sink.pipe(res);
  const write = (text: string | Buffer) =>
    new Promise<void>((resolve) => {
      // Up to a few pieces may wait in the compressor or the socket, so the next piece is rendered while the
      // last one is compressed and sent (waiting for a full drain after every piece would serialize the two).
      if (sink.write(text) || sink.writableLength <= MAX_BUFFERED) return resolve();
      const go = () => {
        sink.off('drain', go);
        res.off('close', go);
        resolve();
      };
      sink.on('drain', go);
      res.on('close', go);
    });
  if (typeof body === 'string') {
    for (let i = 0; i < body.length && !res.destroyed; i += STREAM_CHUNK) await write(body.slice(i, i + STREAM_CHUNK));
  } else {
    let buf = '';
    for (const chunk of body) {
      if (res.destroyed) break;
      if (typeof chunk !== 'string') {
        // already a piece of about STREAM_CHUNK bytes
        if (buf) await write(buf);
        buf = '';
        await write(chunk);
        continue;
      }
      buf += chunk;
      if (buf.length >= STREAM_CHUNK) {
        await write(buf);
        buf = '';
      }
    }
    if (buf) sink.write(buf);
  }
  sink.end();
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: ApiError): void {
  sendJson(req, res, err.status, err.body(), err.headers);
}

export { formatJsonDateTime } from '../json-datetime.js';
