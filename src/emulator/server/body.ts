// Reading request bodies with a byte cap applied to what arrives (chunked uploads have no Content-Length).
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { ApiError } from './respond.js';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds ${limit} bytes`);
  }
}

/** Reads the whole body into one Buffer, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new BodyTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let source: AsyncIterable<Buffer> = req;
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') source = req.pipe(createGunzip());
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Parses a JSON request body; Salesforce answers malformed JSON with 400 JSON_PARSER_ERROR. */
export async function readJson(req: IncomingMessage, limit = 1_000_000): Promise<unknown> {
  const raw = (await readBody(req, limit)).toString('utf8');
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Unexpected character in request body: ${(e as Error).message}`);
  }
}
