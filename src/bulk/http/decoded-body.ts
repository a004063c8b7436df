// Response bodies as their bytes: gunzipped when compressed, by header or by magic bytes, since the guide says
// query results may always be compressed.
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * zlib's output Buffers. Each one is a round trip to the libuv pool and one chunk downstream: at the default
 * 16 KB, inflating a level-1 result set (about 7:1) cost 2.2 times the CPU of 64 KB (349 vs 157 ms for 81 MB,
 * warm), and the download ran at the client's inflate speed, not the server's.
 */
const INFLATE_OUT_BYTES = 64 * 1024;

/**
 * A body stream, decompressed if it is gzip. The first two bytes decide (0x1f 0x8b never starts a CSV), so a
 * body compressed without a `Content-Encoding` header, or a header without compression, are both handled.
 * Pull-driven: nothing is read from the socket before the consumer asks.
 */
export function decodedBody(body: Readable): Readable {
  return Readable.from(decode(body), { objectMode: false });
}

async function* decode(body: Readable): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    let head: Buffer = Buffer.alloc(0);
    while (head.length < 2) {
      const r = await it.next();
      if (r.done) {
        if (head.length) yield head;
        return;
      }
      head = head.length ? Buffer.concat([head, r.value]) : r.value;
    }
    const rest = replay(head, it);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      const gunzip = pipeline(Readable.from(rest), createGunzip({ chunkSize: INFLATE_OUT_BYTES }), () => {
        // errors surface through the iteration below
      });
      for await (const chunk of gunzip) yield chunk as Buffer;
    } else {
      yield* rest;
    }
  } finally {
    await it.return?.();
    if (!body.destroyed) body.destroy();
  }
}

async function* replay(head: Buffer, it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}
