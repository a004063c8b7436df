// Every request the emulator answered, so tests can assert what a client did (once, in order, no duplicates).
export interface LoggedRequest {
  readonly seq: number;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly durationMs: number;
  /** Set when the request concerned a job. */
  readonly jobId?: string;
  /** For PATCH of a job: the state asked for. */
  readonly state?: string;
  /** For uploads: data rows received (header excluded). */
  readonly records?: number;
  readonly bytesIn?: number;
  /** The fault injected, if any. */
  readonly fault?: string;
}

const MAX_ENTRIES = 100_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  add(entry: Omit<LoggedRequest, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  since(seq = 0): LoggedRequest[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  clear(): void {
    this.entries = [];
  }
}
