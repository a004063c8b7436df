// Checks that the destination org holds what the source org holds, value by value: the same rows (matched by
// external id) with the same field values, parents included (through the relationship's external id).
import { adminQuery } from './emulator-admin.js';

export interface Comparison {
  readonly object: string;
  readonly source: number;
  readonly destination: number;
  /** Human-readable differences (empty: the same rows and values); at most `limit` are kept. */
  readonly differences: string[];
}

export async function compareObject(sourceUrl: string, destinationUrl: string, object: string, key: string, fields: readonly string[], limit = 10): Promise<Comparison> {
  const soql = `SELECT ${[key, ...fields].join(', ')} FROM ${object} ORDER BY ${key}`;
  const [a, b] = await Promise.all([adminQuery(sourceUrl, soql), adminQuery(destinationUrl, soql)]);
  const differences: string[] = [];
  const note = (s: string) => {
    if (differences.length < limit) differences.push(s);
  };
  const byKey = new Map(b.map((r) => [r[key], r]));
  for (const row of a) {
    const other = byKey.get(row[key]);
    if (!other) {
      note(`${object} ${row[key]}: missing in the destination org`);
      continue;
    }
    byKey.delete(row[key]);
    for (const f of fields) if (!sameValue(row[f] ?? '', other[f] ?? '')) note(`${object} ${row[key]}.${f}: source ${JSON.stringify(row[f])}, destination ${JSON.stringify(other[f])}`);
  }
  for (const k of byKey.keys()) note(`${object} ${k}: only in the destination org`);
  if (a.length !== b.length) note(`${object}: ${a.length} rows in the source org, ${b.length} in the destination`);
  return { object, source: a.length, destination: b.length, differences };
}

/** Numbers compare by value ("5000000" and "5000000.0" are the same currency amount); everything else as text. */
function sameValue(x: string, y: string): boolean {
  if (x === y) return true;
  return x !== '' && y !== '' && Number.isFinite(Number(x)) && Number(x) === Number(y);
}
