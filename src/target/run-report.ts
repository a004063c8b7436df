// What people see: counts per stream, a progress line on stderr (live on a TTY, a log line every few seconds
// otherwise), and the final summary (stderr, and JSON with --summary FILE).
import { writeFileSync } from 'node:fs';
import { LineLogger } from '../streams/log-lines.js';
import { ProgressLine, perSecond, type ProgressSnapshot } from '../streams/progress-line.js';

export interface StreamCounts {
  object: string;
  operation: string;
  read: number;
  /** Rows that went into a chunk (first attempt). */
  queued: number;
  uploaded: number;
  loaded: number;
  failed: number;
  /** Failed before any upload (schema or check-before-you-spend). */
  refusedBeforeUpload: number;
  retried: number;
  skippedUnchanged: number;
  /** Sent by an earlier, interrupted run (matched on a re-run with the same input). */
  alreadySent: number;
  /** Transient failures left in the ledger for the next run. */
  pendingNextRun: number;
  notLoaded: number;
  jobs: number;
  oneJobAtATime: boolean;
  failedByCode: Record<string, number>;
  /** From the stream's first message to its last outcome. */
  seconds: number;
}

export function emptyCounts(object: string, operation: string): StreamCounts {
  return {
    object, operation, read: 0, queued: 0, uploaded: 0, loaded: 0, failed: 0, refusedBeforeUpload: 0, retried: 0,
    skippedUnchanged: 0, alreadySent: 0, pendingNextRun: 0, notLoaded: 0, jobs: 0, oneJobAtATime: false, failedByCode: {},
    seconds: 0,
  };
}

export interface RunSummary {
  readonly outcome: string;
  readonly exitCode: number;
  readonly dryRun: boolean;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly streams: Record<string, StreamCounts>;
  readonly failedRowFiles: string[];
  readonly message?: string;
}

export class RunReport {
  readonly streams = new Map<string, StreamCounts>();
  private readonly firstSeen = new Map<string, number>();
  readonly started = Date.now();
  jobsByState: Record<string, number> = {};
  private readonly progress: ProgressLine;

  constructor(
    private readonly logger: LineLogger = new LineLogger({ name: 'target-salesforce-bulk', level: 'info', format: 'text', redactor: { redact: (s) => s } }),
    o: { tty?: boolean; everyMs?: number } = {},
  ) {
    this.progress = new ProgressLine({ logger, snapshot: () => this.snapshot(), tty: o.tty ?? Boolean(process.stderr.isTTY), everyMs: o.everyMs ?? 5000 });
  }

  stream(name: string, object = '', operation = ''): StreamCounts {
    let c = this.streams.get(name);
    const now = Date.now();
    if (!c) {
      c = emptyCounts(object, operation);
      this.streams.set(name, c);
      this.firstSeen.set(name, now);
    } else if (object && !c.object) {
      c.object = object;
      c.operation = operation;
    }
    c.seconds = Math.round(now - this.firstSeen.get(name)!) / 1000;
    return c;
  }

  countFailure(name: string, code: string, beforeUpload: boolean): void {
    const c = this.stream(name);
    c.failed++;
    if (beforeUpload) c.refusedBeforeUpload++;
    c.failedByCode[code] = (c.failedByCode[code] ?? 0) + 1;
  }

  private total(k: keyof StreamCounts): number {
    let n = 0;
    for (const c of this.streams.values()) n += c[k] as number;
    return n;
  }

  /** Records read, uploaded, processed, failed, skipped; jobs by state; records/s. */
  snapshot(): ProgressSnapshot {
    const read = this.total('read');
    const counts = {
      read, uploaded: this.total('uploaded'), processed: this.total('loaded') + this.total('failed') - this.total('refusedBeforeUpload'),
      loaded: this.total('loaded'), failed: this.total('failed'), skipped: this.total('skippedUnchanged') + this.total('alreadySent'),
    };
    const jobs = Object.fromEntries(Object.entries(this.jobsByState).filter(([, n]) => n > 0));
    const recordsPerSecond = perSecond(read, Date.now() - this.started);
    const jobText = Object.entries(jobs).map(([st, n]) => `${st} ${n}`).join(', ') || 'none';
    return {
      text: `read ${read}, uploaded ${counts.uploaded}, processed ${counts.processed} (loaded ${counts.loaded}, failed ${counts.failed}), skipped ${counts.skipped}; jobs: ${jobText}; ${recordsPerSecond} records/s`,
      fields: { ...counts, jobs, recordsPerSecond },
    };
  }

  startProgress(): void {
    this.progress.start();
  }

  stopProgress(): void {
    this.progress.stop();
  }

  summary(outcome: string, exitCode: number, dryRun: boolean, failedRowFiles: string[], message?: string): RunSummary {
    const seconds = (Date.now() - this.started) / 1000;
    return {
      outcome, exitCode, dryRun, seconds: Math.round(seconds * 1000) / 1000,
      recordsPerSecond: Math.round(this.total('read') / Math.max(0.001, seconds)),
      streams: Object.fromEntries(this.streams), failedRowFiles, ...(message ? { message } : {}),
    };
  }

  printSummary(s: RunSummary, summaryFile?: string): void {
    const lines = [`summary (${s.dryRun ? 'dry run, nothing sent' : s.outcome}, ${s.seconds} s, ${s.recordsPerSecond} records/s):`];
    for (const [name, c] of Object.entries(s.streams)) {
      const codes = Object.entries(c.failedByCode).map(([k, n]) => `${k} ${n}`).join(', ');
      const verb = s.dryRun ? 'would send' : 'loaded';
      lines.push(
        `  ${name}${c.object ? ` -> ${c.object} (${c.operation})` : ''}: read ${c.read}, ${verb} ${s.dryRun ? c.queued : c.loaded}, failed ${c.failed}${codes ? ` (${codes})` : ''}` +
          `${c.refusedBeforeUpload ? `, ${c.refusedBeforeUpload} of them before upload` : ''}, retried ${c.retried}, skipped unchanged ${c.skippedUnchanged}` +
          `${c.alreadySent ? `, already sent by an interrupted run ${c.alreadySent}` : ''}${c.pendingNextRun ? `, pending for the next run ${c.pendingNextRun}` : ''}` +
          `${c.notLoaded ? `, not loaded (unmapped) ${c.notLoaded}` : ''}, jobs ${c.jobs}, ${c.seconds} s${c.oneJobAtATime ? ', lock contention: retried one job at a time, rows grouped by parent' : ''}`,
      );
    }
    if (s.failedRowFiles.length) lines.push(`  failed rows: ${s.failedRowFiles.join(', ')}`);
    if (s.message) lines.push(`  ${s.message}`);
    // One line each; the first carries the whole summary as a field (for --log-format json).
    lines.forEach((line, i) => this.logger.log('info', line, i === 0 ? { summary: s } : undefined));
    if (summaryFile) writeFileSync(summaryFile, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  }
}
