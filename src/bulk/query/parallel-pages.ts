// Parallel download of a query job's results through `/jobs/query/<id>/resultPages` (API 58.0+): the
// endpoint lists up to five page URLs per reply; pages are downloaded `concurrency` at a time to temporary
// files and delivered strictly in order, each file removed once its rows are read. Disk use is bounded by
// the window (concurrency + 1 pages), memory by the stream buffers.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sleep } from '../abortable-sleep.js';
import { decodedBody } from '../http/decoded-body.js';
import { NetworkError, NotFoundError, ProtocolError, withJob } from '../errors.js';
import { bodyError, type JobContext } from '../jobs/job-context.js';
import type { ColumnDelimiter } from '../jobs/job-info.js';
import { ResultPage, pageHeadOrCut, type PageHead } from './result-page.js';

export interface ParallelPagesInput {
  readonly ctx: JobContext;
  readonly jobId: string;
  /** The job's API version ("62.0"): results must be read with it. */
  readonly version: string;
  readonly concurrency: number;
  readonly columnDelimiter: ColumnDelimiter | undefined;
  /** Resume: skip listed pages until this locator (the next page to read). */
  readonly fromLocator?: string;
  readonly maxBodyAttempts: number;
  readonly signal?: AbortSignal;
}

/** Thrown inside this module when the org has no resultPages endpoint (or the resume point is not listed). */
export class ResultPagesUnavailable extends Error {
  constructor(readonly reason: 'no-endpoint' | 'locator-not-listed') {
    super(reason);
  }
}

interface ListedPage {
  readonly url: string;
  readonly locator: string | null;
}

interface Downloaded {
  readonly head: PageHead;
  readonly file: string;
}

interface ResultPagesReply {
  readonly resultPages?: readonly { readonly resultUrl?: string }[];
  readonly nextRecordsUrl?: string | null;
  readonly done?: boolean;
}

/** Page URLs in order, following `nextRecordsUrl` until `done`. */
async function* listPages(input: ParallelPagesInput): AsyncGenerator<ListedPage> {
  const s = input.ctx.session;
  let path: string | null = s.dataPath(`jobs/query/${input.jobId}/resultPages`, input.version);
  let first = true;
  const seen = new Set<string>();
  while (path !== null) {
    let reply: ResultPagesReply;
    try {
      reply = await s.json<ResultPagesReply>({ method: 'GET', path, signal: input.signal });
    } catch (e) {
      if (first && e instanceof NotFoundError) throw new ResultPagesUnavailable('no-endpoint');
      throw e;
    }
    first = false;
    for (const p of reply.resultPages ?? []) {
      if (typeof p.resultUrl !== 'string') continue;
      const url = new URL(p.resultUrl, 'http://x');
      yield { url: p.resultUrl, locator: url.searchParams.get('locator') };
    }
    const next = reply.done ? null : reply.nextRecordsUrl ?? null;
    if (next !== null) {
      if (seen.has(next)) throw new ProtocolError(`job ${input.jobId}: the resultPages listing repeats ${next}`, { jobId: input.jobId });
      seen.add(next);
    }
    path = next;
  }
}

/** Ordered pages downloaded in parallel. Throws ResultPagesUnavailable before delivering anything if it cannot serve. */
export async function* parallelPages(outer: ParallelPagesInput): AsyncGenerator<ResultPage> {
  // Downloads still under way when the caller stops early are cancelled, not waited for.
  const stop = new AbortController();
  const input: ParallelPagesInput = { ...outer, signal: outer.signal ? AbortSignal.any([outer.signal, stop.signal]) : stop.signal };
  const dir = await mkdtemp(join(input.ctx.tempDir ?? tmpdir(), `sf-pages-${input.jobId}-`));
  const window: { page: ListedPage; download: Promise<Downloaded> }[] = [];
  const listing = listPages(input);
  let listingDone = false;
  let n = 0;
  let resumed = input.fromLocator === undefined;
  const pull = async (): Promise<boolean> => {
    while (!listingDone) {
      const r = await listing.next();
      if (r.done) {
        listingDone = true;
        return false;
      }
      if (!resumed) {
        if (r.value.locator !== input.fromLocator) continue;
        resumed = true;
      }
      const file = join(dir, `page-${n++}`);
      const download = downloadPage(input, r.value, file);
      download.catch(() => undefined); // observed when its turn comes
      window.push({ page: r.value, download });
      return true;
    }
    return false;
  };
  try {
    while (window.length < input.concurrency && (await pull())) {
      // fill the window
    }
    if (window.length === 0 && !resumed) throw new ResultPagesUnavailable('locator-not-listed');
    for (let index = 0; window.length > 0; index++) {
      const { download } = window[0]!;
      const got = await download;
      window.shift();
      const page = new ResultPage({
        jobId: input.jobId,
        index,
        head: got.head,
        columnDelimiter: input.columnDelimiter,
        open: async () => createReadStream(got.file),
        maxBodyAttempts: 1,
        ctx: input.ctx,
        path: `${got.head.locator ?? '(first page)'}`,
        signal: input.signal,
        onDone: () => rm(got.file, { force: true }),
      });
      // Keep the window full while the caller reads this page.
      while (window.length < input.concurrency && (await pull())) {
        // refill
      }
      try {
        yield page;
        await page.finish();
      } finally {
        await page.release();
      }
    }
  } finally {
    stop.abort();
    await listing.return(undefined);
    await Promise.allSettled(window.map((w) => w.download));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fetches one page whole to `file` (bytes as received, decoded on reading), retrying a cut-off body. */
async function downloadPage(input: ParallelPagesInput, listed: ListedPage, file: string): Promise<Downloaded> {
  const s = input.ctx.session;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await s.request({
        method: 'GET',
        path: listed.url,
        headers: { accept: 'text/csv', 'accept-encoding': 'gzip' },
        signal: input.signal,
      });
      const head = await pageHeadOrCut(input.ctx, res, listed.locator, input.jobId, listed.url);
      try {
        // Stored decoded: a gzip stream that stops short fails here, where the page can still be fetched again.
        await pipeline(decodedBody(res.body), createWriteStream(file), { signal: input.signal });
      } catch (e) {
        throw bodyError(input.ctx, e, { method: 'GET', path: listed.url }, input.jobId);
      }
      return { head, file };
    } catch (e) {
      if (!(e instanceof NetworkError) || attempt + 1 >= input.maxBodyAttempts) throw withJob(e, input.jobId);
      const delay = s.transport.refetchDelay(attempt + 1);
      s.logger.log('warn', `job ${input.jobId}: page ${listed.locator ?? '(first)'} download was cut off (${e.networkCode ?? e.code}); fetching it again in ${delay} ms`);
      await sleep(delay, input.signal);
    }
  }
}
