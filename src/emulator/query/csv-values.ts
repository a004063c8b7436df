// How Bulk API 2.0 query results print stored values: every cell quoted, null as an empty cell,
// datetimes as `2026-11-22T14:43:08.000Z`, dates `YYYY-MM-DD`, booleans `true`/`false`, integer
// fields as integers, and double/currency/percent fields as Java's Double.toString prints them
// (`1234567.0`, `1.2345678E7`, `9.0E7`), which is what Salesforce's API returns for them.
import type { FieldValue } from '../org/types.js';
import type { ValueKind } from '../org/value-kind.js';

export { valueKindOf, type ValueKind } from '../org/value-kind.js';

/** Java's Double.toString: plain decimal with at least one fraction digit in [1e-3, 1e7), else d.dddE±n. */
export function javaDouble(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  const a = x < 0 ? -x : x;
  if (a >= 1e-3 && a < 1e7) {
    const s = String(x);
    return s.indexOf('.') >= 0 ? s : s + '.0';
  }
  const e = x.toExponential();
  const at = e.indexOf('e');
  let mantissa = e.slice(0, at);
  if (mantissa.indexOf('.') < 0) mantissa += '.0';
  const exp = e.charCodeAt(at + 1) === 43 /* + */ ? e.slice(at + 2) : e.slice(at + 1);
  return mantissa + 'E' + exp;
}

const TWO: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedPrefix = '';

/** `YYYY-MM-DDTHH:mm:ss.SSSZ` of epoch milliseconds (Date#toISOString without a Date per call). */
export function isoDateTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    if (iso.length !== 24) return new Date(ms).toISOString(); // years outside 0000-9999
    cachedDay = day;
    cachedPrefix = iso.slice(0, 11);
  }
  let rem = ms - day * DAY_MS;
  const h = (rem / 3_600_000) | 0;
  rem -= h * 3_600_000;
  const m = (rem / 60_000) | 0;
  rem -= m * 60_000;
  const sec = (rem / 1000) | 0;
  const milli = (rem - sec * 1000) | 0;
  return cachedPrefix + TWO[h] + ':' + TWO[m] + ':' + TWO[sec] + '.' + THREE[milli] + 'Z';
}

/** The unquoted text of a stored value in a query result ('' for null). */
export function formatValue(v: FieldValue | undefined, kind: ValueKind): string {
  if (v === null || v === undefined) return '';
  switch (kind) {
    case 'datetime':
      return typeof v === 'number' ? isoDateTime(v) : String(v);
    case 'double':
      return typeof v === 'number' ? javaDouble(v) : String(v);
    case 'int':
      if (typeof v !== 'number') return String(v);
      return Math.abs(v) < 1e21 ? String(Math.trunc(v)) : Number.isFinite(v) ? BigInt(Math.trunc(v)).toString() : String(v);
    case 'bool':
      return v === true ? 'true' : v === false ? 'false' : String(v);
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

/** A cell's text with `"` doubled (the caller adds the surrounding quotes). */
export function escapeQuotes(s: string): string {
  return s.indexOf('"') < 0 ? s : s.replaceAll('"', '""');
}
