// Check before you spend, row by row: a row that Salesforce would certainly refuse is kept out of the upload and
// written to the failed-rows output with the code Salesforce would give (one bad row makes Salesforce reprocess
// its whole internal batch row by row).
import type { FieldDescribe } from '../bulk/index.js';
import { CLEAR_FIELD, utcDateTime } from './field-values.js';
import type { StreamPlan } from './stream-plan.js';

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;
const BOOLEAN = /^(true|false|1|0)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function xsdType(f: FieldDescribe): string | undefined {
  switch (f.type) {
    case 'int':
      return 'xsd:int';
    case 'double':
    case 'currency':
    case 'percent':
      return 'xsd:double';
    case 'boolean':
      return 'xsd:boolean';
    case 'date':
      return 'xsd:date';
    case 'datetime':
      return 'xsd:dateTime';
    default:
      return undefined;
  }
}

function typeOk(f: FieldDescribe, v: string): boolean {
  switch (f.type) {
    case 'int':
      return INTEGER.test(v);
    case 'double':
    case 'currency':
    case 'percent':
      return NUMBER.test(v);
    case 'boolean':
      return BOOLEAN.test(v);
    case 'date':
      return DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
    case 'datetime':
      return utcDateTime(v) !== undefined;
    default:
      return true;
  }
}

/** Digits before the decimal point, leading zeros and sign left out ("-007.5" -> 1); `v` passed typeOk. */
function wholeDigits(v: string): number {
  let i = v.charCodeAt(0) === 43 || v.charCodeAt(0) === 45 ? 1 : 0;
  while (i < v.length && v.charCodeAt(i) === 48) i++;
  let n = 0;
  while (i < v.length && v.charCodeAt(i) !== 46) {
    i++;
    n++;
  }
  return n;
}

/** The `sf__Error` Salesforce would give this row, or undefined when nothing certain is wrong. */
export function rowProblem(plan: StreamPlan, cells: readonly string[]): string | undefined {
  const op = plan.operation;
  if (plan.keyIndex >= 0) {
    const key = cells[plan.keyIndex]!;
    if (key === '' || key === CLEAR_FIELD) {
      const col = plan.columns[plan.keyIndex]!.header;
      if (op === 'upsert') return `MISSING_ARGUMENT:${col} not specified:${col} --`;
      return `MISSING_ARGUMENT:Id not specified in ${op === 'update' ? 'an update' : 'a delete'} call:Id --`;
    }
  }
  if (op === 'insert') {
    const missing: string[] = [];
    for (const f of plan.required) {
      const i = plan.columns.findIndex((c) => c.field === f);
      const v = i < 0 ? '' : cells[i]!;
      if (v === '' || v === CLEAR_FIELD) missing.push(f.name);
    }
    if (missing.length) return `REQUIRED_FIELD_MISSING:Required fields are missing: [${missing.join(', ')}]:${missing.join(',')} --`;
  }
  for (let i = 0; i < plan.columns.length; i++) {
    const c = plan.columns[i]!;
    const v = cells[i]!;
    if (v === '' || v === CLEAR_FIELD || c.lookupField) continue;
    const f = c.field;
    if (!typeOk(f, v)) {
      return `INVALID_FIELD:Failed to deserialize field at col ${i}. Due to, '${v}' is not a valid value for the type ${xsdType(f)}:${f.name} --`;
    }
    if ((f.type === 'double' || f.type === 'currency' || f.type === 'percent' || f.type === 'int') && f.precision > 0) {
      if (wholeDigits(v) > f.precision - f.scale) {
        return `NUMBER_OUTSIDE_VALID_RANGE:${f.label}: value outside of valid range on numeric field: ${v}:${f.name} --`;
      }
    }
    if (TEXT_TYPES.has(f.type) && f.length > 0 && v.length > f.length && [...v].length > f.length) {
      return `STRING_TOO_LONG:${f.label}: data value too large: ${v} (max length=${f.length}):${f.name} --`;
    }
    if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((p) => p.active && p.value === v)) {
      return `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:${f.label}: bad value for restricted picklist field: ${v}:${f.name} --`;
    }
  }
  return undefined;
}
