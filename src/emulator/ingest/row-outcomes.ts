// What happened to each uploaded row: one byte of status per row, the sf__Id of rows that have one, and the
// sf__Error of failed rows. The three result sets are views of this (successful + failed + unprocessed = rows).

export const ROW_UNPROCESSED = 0;
export const ROW_CREATED = 1;
export const ROW_UPDATED = 2;
export const ROW_FAILED = 3;

export type RowOutcome =
  | { readonly status: typeof ROW_CREATED | typeof ROW_UPDATED; readonly id: string }
  | { readonly status: typeof ROW_FAILED; readonly id: string; readonly error: string };

export class RowOutcomes {
  /** Per row: ROW_*. */
  readonly status: Uint8Array;
  /** Per row: sf__Id (successes, failed updates and deletes). */
  readonly ids: (string | undefined)[];
  /** sf__Error by row. */
  readonly errors = new Map<number, string>();

  constructor(readonly count: number) {
    this.status = new Uint8Array(count);
    this.ids = new Array<string | undefined>(count);
  }

  record(i: number, out: RowOutcome): void {
    this.status[i] = out.status;
    if (out.id) this.ids[i] = out.id;
    if (out.status === ROW_FAILED) this.errors.set(i, out.error);
  }

  /** Counts of the three result sets. */
  counts(): { successful: number; failed: number; unprocessed: number } {
    let successful = 0;
    let failed = 0;
    let unprocessed = 0;
    for (const st of this.status) {
      if (st === ROW_CREATED || st === ROW_UPDATED) successful++;
      else if (st === ROW_FAILED) failed++;
      else unprocessed++;
    }
    return { successful, failed, unprocessed };
  }
}
