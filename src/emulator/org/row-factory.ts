// How a stored row is laid out in V8's heap: one compiled class per distinct field set ("shape").
//
// Marking the org costs per heap object, and a datetime (epoch milliseconds, beyond a small integer) held in a row
// property is a heap number of its own: three per Account. A datetime column is therefore held as two small
// integers in private fields (high and low bits, never heap objects) and read back through a getter of the shape's
// class, so `row.CreatedDate` reads as before while the row object is the only heap object its datetimes take.
// Rows stay immutable (an update builds a new row), so snapshots holding old rows keep their old values.
//
// Every shape's constructor runs once on all-null values before its first row: number fields then take V8's
// "any value" representation, where a whole number is a small integer inside the row instead of a boxed double.
import type { FieldDef, FieldValue, Row } from './types.js';

export type RowFactory = (v: readonly (FieldValue | undefined)[]) => Row;

/** 2^21: a datetime splits into floor(ms / SPLIT) and ms mod SPLIT, both small integers up to |ms| < 2^51. */
const SPLIT = 2097152;
const MAX_SPLIT_MS = 2 ** 50;

/** Whether a datetime value can be held as two small integers (else it is held as it is). */
function splits(d: FieldValue | undefined): d is number {
  return typeof d === 'number' && Number.isInteger(d) && d > -MAX_SPLIT_MS && d < MAX_SPLIT_MS && (d !== 0 || 1 / d > 0);
}

/** The high part of a datetime, or the value itself when it does not split. */
function highOf(d: FieldValue | undefined): FieldValue | undefined {
  return splits(d) ? Math.floor(d / SPLIT) : d;
}

/** The low part of a datetime (0 .. SPLIT-1), or -1 when the high part holds the value itself. */
function lowOf(d: FieldValue | undefined): number {
  return splits(d) ? d - Math.floor(d / SPLIT) * SPLIT : -1;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Compiles the row constructor of one shape: the columns of `path`, datetime columns split. */
export function compileRowFactory(columns: readonly FieldDef[], path: readonly number[]): RowFactory {
  const names = path.map((i) => columns[i].name);
  if (!names.every((n) => IDENT.test(n))) return rowsByLoop(names, path);
  const fields: string[] = [];
  const stores: string[] = [];
  const getters: string[] = [];
  path.forEach((i, k) => {
    const name = names[k];
    if (columns[i].type !== 'datetime') {
      stores.push(`this.${name} = v[${i}];`);
      return;
    }
    // private fields: invisible to Object.keys, spreads and comparisons; the getter reads them back
    fields.push(`#h${i}; #l${i};`);
    stores.push(`this.#h${i} = highOf(v[${i}]); this.#l${i} = lowOf(v[${i}]);`);
    getters.push(`get ${name}() { const lo = this.#l${i}; return lo >= 0 ? this.#h${i} * ${SPLIT} + lo : this.#h${i}; }`);
  });
  const body = `return class Row { ${fields.join(' ')} constructor(v) { ${stores.join(' ')} } ${getters.join(' ')} };`;
  const Row = new Function('highOf', 'lowOf', body)(highOf, lowOf) as new (v: readonly (FieldValue | undefined)[]) => Row;
  // enumerable like the data fields, so `for (key in row)` lists every field
  for (const [k, i] of path.entries()) {
    if (columns[i].type === 'datetime') {
      Object.defineProperty(Row.prototype, names[k], { ...Object.getOwnPropertyDescriptor(Row.prototype, names[k]), enumerable: true });
    }
  }
  const make: RowFactory = (v) => new Row(v);
  make(new Array<null>(columns.length).fill(null));
  return make;
}

/** Rows as plain objects built by a loop: for field names that are not identifiers, and past the shape limit. */
export function rowsByLoop(names: readonly string[], path: readonly number[]): RowFactory {
  return (v) => {
    const o: Record<string, FieldValue> = {};
    path.forEach((i, k) => (o[names[k]] = v[i] as FieldValue));
    return o;
  };
}
