// What the demo shows while it runs: on a TTY a live cli-progress bar with the tools' own log lines scrolling above
// it; otherwise the tools' log lines only (each prefixed with its source), which is what a CI log wants.
import cliProgress from 'cli-progress';

export class ProgressView {
  private readonly multi: cliProgress.MultiBar | undefined;
  private bar: cliProgress.SingleBar | undefined;

  constructor(tty = Boolean(process.stderr.isTTY)) {
    this.multi = tty
      ? new cliProgress.MultiBar(
          { format: '{phase} |{bar}| {value}/{total} {unit}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  }

  /** One log line, above the bar on a TTY. */
  line(text: string): void {
    if (this.multi) this.multi.log(`${text}\n`);
    else process.stderr.write(`${text}\n`);
  }

  phase(phase: string, total: number, unit: string): void {
    this.endPhase();
    this.bar = this.multi?.create(Math.max(1, total), 0, { phase, unit });
  }

  update(value: number): void {
    this.bar?.update(value);
  }

  endPhase(): void {
    if (this.bar && this.multi) this.multi.remove(this.bar);
    this.bar = undefined;
  }

  stop(): void {
    this.endPhase();
    this.multi?.stop();
  }
}
