// Progress lines and the per-stream summary, on stderr (stdout carries only Singer messages).
export interface StreamTally {
  rows: number;
  pages: number;
  windows: number;
  jobs: number;
  startedMs: number;
  endedMs?: number;
  outcome?: string;
}

const EVERY_MS = 5000;

export class ProgressReport {
  private readonly tallies = new Map<string, StreamTally>();
  private lastLine = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  tally(stream: string): StreamTally {
    let t = this.tallies.get(stream);
    if (!t) {
      t = { rows: 0, pages: 0, windows: 0, jobs: 0, startedMs: this.now() };
      this.tallies.set(stream, t);
    }
    return t;
  }

  /** After each page: a line at most every few seconds. */
  page(stream: string): void {
    const t = this.tally(stream);
    t.pages++;
    const now = this.now();
    if (now - this.lastLine < EVERY_MS) return;
    this.lastLine = now;
    this.write(`progress: ${stream}: ${t.rows} rows, ${t.pages} pages, ${rate(t.rows, now - t.startedMs)} rows/s`);
  }

  finish(stream: string, outcome: string): void {
    const t = this.tally(stream);
    t.endedMs = this.now();
    t.outcome = outcome;
  }

  summary(): void {
    for (const [stream, t] of this.tallies) {
      const ms = (t.endedMs ?? this.now()) - t.startedMs;
      this.write(
        `summary: ${stream}: ${t.outcome ?? 'stopped'}; ${t.rows} rows, ${t.pages} pages, ${t.windows} windows, ${t.jobs} query jobs, ${(ms / 1000).toFixed(1)} s, ${rate(t.rows, ms)} rows/s`,
      );
    }
  }
}

function rate(rows: number, ms: number): number {
  return ms > 0 ? Math.round((rows * 1000) / ms) : rows;
}
