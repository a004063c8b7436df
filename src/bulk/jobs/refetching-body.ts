// A result body that survives being cut off. Result sets are files on Salesforce's side: fetching one again
// yields the same bytes. So a body that breaks off mid-way (the connection closes, or a gzip stream stops
// short) is fetched again and the bytes already handed on are skipped: the reader sees each byte once. The
// skipped prefix is checked against a running hash of what was handed on, so a body that changed between
// fetches is a ProtocolError, never rows silently lost or repeated. Memory stays at one chunk.
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { sleep } from '../abortable-sleep.js';
import { decodedBody } from '../http/decoded-body.js';
import { NetworkError, ProtocolError, withJob, type RequestRef } from '../errors.js';
import type { HttpResponse } from '../http/transport.js';
import { bodyError, type JobContext } from './job-context.js';

export interface RefetchingBodyOptions {
  readonly ctx: JobContext;
  readonly jobId: string;
  readonly ref: RequestRef;
  /** Sends the request again (a fresh GET each call). */
  readonly refetch: () => Promise<HttpResponse>;
  readonly signal?: AbortSignal;
}

/** The decoded bytes of `first`, fetched again (up to the retry policy's maxAttempts fetches) when cut off. */
export function refetchingBody(first: HttpResponse, o: RefetchingBodyOptions): Readable {
  return Readable.from(bytes(first, o), { objectMode: false });
}

async function* bytes(first: HttpResponse, o: RefetchingBodyOptions): AsyncGenerator<Buffer> {
  const transport = o.ctx.session.transport;
  const maxFetches = transport.retryPolicy.maxAttempts;
  const handedOn = createHash('sha256');
  let delivered = 0;
  let res = first;
  for (let fetches = 1; ; fetches++) {
    let skip = delivered;
    let check: Hash | undefined = skip > 0 ? createHash('sha256') : undefined;
    try {
      for await (const chunk of decodedBody(res.body)) {
        let b = chunk as Buffer;
        if (check !== undefined) {
          const n = Math.min(skip, b.length);
          check.update(b.subarray(0, n));
          skip -= n;
          b = b.subarray(n);
          if (skip === 0) {
            if (check.digest('hex') !== handedOn.copy().digest('hex')) throw changed(o, 'its first bytes differ');
            check = undefined;
          }
          if (b.length === 0) continue;
        }
        handedOn.update(b);
        delivered += b.length;
        yield b;
      }
      if (skip > 0) throw changed(o, `it ended after ${delivered - skip} of the ${delivered} bytes already read`);
      return;
    } catch (e) {
      const err = bodyError(o.ctx, e, o.ref, o.jobId);
      if (!(err instanceof NetworkError) || fetches >= maxFetches) throw withJob(err, o.jobId, { attempts: fetches });
      const delay = transport.refetchDelay(fetches);
      o.ctx.session.logger.log('warn', `job ${o.jobId}: ${o.ref.method} ${o.ref.path} was cut off after ${delivered} bytes (${err.networkCode ?? err.code}); fetching it again in ${delay} ms`);
      await sleep(delay, o.signal);
      try {
        res = await o.refetch();
      } catch (again) {
        throw withJob(again, o.jobId);
      }
    }
  }
}

function changed(o: RefetchingBodyOptions, how: string): ProtocolError {
  return new ProtocolError(`job ${o.jobId}: ${o.ref.method} ${o.ref.path} changed when fetched again after a cut (${how})`, { jobId: o.jobId, request: o.ref });
}
