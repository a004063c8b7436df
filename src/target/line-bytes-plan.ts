// Which streams the byte-level row builder (line-bytes-row.ts) may take, and what it checks per column, worked out
// once per plan. A stream qualifies when everything its SCHEMA and describe rules could say about a flat record of
// primitive values can be decided on the line's bytes: each property's JSON type, the schema's `required`, closed or
// open extra keys, and per column the field's type, length, digits and restricted picklist. Anything else (formats,
// enums, nested schemas, date and datetime fields, whose cells are converted) leaves the stream on the JSON.parse
// path, which is always correct.
import type { JsonSchema } from '../streams/singer-messages.js';
import { rulesFor } from './row-rules.js';
import type { StreamPlan } from './stream-plan.js';

/** JSON types a property accepts, as bits. */
export const T_STRING = 1;
export const T_NUMBER = 2;
export const T_INTEGER = 4;
export const T_BOOLEAN = 8;
export const T_NULL = 16;

const TYPE_BITS: Record<string, number> = { string: T_STRING, number: T_NUMBER, integer: T_INTEGER, boolean: T_BOOLEAN, null: T_NULL, object: 0, array: 0 };

/** What a column's field takes (free text, or a value its xsd type checks). */
export const F_TEXT = 0;
export const F_INT = 1;
export const F_DECIMAL = 2;
export const F_BOOLEAN = 3;

export interface BytesProperty {
  /** The key's UTF-8 bytes. */
  readonly name: Buffer;
  readonly types: number;
  readonly required: boolean;
  /** Its CSV column, or -1 when it is validated but not sent. */
  readonly column: number;
}

export interface BytesColumn {
  readonly property: number;
  readonly field: number;
  /** Longest text in characters, or -1. */
  readonly maxLength: number;
  /** Most digits before the decimal point, or -1. */
  readonly maxWholeDigits: number;
  readonly picklist: ReadonlySet<string> | undefined;
  /** A key or a field an insert requires: a blank or #N/A cell is a refused row. */
  readonly needsValue: boolean;
}

export interface LineBytesPlan {
  readonly plan: StreamPlan;
  readonly properties: readonly BytesProperty[];
  readonly columns: readonly BytesColumn[];
  /** additionalProperties: false. */
  readonly closed: boolean;
  /** The cell a null value becomes. */
  readonly nullCell: Buffer;
}

// Keywords ajv ignores or that only describe: anything else in a schema may validate something and is not taken.
const INERT = new Set(['description', 'title', '$comment', 'examples', 'default', 'readOnly', 'writeOnly']);
const TOP = new Set([...INERT, 'type', 'properties', 'required', 'additionalProperties', '$schema']);
const PROPERTY = new Set([...INERT, 'type']);

function typeBits(type: unknown): number | undefined {
  if (type === undefined) return T_STRING | T_NUMBER | T_INTEGER | T_BOOLEAN | T_NULL;
  const list = Array.isArray(type) ? type : [type];
  let bits = 0;
  for (const t of list) {
    const b = typeof t === 'string' ? TYPE_BITS[t] : undefined;
    if (b === undefined) return undefined;
    bits |= b;
  }
  return bits;
}

/** The stream's byte-level plan, or undefined when its rows must go through JSON.parse. */
export function lineBytesPlan(plan: StreamPlan, schema: JsonSchema, nullCell: string): LineBytesPlan | undefined {
  if (Object.keys(schema).some((k) => !TOP.has(k))) return undefined;
  const top = schema.type;
  if (top !== undefined && top !== 'object' && !(Array.isArray(top) && top.includes('object'))) return undefined;
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== 'boolean') return undefined;
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  if (typeof props !== 'object' || Array.isArray(props)) return undefined;
  const required = schema.required ?? [];
  if (!Array.isArray(required) || required.some((r) => typeof r !== 'string' || !Object.hasOwn(props, r))) return undefined;
  const names = Object.keys(props);
  if (names.length > 63) return undefined; // the row builder keeps a slot per property, 63 at most
  const properties: BytesProperty[] = [];
  for (const name of names) {
    if (/["\\\u0000-\u001f]/.test(name)) return undefined; // a key written with escapes: JSON.parse decides
    const p = props[name];
    if (p === null || typeof p !== 'object' || Array.isArray(p) || Object.keys(p).some((k) => !PROPERTY.has(k))) return undefined;
    const types = typeBits((p as JsonSchema).type);
    if (types === undefined) return undefined;
    properties.push({ name: Buffer.from(name), types, required: required.includes(name), column: plan.columns.findIndex((c) => c.property === name) });
  }
  if (plan.columns.some((c) => !Object.hasOwn(props, c.property))) return undefined;
  const rules = rulesFor(plan);
  if (plan.operation === 'insert' && rules.required.some((r) => r.index < 0)) return undefined; // every row refused
  const needsValue = new Set<number>(plan.operation === 'insert' ? rules.required.map((r) => r.index) : []);
  if (plan.keyIndex >= 0) needsValue.add(plan.keyIndex);
  const columns: BytesColumn[] = [];
  for (let i = 0; i < plan.columns.length; i++) {
    const c = plan.columns[i]!;
    const rule = rules.columns.find((r) => r.index === i);
    let field = F_TEXT;
    if (rule?.typed) {
      const t = rule.field.type;
      if (t === 'int') field = F_INT;
      else if (t === 'boolean') field = F_BOOLEAN;
      else if (t === 'double' || t === 'currency' || t === 'percent') field = F_DECIMAL;
      else return undefined; // date, datetime: cells are converted
    } else if (!c.lookupField && (c.field.type === 'date' || c.field.type === 'datetime')) return undefined;
    columns.push({
      property: names.indexOf(c.property),
      field,
      maxLength: rule?.maxLength ?? -1,
      maxWholeDigits: rule?.maxWholeDigits ?? -1,
      picklist: rule?.picklist,
      needsValue: needsValue.has(i),
    });
  }
  return { plan, properties, columns, closed: schema.additionalProperties === false, nullCell: Buffer.from(nullCell) };
}
