// Typing a CSV row by its stream's JSON Schema. Each column gets an encoder compiled once from its property
// schema, and a row becomes the JSON text of its record directly (no object built and serialized again): the
// transform then costs little more than reading the CSV. An empty cell is null for every non-string type, and
// for a nullable string too: in a CSV export an empty cell is how a missing value is written, and a source that
// keeps no empty text (the tap's) has nothing else it could mean.
import { ConnectorError } from './connector-errors.js';
import type { JsonSchema, JsonValue } from './singer-messages.js';

export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time' | 'time' | 'any';

/** The kind of value a property schema describes (its non-null type and format). */
export function valueKindOf(schema: JsonSchema): ValueKind {
  const raw = schema.type;
  const types = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t) => t !== 'null') as string[];
  if (types.length !== 1) return 'any';
  switch (types[0]) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      if (schema.format === 'date-time') return 'date-time';
      if (schema.format === 'date') return 'date';
      if (schema.format === 'time') return 'time';
      return 'string';
    default:
      return 'any';
  }
}

function isNullable(schema: JsonSchema): boolean {
  return Array.isArray(schema.type) ? schema.type.includes('null') : schema.type === 'null';
}

/** A cell that does not parse as its column's type. */
export class CoercionError extends ConnectorError {
  constructor(
    readonly column: string,
    readonly kind: ValueKind,
    readonly value: string,
  ) {
    super('RUN_FAILED', `column "${column}" holds ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}, which is not a valid ${kind}`, { where: column });
  }
}

type Encoder = (cell: string, column: string) => string;

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** A JSON string literal; most cells need no escaping, and a regex test is cheaper than the general path. */
function quote(c: string): string {
  return NEEDS_ESCAPE.test(c) ? JSON.stringify(c) : `"${c}"`;
}

/** ISO 8601 UTC with milliseconds, 2026-11-22T14:43:08.000Z: its fixed punctuation first, the full pattern after. */
function isUtcMillis(c: string): boolean {
  return (
    c.length === 24 && c.charCodeAt(23) === 90 && c.charCodeAt(10) === 84 && c.charCodeAt(4) === 45 && c.charCodeAt(7) === 45 &&
    c.charCodeAt(13) === 58 && c.charCodeAt(16) === 58 && c.charCodeAt(19) === 46 && UTC_MILLIS.test(c)
  );
}

const ENCODERS: Record<ValueKind, Encoder> = {
  string: (c) => quote(c),
  any: (c) => (c === '' ? 'null' : quote(c)),
  integer: (c, col) => {
    if (c === '') return 'null';
    if (INTEGER.test(c)) return c;
    const n = Number(c); // "5.0", "007", "1e3": integral values written otherwise
    if (c.trim() !== '' && Number.isSafeInteger(n)) return String(n);
    throw new CoercionError(col, 'integer', c);
  },
  number: (c, col) => {
    if (c === '') return 'null';
    if (NUMBER.test(c)) return c;
    const n = Number(c);
    if (c.trim() !== '' && Number.isFinite(n)) return String(n);
    throw new CoercionError(col, 'number', c);
  },
  boolean: (c, col) => {
    if (c === '') return 'null';
    const l = c.length <= 5 ? c.toLowerCase() : c;
    if (l === 'true') return 'true';
    if (l === 'false') return 'false';
    throw new CoercionError(col, 'boolean', c);
  },
  date: (c, col) => {
    if (c === '') return 'null';
    if (DATE.test(c)) return `"${c}"`;
    throw new CoercionError(col, 'date', c);
  },
  'date-time': (c, col) => {
    if (c === '') return 'null';
    // The canonical form passes as it is; anything else is parsed and written in it.
    if (isUtcMillis(c)) return `"${c}"`;
    const t = Date.parse(c);
    if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(c)) throw new CoercionError(col, 'date-time', c);
    return `"${new Date(t).toISOString()}"`;
  },
  time: (c, col) => {
    if (c === '') return 'null';
    if (/^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z?$/.test(c)) return `"${c}"`;
    throw new CoercionError(col, 'time', c);
  },
};

/**
 * Encodes rows as the JSON text of a record with the `columns` in order. Columns absent from the
 * schema are refused at construction: a result column nobody asked for is a bug, not data to pass on.
 */
export class RecordCoercer {
  private readonly encode: (row: Readonly<Record<string, string>>) => string;
  readonly kinds: ValueKind[];

  constructor(
    properties: Readonly<Record<string, JsonSchema>>,
    readonly columns: readonly string[],
  ) {
    this.kinds = columns.map((c) => {
      const p = properties[c];
      if (!p) throw new ConnectorError('RUN_FAILED', `result column "${c}" is not in the stream's schema`, { where: c });
      return valueKindOf(p);
    });
    const encoders = this.kinds.map((k, i) => (k === 'string' && isNullable(properties[columns[i]!]!) ? ENCODERS.any : ENCODERS[k]));
    const keys = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c)}:`);
    // One straight-line function per column list: no loop, and one monomorphic call site per column, which
    // matters at a million rows. Only indexes are compiled in; names and encoders are passed as data.
    const body = columns.length === 0 ? "return '{}';" : `return ${columns.map((_, i) => `k[${i}] + e[${i}](r[c[${i}]] ?? '', c[${i}])`).join(' + ')} + '}';`;
    const compiled = new Function('k', 'e', 'c', `return function encode(r) { ${body} };`) as (
      k: readonly string[],
      e: readonly Encoder[],
      c: readonly string[],
    ) => (row: Readonly<Record<string, string>>) => string;
    this.encode = compiled(keys, encoders, [...columns]);
  }

  /** The record's JSON text, from a row keyed by column name (a missing cell is an empty one). */
  json(row: Readonly<Record<string, string>>): string {
    return this.encode(row);
  }

  /** The record as a value (for tests and callers that need the typed values themselves). */
  typed(row: Readonly<Record<string, string>>): Record<string, JsonValue> {
    return JSON.parse(this.json(row)) as Record<string, JsonValue>;
  }
}
