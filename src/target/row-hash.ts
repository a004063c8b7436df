// A row's identity for reconciliation: the hash of its cell values, so a result row (which echoes the uploaded
// columns) finds the row it came from without any chunk held in memory.
import { hash } from 'node:crypto';

export function rowHash(cells: readonly string[]): string {
  return hash('sha1', cells.join('\u0000'), 'base64').slice(0, 22);
}
