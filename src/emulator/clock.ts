// The emulator's notion of "now": a source (the machine's clock unless a test injects one) plus an offset
// that only moves forward. Token expiry, job timestamps and SOQL date literals read it, so a test advances
// time (`POST /__emulator/clock {"advanceSeconds": N}`) instead of waiting real seconds.
export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly source: () => number = Date.now) {}

  /** Epoch milliseconds as the emulator sees them. */
  readonly now = (): number => this.source() + this.offsetMs;

  /** Moves the clock forward; time never runs backwards (tokens and job timestamps rely on it). */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`advanceSeconds must be a number of seconds >= 0, got ${String(seconds)}`);
    }
    this.offsetMs += Math.round(seconds * 1000);
  }
}
