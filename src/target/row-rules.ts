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

/** What one column is checked for, worked out once per plan instead of once per cell. */
export interface ColumnRule {
  readonly index: number;
  readonly field: FieldDescribe;
  /** Type check needed (any type but free text). */
  readonly typed: boolean;
  /** Most digits before the decimal point (precision - scale), or undefined when unchecked. */
  readonly maxWholeDigits: number | undefined;
  /** Longest text in characters, or -1 when unchecked. */
  readonly maxLength: number;
  /** The active values of a restricted picklist, else undefined. */
  readonly picklist: ReadonlySet<string> | undefined;
}

export interface PlanRules {
  readonly columns: readonly ColumnRule[];
  /** For insert: each required field's column index (-1: not mapped). */
  readonly required: readonly { readonly name: string; readonly index: number }[];
}

const rulesByPlan = new WeakMap<StreamPlan, PlanRules>();

/** The plan's row checks (shared with the byte-level row builder, which must refuse nothing these would not). */
export function rulesFor(plan: StreamPlan): PlanRules {
  let r = rulesByPlan.get(plan);
  if (r) return r;
  const columns: ColumnRule[] = [];
  plan.columns.forEach((c, index) => {
    if (c.lookupField) return;
    const f = c.field;
    const numeric = f.type === 'double' || f.type === 'currency' || f.type === 'percent' || f.type === 'int';
    const picklist = f.type === 'picklist' && f.restrictedPicklist ? new Set(f.picklistValues.filter((p) => p.active).map((p) => p.value)) : undefined;
    columns.push({
      index,
      field: f,
      typed: xsdType(f) !== undefined,
      maxWholeDigits: numeric && f.precision > 0 ? f.precision - f.scale : undefined,
      maxLength: TEXT_TYPES.has(f.type) && f.length > 0 ? f.length : -1,
      picklist,
    });
  });
  const required = plan.required.map((f) => ({ name: f.name, index: plan.columns.findIndex((c) => c.field === f) }));
  r = { columns, required };
  rulesByPlan.set(plan, r);
  return r;
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
  const rules = rulesFor(plan);
  if (op === 'insert') {
    let missing: string[] | undefined;
    for (const { name, index } of rules.required) {
      const v = index < 0 ? '' : cells[index]!;
      if (v === '' || v === CLEAR_FIELD) (missing ??= []).push(name);
    }
    if (missing) return `REQUIRED_FIELD_MISSING:Required fields are missing: [${missing.join(', ')}]:${missing.join(',')} --`;
  }
  const columns = rules.columns;
  for (let k = 0; k < columns.length; k++) {
    const c = columns[k]!;
    const v = cells[c.index]!;
    if (v === '' || v === CLEAR_FIELD) continue;
    const f = c.field;
    if (c.typed && !typeOk(f, v)) {
      return `INVALID_FIELD:Failed to deserialize field at col ${c.index}. Due to, '${v}' is not a valid value for the type ${xsdType(f)}:${f.name} --`;
    }
    if (c.maxWholeDigits !== undefined && wholeDigits(v) > c.maxWholeDigits) {
      return `NUMBER_OUTSIDE_VALID_RANGE:${f.label}: value outside of valid range on numeric field: ${v}:${f.name} --`;
    }
    if (c.maxLength >= 0 && v.length > c.maxLength && [...v].length > c.maxLength) {
      return `STRING_TOO_LONG:${f.label}: data value too large: ${v} (max length=${f.length}):${f.name} --`;
    }
    if (c.picklist !== undefined && !c.picklist.has(v)) {
      return `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:${f.label}: bad value for restricted picklist field: ${v}:${f.name} --`;
    }
  }
  return undefined;
}
