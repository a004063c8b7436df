// CSV cell -> stored value (see org/types.ts for the stored forms), with Salesforce's row errors.
// Two steps, in Salesforce's order: deserialize (wrong type -> INVALID_FIELD "Failed to deserialize field
// at col N..."), then value checks at save time (length, restricted picklist, email, numeric range).
import type { FieldDef, FieldValue } from '../org/types.js';
import { rowErrors, type XsdType } from './errors.js';


const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z)?$/;
// Salesforce's own check is stricter than this and not published; this refuses the obvious non-addresses.
const EMAIL_RE = /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

const INT32_MAX = 2147483647;

function fail(col: number, raw: string, xsd: XsdType, f: FieldDef): string {
  return rowErrors.deserialize(col, raw, xsd, f.name);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Parses an ISO datetime as Salesforce accepts it (`Z`, `+hh:mm`, `+hhmm` or no zone = UTC; millis optional). */
export function parseDateTime(raw: string): number | undefined {
  const m = DATETIME_RE.exec(raw);
  if (!m) return undefined;
  const y = +m[1], mo = +m[2], d = +m[3], h = +m[4], mi = +m[5], s = +m[6];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = m[7] ? Math.floor(Number('0.' + m[7]) * 1000) : 0;
  let offset = 0;
  const z = m[8];
  if (z && z !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2), om = +digits.slice(2, 4);
    if (oh > 23 || om > 59) return undefined;
    offset = sign * (oh * 60 + om) * 60000;
  }
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC maps years 0..99 to 1900..1999
  const fixed = y < 100 ? new Date(t).setUTCFullYear(y) : t;
  return fixed - offset;
}

/**
 * Deserializes a non-empty cell (not `#N/A`) into the stored form of `f`, put in `out.value`; returns the row's
 * sf__Error when the cell is not of the field's type. Reference/id fields are handled by the caller. An out
 * parameter, not a result object: a million-row job would allocate a million short-lived objects per column.
 */
export function deserialize(f: FieldDef, raw: string, col: number, out: { value: FieldValue }): string | undefined {
  switch (f.type) {
    case 'boolean': {
      const v = raw.toLowerCase();
      if (v === 'true' || v === '1' || v === 'false' || v === '0') {
        out.value = v === 'true' || v === '1';
        return undefined;
      }
      return fail(col, raw, 'boolean', f);
    }
    case 'int': {
      if (!INT_RE.test(raw)) return fail(col, raw, 'int', f);
      const n = Number(raw);
      if (Math.abs(n) > INT32_MAX) return fail(col, raw, 'int', f);
      out.value = n;
      return undefined;
    }
    case 'long': {
      if (!INT_RE.test(raw)) return fail(col, raw, 'long', f);
      const n = Number(raw);
      if (!Number.isFinite(n) || Math.abs(n) > 9223372036854775807) return fail(col, raw, 'long', f);
      out.value = n;
      return undefined;
    }
    case 'double':
    case 'currency':
    case 'percent': {
      if (!DOUBLE_RE.test(raw)) return fail(col, raw, 'double', f);
      const n = Number(raw);
      if (!Number.isFinite(n)) return fail(col, raw, 'double', f);
      out.value = n;
      return undefined;
    }
    case 'date': {
      const m = DATE_RE.exec(raw);
      if (!m || !validDate(+m[1], +m[2], +m[3])) return fail(col, raw, 'date', f);
      out.value = raw;
      return undefined;
    }
    case 'datetime': {
      const t = parseDateTime(raw);
      if (t === undefined) return fail(col, raw, 'dateTime', f);
      out.value = t;
      return undefined;
    }
    case 'time': {
      const m = TIME_RE.exec(raw);
      if (!m || +m[1] > 23 || +m[2] > 59 || (m[3] !== undefined && +m[3] > 59)) return fail(col, raw, 'time', f);
      const ms = (m[4] ?? '').padEnd(3, '0');
      out.value = `${m[1]}:${m[2]}:${m[3] ?? '00'}.${ms}Z`;
      return undefined;
    }
    case 'base64': {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) return fail(col, raw, 'base64Binary', f);
      out.value = raw;
      return undefined;
    }
    default:
      // text-like types keep the cell as it is (values are never trimmed)
      out.value = raw;
      return undefined;
  }
}

/** A picklist's active values, each mapped to itself: the check, and the one string every row with it shares. */
const activeValues = new WeakMap<FieldDef, Map<string, string>>();

function picklistValues(f: FieldDef): Map<string, string> {
  let values = activeValues.get(f);
  if (!values) {
    values = new Map(f.picklistValues.filter((p) => p.active).map((p) => [p.value, p.value]));
    activeValues.set(f, values);
  }
  return values;
}

/** 10^0 .. 10^21, each exact as a double. */
const POWERS_OF_TEN = Array.from({ length: 22 }, (_, k) => 10 ** k);

/** Digits left of the decimal point (0 for |n| < 1), counted without making a string per value. */
function integerDigits(n: number): number {
  const a = Math.floor(Math.abs(n));
  if (a === 0) return 0;
  if (a >= 1e21) return Math.floor(Math.log10(a)) + 1;
  let d = 1;
  while (a >= POWERS_OF_TEN[d]) d++;
  return d;
}

/**
 * Save-time checks of one deserialized, non-null value; returns the sf__Error or undefined. May round the
 * value to the field's scale (Salesforce stores numbers at the field's scale): the result is in `out.value`.
 */
export function checkValue(f: FieldDef, value: FieldValue, raw: string, out: { value: FieldValue }): string | undefined {
  out.value = value;
  switch (f.type) {
    case 'string':
    case 'textarea':
    case 'phone':
    case 'url':
    case 'combobox':
    case 'encryptedstring':
    case 'picklist':
    case 'multipicklist':
    case 'email': {
      const s = value as string;
      if (f.length > 0 && s.length > f.length) return rowErrors.stringTooLong(f, s);
      if (f.type === 'email' && !EMAIL_RE.test(s)) return rowErrors.invalidEmail(f, s);
      if (f.type === 'picklist') {
        const known = picklistValues(f).get(s);
        if (known === undefined && f.restrictedPicklist) return rowErrors.restrictedPicklist(f, s);
        // a million rows of 'Banking' hold one string, not a million copies of it
        if (known !== undefined) out.value = known;
      } else if (f.type === 'multipicklist' && f.restrictedPicklist) {
        const allowed = picklistValues(f);
        for (const p of s.split(';')) if (!allowed.has(p)) return rowErrors.restrictedPicklist(f, s);
      }
      return undefined;
    }
    case 'int':
    case 'long': {
      const n = value as number;
      const digits = f.digits || f.precision;
      if (digits > 0 && integerDigits(n) > digits) return rowErrors.numberOutOfRange(f, raw);
      return undefined;
    }
    case 'double':
    case 'currency':
    case 'percent': {
      let n = value as number;
      if (f.precision > 0) {
        const scale = Math.max(0, Math.min(f.scale, 100));
        // a whole number is already at every scale: no string round trip for it
        if (!Number.isInteger(n)) n = Number(n.toFixed(scale));
        if (integerDigits(n) > f.precision - scale) return rowErrors.numberOutOfRange(f, raw);
        out.value = n;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
