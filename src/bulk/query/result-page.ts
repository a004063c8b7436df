// One page of a query job's results: fetched by locator, its rows streamed and counted against
// `Sforce-NumberOfRecords`. A page cut off mid-body is fetched again by the same locator (locators are
// re-readable) and the rows already delivered are skipped, so the caller sees each row once.
import type { Readable } from 'node:stream';
import { sleep } from '../abortable-sleep.js';
import { CsvRows, type CsvRow } from '../csv/csv-rows.js';
import { decodedBody } from '../http/decoded-body.js';
import { CountMismatchError, NetworkError, ProtocolError, SalesforceError, UsageError } from '../errors.js';
import { header, readCapped, type HttpResponse } from '../http/transport.js';
import { bodyError, type JobContext } from '../jobs/job-context.js';
import type { ColumnDelimiter } from '../jobs/job-info.js';

/** What the headers of a results reply say. */
export interface PageHead {
  /** The locator that fetched this page (null for the first page). */
  readonly locator: string | null;
  /** The locator of the next page; null on the last page (the header's literal `null`). */
  readonly nextLocator: string | null;
  /** `Sforce-NumberOfRecords`. */
  readonly declaredRows: number;
}

/** Reads the paging headers; their absence is a protocol error (a client without them loops or loses rows). */
export function pageHead(res: Pick<HttpResponse, 'headers'>, locator: string | null, jobId: string, path: string): PageHead {
  const next = header(res.headers, 'sforce-locator');
  const count = header(res.headers, 'sforce-numberofrecords');
  if (next === undefined || next.trim() === '') {
    throw new ProtocolError(`job ${jobId}: results page (${path}) has no Sforce-Locator header`, { jobId });
  }
  const declared = Number(count);
  if (count === undefined || !Number.isInteger(declared) || declared < 0) {
    throw new ProtocolError(`job ${jobId}: results page (${path}) has no valid Sforce-NumberOfRecords header (${String(count)})`, { jobId });
  }
  const trimmed = next.trim();
  return { locator, nextLocator: trimmed === 'null' ? null : trimmed, declaredRows: declared };
}

/**
 * `pageHead`, but a reply without paging headers whose body then breaks off is reported as the network
 * failure it is (retryable), not as a protocol error: only a complete reply can break the contract.
 */
export async function pageHeadOrCut(ctx: JobContext, res: HttpResponse, locator: string | null, jobId: string, path: string): Promise<PageHead> {
  try {
    return pageHead(res, locator, jobId, path);
  } catch (missing) {
    try {
      await readCapped(res.body, 1 << 20);
    } catch (e) {
      throw bodyError(ctx, e, { method: 'GET', path }, jobId);
    }
    throw missing;
  }
}

export interface ResultPageOptions {
  readonly jobId: string;
  readonly index: number;
  readonly head: PageHead;
  readonly columnDelimiter: ColumnDelimiter | undefined;
  /** Opens the page body: attempt 0 is the reply already received; later attempts fetch it again. */
  readonly open: (attempt: number) => Promise<Readable>;
  /** How often a body cut off mid-way is fetched again. */
  readonly maxBodyAttempts: number;
  readonly ctx: JobContext;
  readonly path: string;
  readonly signal?: AbortSignal;
  /** Called once the page is done (temporary files removed, ...). */
  readonly onDone?: () => Promise<void>;
}

export class ResultPage implements PageHead {
  readonly index: number;
  readonly locator: string | null;
  readonly nextLocator: string | null;
  readonly declaredRows: number;
  /** Rows delivered so far. */
  rowsRead = 0;
  /** The header row, once read. */
  columns: readonly string[] | undefined;
  private phase: 'new' | 'reading' | 'done' | 'abandoned' = 'new';

  constructor(private readonly o: ResultPageOptions) {
    this.index = o.index;
    this.locator = o.head.locator;
    this.nextLocator = o.head.nextLocator;
    this.declaredRows = o.head.declaredRows;
  }

  /** "results page 3 (locator MjAwMDA)": how errors name the page. */
  get label(): string {
    return `results page ${this.index + 1} (${this.locator === null ? 'the first, no locator' : `locator ${this.locator}`})`;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** The page's rows, once. Throws CountMismatchError when the count differs from Sforce-NumberOfRecords. */
  async *rows(): AsyncGenerator<CsvRow> {
    if (this.phase !== 'new') throw new UsageError(`page ${this.index} of job ${this.o.jobId} was already read`, { jobId: this.o.jobId });
    this.phase = 'reading';
    let finished = false;
    try {
      for (let attempt = 0; ; attempt++) {
        const ref = { method: 'GET', path: this.o.path };
        let skip = this.rowsRead;
        const csv = new CsvRows(await this.o.open(attempt), {
          columnDelimiter: this.o.columnDelimiter,
          mapError: (e) => bodyError(this.o.ctx, e, ref, this.o.jobId, this.label),
        });
        try {
          for await (const row of csv) {
            this.columns ??= csv.columns;
            if (skip > 0) {
              skip--;
              continue;
            }
            this.rowsRead++;
            yield row;
          }
          this.columns ??= csv.columns;
          if (skip > 0) throw new ProtocolError(`job ${this.o.jobId}: page ${this.locator ?? '(first)'} was shorter when fetched again`, { jobId: this.o.jobId });
          break;
        } catch (e) {
          const err = e instanceof SalesforceError ? e : bodyError(this.o.ctx, e, ref, this.o.jobId, this.label);
          if (!(err instanceof NetworkError) || attempt + 1 >= this.o.maxBodyAttempts) throw err;
          const delay = this.o.ctx.session.transport.refetchDelay(attempt + 1);
          this.o.ctx.session.logger.log('warn', `job ${this.o.jobId}: page ${this.locator ?? '(first)'} was cut off after ${this.rowsRead} rows (${err.networkCode ?? err.code}); fetching it again in ${delay} ms`);
          await sleep(delay, this.o.signal);
        }
      }
      if (this.rowsRead !== this.declaredRows) {
        throw new CountMismatchError(
          this.o.jobId,
          `page ${this.locator ?? '(first)'} declared Sforce-NumberOfRecords ${this.declaredRows}`,
          this.declaredRows,
          this.rowsRead,
        );
      }
      finished = true;
      this.phase = 'done';
    } finally {
      if (!finished && this.phase === 'reading') this.phase = 'abandoned';
      await this.o.onDone?.();
    }
  }

  /** Reads (and counts) whatever the caller did not; an abandoned page cannot be counted and is an error. */
  async finish(): Promise<void> {
    if (this.phase === 'done') return;
    if (this.phase === 'new') {
      for await (const _ of this.rows()) {
        // counted by rows()
      }
      return;
    }
    throw new UsageError(`page ${this.index} of job ${this.o.jobId} was left part-read; read each page's rows to the end before the next page`, { jobId: this.o.jobId });
  }

  /** Releases the page without reading it (when the caller stops early). */
  async release(): Promise<void> {
    if (this.phase === 'new') {
      this.phase = 'abandoned';
      await this.o.onDone?.();
    }
  }
}

/** Decoded body of a results reply. */
export function pageBody(res: HttpResponse): Readable {
  return decodedBody(res.body);
}
