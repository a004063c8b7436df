// The only writer of the target's stdout. A STATE message's value leaves only once every record received before it
// is loaded, in the failed-rows output, skipped, or pending in the ledger: each piece of work that still owes
// records (an open chunk, a job in flight, a retry) holds the sequence number of its first record, and a STATE
// waits until every holder of an earlier record has let go.
import type { JsonValue } from '../streams/singer-messages.js';

export class StateGate {
  private seq = 0;
  private nextHold = 1;
  private readonly holds = new Map<number, number>();
  private queued: { value: JsonValue; upTo: number }[] = [];
  emitted = 0;

  constructor(
    private readonly write: (line: string) => void,
    /** Makes the failed-rows output durable before a STATE that covers it leaves. */
    private readonly beforeEmit: () => void = () => undefined,
  ) {}

  /** Numbers the next record (from 0). */
  record(): number {
    return this.seq++;
  }

  /** The number the next record will get. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Work that owes records from `firstSeq` on; returns the hold to release when they are accounted for. */
  hold(firstSeq: number): number {
    const id = this.nextHold++;
    this.holds.set(id, firstSeq);
    return id;
  }

  release(hold: number): void {
    this.holds.delete(hold);
    this.flush();
  }

  /** A STATE message: it covers every record received so far. */
  offer(value: JsonValue): void {
    this.queued.push({ value, upTo: this.seq });
    this.flush();
  }

  /** Writes the newest STATE whose records are all accounted for (older ones are superseded). */
  flush(): void {
    if (!this.queued.length) return;
    let low = Infinity;
    for (const s of this.holds.values()) if (s < low) low = s;
    let ready = -1;
    for (let i = 0; i < this.queued.length; i++) if (this.queued[i]!.upTo <= low) ready = i;
    if (ready < 0) return;
    const { value } = this.queued[ready]!;
    this.queued = this.queued.slice(ready + 1);
    this.beforeEmit();
    this.write(JSON.stringify(value) + '\n');
    this.emitted++;
  }

  /** STATE messages still waiting for their records. */
  get waiting(): number {
    return this.queued.length;
  }
}
