// One RECORD -> the row the target would upload, or the reason it never leaves: schema validation, mapping into
// cells, the check-before-you-spend rules, the line ending the row can travel with, its CSV line and its hash.
// Pure (no ledger, no counts, no order): the reader thread and the transform workers both call it, so a row is
// built by exactly one piece of code whichever thread builds it.
import { csvLine, lineEndingFor, type CsvLineEnding } from '../streams/csv-chunker.js';
import type { JsonValue } from '../streams/singer-messages.js';
import type { SchemaValidators } from '../streams/schema-validators.js';
import { CLEAR_FIELD, cellFor } from './field-values.js';
import { rowHashOfLine } from './row-hash.js';
import { rowProblem } from './row-rules.js';
import type { StreamPlan } from './stream-plan.js';
import type { TargetSettings } from './target-config.js';

export interface BuiltRow {
  readonly csv: string;
  /** UTF-8 length of `csv`. */
  readonly csvBytes: number;
  readonly eol: CsvLineEnding;
  readonly hash: string;
  /** The row's key cell (external id or Id), or null when the operation has none. */
  readonly key: string | null;
  /** The first lookup column's cell, rows are grouped by it; null without a lookup. */
  readonly parentKey: string | null;
}

/** A row kept out of the upload: `error` is the failed-rows `sf__Error`. */
export interface RefusedRow {
  readonly error: string;
}

/** The cell a null value becomes: "#N/A" clears the field, but only update and upsert can clear. */
export function nullCellFor(plan: StreamPlan, nullHandling: TargetSettings['null_handling']): string {
  return (plan.operation === 'update' || plan.operation === 'upsert') && nullHandling === '#N/A' ? CLEAR_FIELD : '';
}

/** `line` (1-based input line) only appears in the validation message. */
export function buildRow(
  plan: StreamPlan,
  nullCell: string,
  validators: SchemaValidators,
  record: { [k: string]: JsonValue },
  line: number,
): BuiltRow | RefusedRow {
  const invalid = validators.check(plan.stream, record);
  if (invalid !== undefined) return { error: `INVALID_RECORD:input line ${line}: ${invalid} --` };
  const cols = plan.columns;
  const cells = new Array<string>(cols.length);
  for (let i = 0; i < cells.length; i++) {
    const c = cols[i]!;
    const v = record[c.property];
    cells[i] = cellFor(v, c.field, v === undefined ? '' : nullCell);
  }
  const problem = rowProblem(plan, cells);
  if (problem !== undefined) return { error: problem };
  const eol = lineEndingFor(cells);
  if (eol === undefined) return { error: 'INVALID_LINE_BREAKS:a value holds both CRLF and bare LF line breaks, which no single upload can carry --' };
  const csv = csvLine(cells, eol);
  return {
    csv,
    csvBytes: Buffer.byteLength(csv),
    eol,
    hash: rowHashOfLine(csv, eol),
    key: plan.keyIndex >= 0 ? cells[plan.keyIndex]! : null,
    parentKey: plan.parentIndex >= 0 ? cells[plan.parentIndex]! : null,
  };
}

export function isRefused<R extends object>(r: R | RefusedRow): r is RefusedRow {
  return 'error' in r;
}
