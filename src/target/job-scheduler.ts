// Which chunk's job may start now: at most max_parallel_jobs in flight; a stream whose rows fight over locks runs
// one job at a time (Bulk 2.0 has no serial mode; this is its equivalent); a stream with depends_on starts only
// when its parent streams have nothing left in flight. Waiters are woken on every change, never by polling.
export interface SlotRequest {
  readonly stream: string;
  /** Run alone within the stream. */
  readonly serial: boolean;
  /** Extra condition (depends_on, a retry's backoff has passed). */
  readonly ready?: () => boolean;
}

export class JobScheduler {
  private inFlight = 0;
  private readonly running = new Map<string, { count: number; serial: boolean }>();
  private waiters: (() => void)[] = [];
  private stopped: Error | undefined;

  constructor(private readonly maxParallel: number) {}

  get jobsInFlight(): number {
    return this.inFlight;
  }

  /** Wakes every waiter to re-check its condition (call after any change they may depend on). */
  changed(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** No slot will be handed out any more: waiters get this error. */
  stop(reason: Error): void {
    this.stopped = reason;
    this.changed();
  }

  /** Resolves with a release function once the request may run. */
  async acquire(req: SlotRequest): Promise<() => void> {
    for (;;) {
      if (this.stopped) throw this.stopped;
      const s = this.running.get(req.stream) ?? { count: 0, serial: false };
      const streamFree = req.serial ? s.count === 0 : !s.serial;
      if (this.inFlight < this.maxParallel && streamFree && (req.ready?.() ?? true)) {
        this.inFlight++;
        this.running.set(req.stream, { count: s.count + 1, serial: req.serial });
        let released = false;
        return () => {
          if (released) return;
          released = true;
          this.inFlight--;
          const now = this.running.get(req.stream)!;
          if (now.count <= 1) this.running.delete(req.stream);
          else this.running.set(req.stream, { count: now.count - 1, serial: false });
          this.changed();
        };
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits until `cond` holds, re-checked on every change. */
  async until(cond: () => boolean): Promise<void> {
    while (!cond()) {
      if (this.stopped) throw this.stopped;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
