// The tap's counts per stream: their snapshot feeds the progress line (src/streams/progress-line.ts) and the
// per-stream summary ends the run, on stderr (stdout carries only Singer messages).
import { perSecond as rate, type ProgressSnapshot } from '../streams/progress-line.js';

export interface StreamTally {
  rows: number;
  pages: number;
  windows: number;
  jobs: number;
  startedMs: number;
  endedMs?: number;
  outcome?: string;
}

export class ProgressReport {
  private readonly tallies = new Map<string, StreamTally>();

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

  /** After each page. */
  page(stream: string): void {
    this.tally(stream).pages++;
  }

  /** Rows, pages and records/s of every stream so far. */
  snapshot(): ProgressSnapshot {
    const now = this.now();
    const parts: string[] = [];
    const fields: Record<string, { rows: number; pages: number; recordsPerSecond: number }> = {};
    for (const [stream, t] of this.tallies) {
      const ms = (t.endedMs ?? now) - t.startedMs;
      fields[stream] = { rows: t.rows, pages: t.pages, recordsPerSecond: rate(t.rows, ms) };
      parts.push(`${stream}: ${t.rows} rows, ${t.pages} pages, ${rate(t.rows, ms)} records/s${t.outcome ? ` (${t.outcome})` : ''}`);
    }
    return { text: parts.join('; ') || 'starting', fields: { streams: fields } };
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
