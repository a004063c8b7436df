// Query jobs: create (query | queryAll), wait, abort, delete, list, and results page by page:
// following Sforce-Locator until the literal `null`, or in parallel through resultPages (58.0+), with
// resume from a saved job id + locator. Every page is counted against Sforce-NumberOfRecords and the
// total against the job's numberRecordsProcessed; a mismatch is an error carrying the job id.
import { CountMismatchError, InvalidInputError, InvalidStateError, JobFailedError, NetworkError, ProtocolError, withJob } from '../errors.js';
import { createJobOnce } from '../jobs/create-once.js';
import { type CallOptions, type JobContext } from '../jobs/job-context.js';
import { JobCollection, JobHandle } from '../jobs/job-handle.js';
import { parseJobInfo, versionOf, type QueryJobInfo, type QueryJobSpec } from '../jobs/job-info.js';
import { pollUntilTerminal, type PollOptions } from '../jobs/poll.js';
import { ResultPage, pageBody, pageHeadOrCut, type PageHead } from './result-page.js';
import { sleep } from '../abortable-sleep.js';
import { ResultPagesUnavailable, parallelPages } from './parallel-pages.js';
import type { CsvRow } from '../csv/csv-rows.js';

/** resultPages exists from this API version. */
export const RESULT_PAGES_MIN_VERSION = 58;

export interface PagesOptions extends CallOptions {
  /** Rows per page on the locator chain (ignored by parallel resultPages, whose pages the server sizes). */
  readonly maxRecords?: number;
  /** Resume: the locator of the next page to read (a page's `nextLocator`, saved after its rows were handled). */
  readonly fromLocator?: string;
  /** Rows read before `fromLocator`; with it, the total is still checked against numberRecordsProcessed. */
  readonly rowsBefore?: number;
  /** Pages downloaded at once. 1 (default) follows the locator chain; more uses resultPages where available. */
  readonly concurrency?: number;
  /** Fetches of a page whose body was cut off mid-way (default: the retry policy's maxAttempts, as for every cut body). */
  readonly maxBodyAttempts?: number;
}

export class QueryJobs extends JobCollection<'query', QueryJob> {
  constructor(ctx: JobContext) {
    super(ctx, 'query');
  }

  protected handle(info: QueryJobInfo | undefined, id?: string): QueryJob {
    return new QueryJob(this.ctx, info, id);
  }

  /** Creates the job (state UploadComplete); never creates two when the reply is lost. */
  async create(spec: QueryJobSpec, options: CallOptions = {}): Promise<QueryJob> {
    const query = spec.query?.trim();
    if (!query) throw new InvalidInputError('the query is empty');
    const operation = spec.operation ?? 'query';
    const raw = await createJobOnce(this.ctx.session, {
      kind: 'query',
      object: /\bfrom\s+([A-Za-z][A-Za-z0-9_]*)/i.exec(query)?.[1],
      operation,
      body: JSON.stringify({ operation, query, contentType: 'CSV', ...(spec.columnDelimiter ? { columnDelimiter: spec.columnDelimiter } : {}), ...(spec.lineEnding ? { lineEnding: spec.lineEnding } : {}) }),
      contentType: 'application/json; charset=UTF-8',
      freshStates: ['UploadComplete', 'InProgress', 'JobComplete', 'Failed'],
      clientName: this.ctx.clientName,
      signal: options.signal,
    }, this.ctx.createTuning);
    return this.handle(parseJobInfo(raw, 'query'));
  }
}

export class QueryJob extends JobHandle<'query'> {
  constructor(ctx: JobContext, info: QueryJobInfo | undefined, id?: string) {
    super(ctx, 'query', info, id);
  }

  /**
   * Polls until terminal. JobComplete is returned; Failed or Aborted throw JobFailedError; a wait past the
   * timeout throws PollTimeoutError (the job may still complete: resume it by id).
   */
  async waitForCompletion(options: Partial<PollOptions> = {}): Promise<QueryJobInfo> {
    const info = await pollUntilTerminal(this.id, (signal) => this.refresh({ signal }), { ...this.ctx.poll, ...options });
    if (info.state === 'Failed' || info.state === 'Aborted') throw new JobFailedError(this.id, info.state, info.errorMessage);
    return info;
  }

  /**
   * The result pages, in order. Read each page's `rows()` to the end before asking for the next page; then
   * its `nextLocator` is the resume point to save (null when the job is drained).
   */
  async *pages(options: PagesOptions = {}): AsyncGenerator<ResultPage> {
    const info = await this.ensureComplete(options);
    if (options.maxRecords !== undefined && (!Number.isInteger(options.maxRecords) || options.maxRecords < 1)) {
      throw new InvalidInputError(`maxRecords must be a positive integer; got ${options.maxRecords}`);
    }
    const version = versionOf(info, this.ctx.session.apiVersion);
    const expected = info.numberRecordsProcessed;
    const checkTotal = options.fromLocator === undefined || options.rowsBefore !== undefined;
    let total = options.rowsBefore ?? 0;
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    const maxBodyAttempts = options.maxBodyAttempts ?? this.ctx.session.transport.retryPolicy.maxAttempts;

    let source: AsyncGenerator<ResultPage> | undefined;
    if (concurrency > 1 && Number(version) >= RESULT_PAGES_MIN_VERSION && options.fromLocator !== 'null') {
      source = parallelPages({
        ctx: this.ctx,
        jobId: this.id,
        version,
        concurrency,
        columnDelimiter: info.columnDelimiter,
        fromLocator: options.fromLocator,
        maxBodyAttempts,
        signal: options.signal,
      });
      let first: IteratorResult<ResultPage>;
      try {
        first = await source.next();
      } catch (e) {
        if (!(e instanceof ResultPagesUnavailable)) throw e;
        this.ctx.session.logger.log('info', `job ${this.id}: ${e.reason === 'no-endpoint' ? 'the org has no resultPages endpoint' : 'the resume locator is not among the listed pages'}; following the locator chain instead`);
        source = undefined;
        first = { done: true, value: undefined };
      }
      if (source !== undefined && !first.done) {
        try {
          // Each page is finished (read to the end and counted) before it counts toward the total.
          yield first.value;
          await first.value.finish();
          total += first.value.rowsRead;
          for await (const page of source) {
            yield page;
            await page.finish();
            total += page.rowsRead;
          }
        } finally {
          // A caller that stops early still releases the downloads and temporary files.
          await source.return(undefined);
        }
      }
    }
    if (source === undefined) {
      for await (const page of this.locatorChain(version, info, options, maxBodyAttempts)) {
        yield page;
        await page.finish();
        total += page.rowsRead;
      }
    }
    if (checkTotal) {
      // A count that cannot be made is an error, never a silent pass.
      if (typeof expected !== 'number') {
        throw new ProtocolError(`job ${this.id}: the job info has no numberRecordsProcessed, so the ${total} rows read cannot be checked against it`, { jobId: this.id });
      }
      if (total !== expected) {
        throw new CountMismatchError(this.id, `the pages hold ${total} rows but numberRecordsProcessed is ${expected}`, expected, total);
      }
    }
  }

  /** All rows of all pages (no resume point exposed: use `pages()` to checkpoint). */
  async *rows(options: PagesOptions = {}): AsyncGenerator<CsvRow> {
    for await (const page of this.pages(options)) yield* page.rows();
  }

  private async *locatorChain(version: string, info: QueryJobInfo, options: PagesOptions, maxBodyAttempts: number): AsyncGenerator<ResultPage> {
    let locator: string | null = options.fromLocator ?? null;
    if (locator === 'null') return;
    const seen = new Set<string>();
    const path = this.ctx.session.dataPath(`jobs/query/${this.id}/results`, version);
    for (let index = 0; ; index++) {
      const fetchPage = async () => {
        try {
          return await this.ctx.session.request({
            method: 'GET',
            path,
            query: { locator: locator ?? undefined, maxRecords: options.maxRecords },
            headers: { accept: 'text/csv', 'accept-encoding': 'gzip' },
            signal: options.signal,
          });
        } catch (e) {
          throw withJob(e, this.id);
        }
      };
      // The first fetch of the page; a reply cut off before its headers made sense is fetched again.
      let res = await fetchPage();
      let head: PageHead;
      for (let attempt = 1; ; attempt++) {
        try {
          head = await pageHeadOrCut(this.ctx, res, locator, this.id, path);
          break;
        } catch (e) {
          if (!(e instanceof NetworkError) || attempt >= maxBodyAttempts) throw e;
          this.ctx.session.logger.log('warn', `job ${this.id}: page ${locator ?? '(first)'} was cut off (${e.networkCode ?? e.code}); fetching it again`);
          await sleep(this.ctx.session.transport.refetchDelay(attempt), options.signal);
          res = await fetchPage();
        }
      }
      const first = res;
      const page = new ResultPage({
        jobId: this.id,
        index,
        head,
        columnDelimiter: info.columnDelimiter,
        open: async (attempt) => {
          if (attempt === 0) return pageBody(first);
          const again = await fetchPage();
          const h2 = await pageHeadOrCut(this.ctx, again, locator, this.id, path);
          if (h2.declaredRows !== head.declaredRows || h2.nextLocator !== head.nextLocator) {
            again.body.destroy();
            throw new ProtocolError(`job ${this.id}: page ${locator ?? '(first)'} changed when fetched again`, { jobId: this.id });
          }
          return pageBody(again);
        },
        maxBodyAttempts,
        ctx: this.ctx,
        path: `${path}${locator ? `?locator=${locator}` : ''}`,
        signal: options.signal,
        onDone: async () => {
          if (!first.body.destroyed) first.body.destroy();
        },
      });
      try {
        yield page;
        await page.finish();
      } finally {
        await page.release();
      }
      if (page.nextLocator === null) return;
      if (seen.has(page.nextLocator)) {
        throw new ProtocolError(`job ${this.id}: Sforce-Locator ${page.nextLocator} came back twice; stopping instead of looping`, { jobId: this.id });
      }
      seen.add(page.nextLocator);
      locator = page.nextLocator;
    }
  }

  private async ensureComplete(options: CallOptions): Promise<QueryJobInfo> {
    const info = this.infoValue?.state === 'JobComplete' && this.infoValue.numberRecordsProcessed !== undefined ? this.infoValue : await this.refresh(options);
    if (info.state === 'JobComplete') return info;
    if (info.state === 'Failed' || info.state === 'Aborted') throw new JobFailedError(this.id, info.state, info.errorMessage);
    throw new InvalidStateError(`job ${this.id} is ${info.state}; wait for JobComplete before reading results`, { jobId: this.id });
  }
}
