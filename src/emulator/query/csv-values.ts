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

const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;
/** Epoch milliseconds whose year lies in 0000-9999 (outside it, ISO strings take a sign and six digits). */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

/** Year, month (1-12) and day of a day count since 1970-01-01 into out[0..2] (proleptic Gregorian; H. Hinnant's civil_from_days). */
function civil(days: number, out: Int32Array): void {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  out[0] = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out[1] = m;
  out[2] = d;
}

/** [year, month, day, hour, minute, second, millisecond] of the last splitDateTime. */
const parts = new Int32Array(7);

/** Splits epoch milliseconds (an integer in years 0000-9999) into `parts`. */
function splitDateTime(ms: number): void {
  const day = Math.floor(ms / DAY_MS);
  civil(day, parts);
  let rem = ms - day * DAY_MS;
  parts[3] = (rem / 3_600_000) | 0;
  rem -= parts[3] * 3_600_000;
  parts[4] = (rem / 60_000) | 0;
  rem -= parts[4] * 60_000;
  parts[5] = (rem / 1000) | 0;
  parts[6] = rem - parts[5] * 1000;
}

function printable(ms: number): boolean {
  return ms >= MIN_MS && ms <= MAX_MS && Number.isInteger(ms);
}

/** `YYYY-MM-DDTHH:mm:ss.SSSZ` of epoch milliseconds (Date#toISOString without a Date per call). */
export function isoDateTime(ms: number): string {
  if (!printable(ms)) return new Date(ms).toISOString();
  splitDateTime(ms);
  const [y, mo, d, h, mi, sec, milli] = parts;
  return TWO[(y / 100) | 0] + TWO[y % 100] + '-' + TWO[mo] + '-' + TWO[d] + 'T' + TWO[h] + ':' + TWO[mi] + ':' + TWO[sec] + '.' + THREE[milli] + 'Z';
}

function put2(buf: Buffer, pos: number, n: number): void {
  buf[pos] = 48 + ((n / 10) | 0);
  buf[pos + 1] = 48 + (n % 10);
}

/**
 * Writes isoDateTime(ms) as bytes at `pos` (24 bytes); returns the position after it, or -1 for a value
 * isoDateTime would print another way (years outside 0000-9999, fractions of a millisecond).
 */
export function putIsoDateTime(buf: Buffer, pos: number, ms: number): number {
  if (!printable(ms)) return -1;
  splitDateTime(ms);
  const y = parts[0];
  put2(buf, pos, (y / 100) | 0);
  put2(buf, pos + 2, y % 100);
  buf[pos + 4] = 45; // -
  put2(buf, pos + 5, parts[1]);
  buf[pos + 7] = 45;
  put2(buf, pos + 8, parts[2]);
  buf[pos + 10] = 84; // T
  put2(buf, pos + 11, parts[3]);
  buf[pos + 13] = 58; // :
  put2(buf, pos + 14, parts[4]);
  buf[pos + 16] = 58;
  put2(buf, pos + 17, parts[5]);
  buf[pos + 19] = 46; // .
  const milli = parts[6];
  buf[pos + 20] = 48 + ((milli / 100) | 0);
  buf[pos + 21] = 48 + (((milli / 10) | 0) % 10);
  buf[pos + 22] = 48 + (milli % 10);
  buf[pos + 23] = 90; // Z
  return pos + 24;
}

/** Writes a safe integer's decimal digits at `pos`; returns the position after them. */
export function putInteger(buf: Buffer, pos: number, n: number): number {
  if (n < 0) {
    buf[pos++] = 45;
    n = -n;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let k = pos + digits - 1; k >= pos; k--) {
    buf[k] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return pos + digits;
}

/**
 * Writes a string at `pos` as UTF-8, doubling `"` when `escape`; returns the position after it. The caller
 * leaves room for `s.length * 6` bytes.
 */
export function putText(buf: Buffer, pos: number, s: string, escape: boolean): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      const rest = i === 0 ? s : s.slice(i);
      return pos + buf.write(escape ? escapeQuotes(rest) : rest, pos, 'utf8');
    }
    buf[pos++] = c;
    if (c === 0x22 && escape) buf[pos++] = c;
  }
  return pos;
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
