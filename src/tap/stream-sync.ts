// One stream's extraction: window by window, a query job each (or the job a STATE names), its pages in order,
// every row typed and written, a STATE every few pages with the exact position, and the bookmark moved only
// when a window is completely written.
import { NotFoundError, SalesforceError, type BulkClient, type Logger, type QueryJob, type QueryJobInfo } from '../bulk/index.js';
import { ConnectorError } from '../streams/connector-errors.js';
import { RecordCoercer } from '../streams/record-coercer.js';
import { recordPrefix, type SingerWriter } from '../streams/singer-writer.js';
import type { ProgressReport } from './progress.js';
import { earliestSoql, windowSoql } from './soql.js';
import type { StateBook } from './state-book.js';
import { planWindows, windowHolding, type StreamPlan } from './stream-plan.js';
import type { TapSettings } from './tap-config.js';
import type { InFlight, JobPosition, LastRow, WindowBounds } from './tap-state.js';

export interface SyncContext {
  readonly client: BulkClient;
  readonly settings: TapSettings;
  readonly writer: SingerWriter;
  readonly book: StateBook;
  readonly progress: ProgressReport;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The moment the run started: no bookmark passes it. */
  readonly signpostMs: number;
  /** Throws ConnectorError(QUOTA_LOW) when the org's daily allocations run low. */
  readonly checkQuota: () => Promise<void>;
}

/** Where a window stands while its rows are being written. */
interface Cursor {
  job: QueryJob;
  operation: 'query' | 'queryAll';
  /** The page being read (or next to read). */
  locator: string | null;
  rowsBefore: number;
  /** Rows of that page written. */
  inPage: number;
  last: LastRow | undefined;
}

export class StreamSync {
  private readonly prefix: string;
  private readonly coercers = new Map<string, RecordCoercer>();

  constructor(
    private readonly ctx: SyncContext,
    private readonly plan: StreamPlan,
  ) {
    this.prefix = recordPrefix(plan.stream);
  }

  async run(): Promise<void> {
    const { ctx, plan } = this;
    await ctx.writer.schema({
      stream: plan.stream,
      schema: plan.schema,
      key_properties: ['Id'],
      ...(plan.replicationKey ? { bookmark_properties: [plan.replicationKey] } : {}),
    });
    let before = ctx.book.bookmark(plan.stream);
    if (before && plan.replicationKey && before.replication_key !== undefined && before.replication_key !== plan.replicationKey) {
      // A bookmark on another key says nothing about this one: start this key from start_date.
      ctx.logger.log('info', `${plan.stream}: the STATE's bookmark is on ${before.replication_key}, the catalog's replication key is ${plan.replicationKey}; starting from start_date`);
      before = undefined;
      ctx.book.setBookmark(plan.stream, { replication_key: plan.replicationKey });
    }
    let windows: WindowBounds[];
    if (before?.in_flight) {
      const f = before.in_flight;
      await this.window(f.window, f);
      // The rest continues from the end of the resumed window, with no second lookback.
      windows =
        f.window.end === null || plan.replicationKey === undefined
          ? []
          : planWindows(plan, { replication_key: plan.replicationKey, replication_key_value: f.window.end }, { ...ctx.settings, lookbackMs: 0, startMs: undefined }, ctx.signpostMs);
    } else {
      windows = planWindows(plan, before, ctx.settings, ctx.signpostMs);
    }
    for (let i = 0; i < windows.length; i++) {
      i = await this.skipEmpty(windows, i);
      if (i >= windows.length) break;
      await ctx.checkQuota();
      await this.window(windows[i]!, undefined);
    }
    if (!ctx.book.bookmark(plan.stream)) {
      ctx.book.setBookmark(plan.stream, plan.replicationKey ? { replication_key: plan.replicationKey } : {});
    }
  }

  private async window(w: WindowBounds, resume: InFlight | undefined): Promise<void> {
    const { ctx, plan } = this;
    const tally = ctx.progress.tally(plan.stream);
    tally.windows++;
    let cursor = resume?.job ? await this.reattach(resume.job, resume.last) : undefined;
    if (!cursor) {
      const query = windowSoql({ object: plan.object, fields: plan.fields, replicationKey: plan.replicationKey, window: w, after: resume?.last });
      const job = await ctx.client.query.create({ operation: plan.operation, query }, { signal: ctx.signal });
      tally.jobs++;
      ctx.logger.log('info', `${plan.stream}: query job ${job.id} (${plan.operation}) for ${describeWindow(w)}${resume?.last ? `, after Id ${resume.last.id}` : ''}`);
      cursor = { job, operation: plan.operation, locator: null, rowsBefore: 0, inPage: 0, last: resume?.last };
    }
    // Written before waiting, so a run killed while the job runs picks the same job up again.
    await this.saveInFlight(w, cursor);
    try {
      await this.drain(w, cursor);
    } catch (e) {
      if (ctx.signal.aborted) {
        await this.stopSafely(w, cursor);
        throw new ConnectorError('INTERRUPTED', `${plan.stream}: stopped by a signal; the last STATE resumes at the next row`, { cause: e });
      }
      throw e;
    }
    ctx.book.setBookmark(plan.stream, plan.replicationKey && w.end !== null ? { replication_key: plan.replicationKey, replication_key_value: w.end } : {});
    await ctx.book.emit();
    try {
      await cursor.job.delete();
    } catch (e) {
      ctx.logger.log('warn', `${plan.stream}: could not delete finished query job ${cursor.job.id}: ${(e as Error).message}`);
    }
  }

  /**
   * Query jobs are a daily allocation (10,000 a day) and a window without rows would spend one: one REST call
   * finds the earliest replication-key value from window `i` on, and the windows before the one holding it are
   * passed over (the bookmark moves past them: they are written, vacuously). Returns the window to run next, or
   * `windows.length` when none holds a row.
   */
  private async skipEmpty(windows: readonly WindowBounds[], i: number): Promise<number> {
    const { ctx, plan } = this;
    const rk = plan.replicationKey;
    if (rk === undefined) return i;
    const span: WindowBounds = { start: windows[i]!.start, end: windows.at(-1)!.end };
    const answer = await ctx.client.restQuery(earliestSoql({ object: plan.object, replicationKey: rk, window: span }), {
      all: plan.operation === 'queryAll',
      signal: ctx.signal,
    });
    const value = answer.records[0]?.[rk];
    let next = windows.length;
    if (value !== undefined && value !== null) {
      const ms = Date.parse(String(value));
      if (Number.isNaN(ms)) return i; // not an instant: run the window rather than guess
      next = Math.max(i, windowHolding(windows, ms));
    }
    if (next === i) return i;
    const end = windows[next - 1]!.end;
    ctx.logger.log('info', `${plan.stream}: no row in ${describeWindow({ start: span.start, end })}; ${next - i} window(s) passed over without a query job`);
    if (end !== null) {
      ctx.book.setBookmark(plan.stream, { replication_key: rk, replication_key_value: end });
      await ctx.book.emit();
    }
    return next;
  }

  /** The job a STATE names, if Salesforce still has it in a state we can read from. */
  private async reattach(pos: JobPosition, last: LastRow | undefined): Promise<Cursor | undefined> {
    const { ctx, plan } = this;
    let info: QueryJobInfo;
    try {
      info = await ctx.client.query.info(pos.id, { signal: ctx.signal });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      ctx.logger.log('info', `${plan.stream}: query job ${pos.id} is gone (deleted or expired); querying again after the last row written`);
      return undefined;
    }
    if (info.state === 'Failed' || info.state === 'Aborted') {
      ctx.logger.log('info', `${plan.stream}: query job ${pos.id} is ${info.state}; querying again after the last row written`);
      return undefined;
    }
    ctx.logger.log('info', `${plan.stream}: resuming query job ${pos.id} at ${pos.locator === null ? 'its first page' : `locator ${pos.locator}`}${pos.skip ? ` after ${pos.skip} rows of that page` : ''}`);
    return { job: ctx.client.query.job(pos.id), operation: pos.operation, locator: pos.locator, rowsBefore: pos.rows_before, inPage: pos.skip, last };
  }

  private async drain(w: WindowBounds, c: Cursor): Promise<void> {
    const { ctx, plan } = this;
    const { writer, signal, settings } = ctx;
    const tally = ctx.progress.tally(plan.stream);
    await c.job.waitForCompletion({ signal });
    const rk = plan.replicationKey;
    let skip = c.inPage;
    let pagesSinceState = 0;
    const pages = c.job.pages({
      concurrency: settings.maxParallelPages,
      ...(settings.pageSize !== undefined ? { maxRecords: settings.pageSize } : {}),
      ...(c.locator !== null ? { fromLocator: c.locator, rowsBefore: c.rowsBefore } : {}),
      signal,
    });
    for await (const page of pages) {
      c.locator = page.locator;
      c.inPage = 0;
      const extracted = new Date().toISOString();
      let coercer: RecordCoercer | undefined;
      for await (const row of page.rows()) {
        c.inPage++;
        if (skip > 0) {
          skip--;
          continue;
        }
        coercer ??= this.coercerFor(page.columns ?? Object.keys(row));
        if (writer.record(this.prefix, coercer.json(row), extracted)) await writer.flush();
        tally.rows++;
        c.last = { replication_key_value: rk ? row[rk] || null : null, id: row.Id! };
        if (signal.aborted) throw new ConnectorError('INTERRUPTED', 'interrupted');
      }
      c.rowsBefore += page.rowsRead;
      c.locator = page.nextLocator;
      c.inPage = 0;
      ctx.progress.page(plan.stream);
      if (page.nextLocator !== null && ++pagesSinceState >= settings.stateEveryPages) {
        pagesSinceState = 0;
        await this.saveInFlight(w, c);
      }
    }
  }

  private coercerFor(columns: readonly string[]): RecordCoercer {
    const key = columns.join('\u0000');
    let c = this.coercers.get(key);
    if (!c) {
      c = new RecordCoercer(this.plan.schema.properties, columns);
      this.coercers.set(key, c);
    }
    return c;
  }

  private async saveInFlight(w: WindowBounds, c: Cursor | undefined): Promise<void> {
    const { ctx, plan } = this;
    const prev = ctx.book.bookmark(plan.stream) ?? {};
    const inFlight: InFlight = {
      window: w,
      ...(c ? { job: { id: c.job.id, operation: c.operation, locator: c.locator, rows_before: c.rowsBefore, skip: c.inPage } } : {}),
      ...(c?.last ? { last: c.last } : {}),
    };
    ctx.book.setBookmark(plan.stream, { ...prev, ...(plan.replicationKey ? { replication_key: plan.replicationKey } : {}), in_flight: inFlight });
    await ctx.book.emit();
  }

  /**
   * Interrupted: a job still running is aborted (Salesforce stops working for nobody), and the STATE says
   * exactly what was written; a finished job is kept so the next run continues it from this row.
   */
  private async stopSafely(w: WindowBounds, c: Cursor): Promise<void> {
    const { ctx, plan } = this;
    let keepJob = true;
    try {
      const info = c.job.info ?? (await c.job.refresh({ signal: AbortSignal.timeout(10_000) }));
      if (info.state === 'UploadComplete' || info.state === 'InProgress') {
        await c.job.abort({ signal: AbortSignal.timeout(10_000) });
        keepJob = false;
        ctx.logger.log('info', `${plan.stream}: aborted query job ${c.job.id}`);
      }
    } catch (e) {
      if (!(e instanceof SalesforceError)) throw e;
      ctx.logger.log('warn', `${plan.stream}: could not abort query job ${c.job.id}: ${e.message}`);
    }
    if (keepJob) {
      await this.saveInFlight(w, c);
    } else {
      // Without the job, the next run queries again after the last row written.
      const prev = ctx.book.bookmark(plan.stream) ?? {};
      ctx.book.setBookmark(plan.stream, { ...prev, in_flight: { window: w, ...(c.last ? { last: c.last } : {}) } });
      await ctx.book.emit();
    }
  }
}

function describeWindow(w: WindowBounds): string {
  if (w.start === null && w.end === null) return 'every row';
  return `[${w.start ?? '-inf'}, ${w.end ?? '+inf'})`;
}
