// Record values -> the text Salesforce expects in a Bulk CSV cell: ISO dates, datetimes in UTC with milliseconds,
// true/false, numbers written out in full (never 1e+21 or 1e-7), nested values as JSON, and null as blank or #N/A.
import type { FieldDescribe } from '../bulk/index.js';
import type { JsonValue } from '../streams/singer-messages.js';

/** The cell Salesforce reads as "set this field to null" on update and upsert. */
export const CLEAR_FIELD = '#N/A';

/** A number without exponent notation: 1e21 -> "1000000000000000000000", 1.5e-7 -> "0.00000015". */
export function plainNumber(n: number): string {
  const s = String(n);
  // Only |n| >= 1e21 and 0 < |n| < 1e-6 print with an exponent: every other number is already plain.
  if (!Number.isFinite(n) || !s.includes('e')) return s;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = lead! + frac;
  if (exp >= 0) {
    const intLen = 1 + exp;
    return sign + (digits.length <= intLen ? digits + '0'.repeat(intLen - digits.length) : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`);
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

const DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/;

/** A datetime in UTC, `2024-05-01T12:00:00.000Z`; undefined when the text is not a date or datetime. */
export function utcDateTime(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * One value as its CSV cell for the given field (undefined field: a relationship column or an unknown type,
 * written as text). `nullCell` is "" (leave untouched) or "#N/A" (clear).
 */
export function cellFor(value: JsonValue | undefined, field: FieldDescribe | undefined, nullCell: string): string {
  if (value === null || value === undefined) return nullCell;
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return plainNumber(value);
    case 'string':
      break;
    default:
      return JSON.stringify(value);
  }
  switch (field?.type) {
    case 'datetime':
      return utcDateTime(value) ?? value;
    case 'date': {
      const m = DATE_PREFIX.exec(value);
      return m ? m[1]! : value;
    }
    default:
      return value;
  }
}
