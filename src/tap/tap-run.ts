// A sync run: the selected streams of the catalog, planned against a fresh describe before anything is written,
// then extracted one after the other (starting with `currently_syncing` when a cut run left one), with quota
// checks before starting and between windows, and a final STATE.
import { LimitExceededError, SalesforceError, type BulkClient, type Logger } from '../bulk/index.js';
import { StreamMetadata, type Catalog } from '../streams/singer-catalog.js';
import { ConnectorError } from '../streams/connector-errors.js';
import type { SingerWriter } from '../streams/singer-writer.js';
import { ProgressReport } from './progress.js';
import { StateBook } from './state-book.js';
import { planStream, type StreamPlan } from './stream-plan.js';
import { StreamSync } from './stream-sync.js';
import type { TapSettings } from './tap-config.js';
import type { TapState } from './tap-state.js';

export interface SyncRunInput {
  readonly client: BulkClient;
  readonly settings: TapSettings;
  readonly catalog: Catalog;
  readonly state: TapState;
  readonly writer: SingerWriter;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly stderr: (line: string) => void;
  /** Counts the caller shows as progress (the CLI's progress line); a fresh one otherwise. */
  readonly progress?: ProgressReport;
}

/** Runs the sync; throws the first error that stops the run (after the summary). */
export async function runSync(input: SyncRunInput): Promise<void> {
  const { client, settings, catalog, writer, logger, signal } = input;
  const signpostMs = Date.now();
  const progress = input.progress ?? new ProgressReport(input.stderr);
  const book = new StateBook(input.state, writer);
  const selected = catalog.streams.filter((s) => new StreamMetadata(s.metadata).selected);
  if (selected.length === 0) logger.log('warn', 'no stream is selected in the catalog: nothing to extract (select streams with "selected": true in their stream metadata)');
  // Every selected stream is checked against describe before the first line is written.
  const plans: StreamPlan[] = [];
  for (const s of selected) plans.push(await planStream(s, client.describe, settings, signal));
  const resumeAt = plans.findIndex((p) => p.stream === input.state.currently_syncing);
  const ordered = resumeAt > 0 ? [...plans.slice(resumeAt), ...plans.slice(0, resumeAt)] : plans;
  const checkQuota = () => quotaCheck(client, settings);
  const failures: Error[] = [];
  try {
    await checkQuota();
    for (const plan of ordered) {
      book.setCurrentlySyncing(plan.stream);
      const ctx = { client, settings, writer, book, progress, logger, signal, signpostMs, checkQuota };
      try {
        await new StreamSync(ctx, plan).run();
        progress.finish(plan.stream, 'complete');
      } catch (e) {
        if (signal.aborted && !(e instanceof ConnectorError && e.code === 'INTERRUPTED')) {
          // Stopped between windows: the STATE already written is exact; say it once more as the last line.
          await book.emit();
          progress.finish(plan.stream, 'interrupted');
          throw new ConnectorError('INTERRUPTED', `${plan.stream}: stopped by a signal between windows; the last STATE resumes it`, { cause: e });
        }
        const stop = asStop(e);
        progress.finish(plan.stream, stop ? stop.code.toLowerCase() : 'failed');
        if (stop) throw stop;
        // A count that does not add up stops this stream (its bookmark stays); the others still run.
        logger.log('error', `${plan.stream}: ${(e as Error).message}`);
        failures.push(e as Error);
      }
    }
    book.setCurrentlySyncing(null);
    await book.emit();
  } finally {
    progress.summary();
  }
  if (failures.length) {
    throw new ConnectorError('RUN_FAILED', `${failures.length} stream(s) failed: ${failures.map((f) => f.message).join('; ')}`, { cause: failures[0] });
  }
}

/** Errors that end the whole run cleanly (quota, signal) rather than one stream. */
function asStop(e: unknown): ConnectorError | undefined {
  if (e instanceof ConnectorError && (e.code === 'INTERRUPTED' || e.code === 'QUOTA_LOW' || e.code === 'INPUT_INVALID' || e.where === 'stdout')) return e;
  if (e instanceof LimitExceededError) {
    return new ConnectorError('QUOTA_LOW', `Salesforce refused a request for the org's API limits (${e.errorCode ?? e.status}); the last STATE resumes this run`, { cause: e });
  }
  if (e instanceof SalesforceError && (e.code === 'SF_AUTH' || e.code === 'SF_ABORTED' || e.code === 'SF_CONFIG')) return new ConnectorError('RUN_FAILED', e.message, { cause: e });
  return undefined;
}

/** Stops before the org's daily API requests or Bulk 2.0 query jobs fall under the reserve. */
export async function quotaCheck(client: BulkClient, settings: TapSettings): Promise<void> {
  const a = await client.bulkAllowance();
  const checks: [string, typeof a.apiRequests][] = [
    ['daily API requests', a.apiRequests],
    ['daily Bulk API 2.0 query jobs', a.bulkV2QueryJobs],
  ];
  for (const [label, u] of checks) {
    if (!u) continue;
    const reserve = (u.max * settings.quotaReservePercent) / 100;
    if (u.remaining < 1 || u.remaining < reserve) {
      throw new ConnectorError(
        'QUOTA_LOW',
        `stopping before the org runs out: ${u.remaining} of ${u.max} ${label} are left (reserve ${settings.quotaReservePercent}% from quota_reserve_percent); run again with the last STATE once the allocation recovers`,
      );
    }
  }
}
