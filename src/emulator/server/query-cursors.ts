// Open REST query results, paged by `nextRecordsUrl` (`/services/data/vXX.X/query/<cursor id>-<offset>`).
// A user keeps at most 10 open: opening an eleventh releases the oldest; one left untouched for 15 minutes
// of the emulator's clock expires (both modelled on Salesforce's query-locator limits; see src/emulator/README.md).
import { makeId } from '../ids.js';
import type { RestQueryResult } from '../query/rest-records.js';

const MAX_OPEN = 10;
const IDLE_MS = 15 * 60_000;

export interface QueryCursor {
  readonly id: string;
  readonly result: RestQueryResult;
  readonly batchSize: number;
  touchedAt: number;
}

export class QueryCursors {
  private readonly open = new Map<string, QueryCursor>();
  private counter = 0;

  constructor(private readonly now: () => number) {}

  /** Keeps `result` for paging and answers the cursor id (key prefix 01g, as Salesforce's locators have). */
  add(result: RestQueryResult, batchSize: number): string {
    const id = makeId('01g', ++this.counter);
    this.open.set(id, { id, result, batchSize, touchedAt: this.now() });
    while (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
    return id;
  }

  /** The open cursor, or undefined when it was never issued, was released or has expired. */
  get(id: string): QueryCursor | undefined {
    const c = this.open.get(id);
    if (!c) return undefined;
    const now = this.now();
    if (now - c.touchedAt >= IDLE_MS) {
      this.open.delete(id);
      return undefined;
    }
    c.touchedAt = now;
    return c;
  }

  /** Drops a cursor whose last page was served. */
  close(id: string): void {
    this.open.delete(id);
  }

  clear(): void {
    this.open.clear();
  }
}
