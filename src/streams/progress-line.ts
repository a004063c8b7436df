// The progress of a run, the same way for both executables: on a TTY (text logs, info level) a live line kept at the
// bottom of stderr by cli-progress, with log lines scrolling above it; otherwise an info log line every few seconds
// (a CI log or Meltano's). Counting stays with the run (the tap's ProgressReport, the target's RunReport); this only
// shows their snapshot.
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import { InvalidArgumentError, Option } from 'commander';
import type { LineLogger, LogFields } from './log-lines.js';

export interface ProgressSnapshot {
  /** One line for people. */
  readonly text: string;
  /** The same counts as fields of a JSON log line. */
  readonly fields: LogFields;
}

export interface ProgressLineOptions {
  readonly logger: LineLogger;
  readonly snapshot: () => ProgressSnapshot;
  /** stderr is a terminal. */
  readonly tty: boolean;
  /** Between two log lines when not live. */
  readonly everyMs: number;
}

const LIVE_EVERY_MS = 500;

/** cli-progress is loaded only for a live line: most runs (pipes, CI, Meltano) never draw one, and it is 21 modules. */
const loadCliProgress = (): typeof cliProgress => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private multi: cliProgress.MultiBar | undefined;
  private bar: cliProgress.SingleBar | undefined;

  constructor(private readonly o: ProgressLineOptions) {}

  start(): void {
    const { logger } = this.o;
    if (this.timer || !logger.enabled('info')) return;
    if (this.o.tty && logger.format === 'text') {
      const multi = new (loadCliProgress().MultiBar)({ format: '{status}', stream: process.stderr, hideCursor: true, clearOnComplete: false, autopadding: false });
      this.multi = multi;
      this.bar = multi.create(1, 0, { status: this.o.snapshot().text });
      // A log line written straight to stderr would tear the live line: it goes above it instead.
      logger.divert((line) => multi.log(line));
      this.timer = setInterval(() => this.bar?.update(0, { status: this.o.snapshot().text }), LIVE_EVERY_MS);
    } else {
      this.timer = setInterval(() => {
        const s = this.o.snapshot();
        logger.log('info', `progress: ${s.text}`, { progress: s.fields });
      }, this.o.everyMs);
    }
    this.timer.unref();
  }

  /** Stops the line; on a TTY the final counts stay on screen. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.multi) return;
    this.bar?.update(0, { status: this.o.snapshot().text });
    this.multi.update(); // writes the log lines still buffered
    this.multi.stop();
    this.o.logger.divert(undefined);
    this.multi = undefined;
    this.bar = undefined;
  }
}

/** Records per second over a span, whole. */
export function perSecond(n: number, ms: number): number {
  return ms > 0 ? Math.round((n * 1000) / ms) : n;
}

/** `--progress-seconds`, the same on both executables. */
export function progressOption(): Option {
  return new Option('--progress-seconds <seconds>', 'seconds between two progress log lines when stderr is not a terminal')
    .default(5)
    .argParser((v) => {
      const n = Number(v);
      if (!(n > 0 && n <= 3600)) throw new InvalidArgumentError('a number of seconds above 0, at most 3600');
      return n;
    });
}
