// rowProblem works its per-column checks out once per plan: for any plan and cells it must give exactly the error
// the straightforward per-cell version gave (kept here as the oracle).
import t from 'tap';
import fc from 'fast-check';
import type { FieldDescribe } from '../../src/bulk/index.js';
import { CLEAR_FIELD, utcDateTime } from '../../src/target/field-values.js';
import { rowProblem } from '../../src/target/row-rules.js';
import type { StreamPlan } from '../../src/target/stream-plan.js';

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const XSD: Record<string, string> = { int: 'xsd:int', double: 'xsd:double', currency: 'xsd:double', percent: 'xsd:double', boolean: 'xsd:boolean', date: 'xsd:date', datetime: 'xsd:dateTime' };

function typeOk(f: FieldDescribe, v: string): boolean {
  switch (f.type) {
    case 'int':
      return /^[+-]?\d+$/.test(v);
    case 'double':
    case 'currency':
    case 'percent':
      return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v);
    case 'boolean':
      return /^(true|false|1|0)$/i.test(v);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
    case 'datetime':
      return utcDateTime(v) !== undefined;
    default:
      return true;
  }
}

function wholeDigits(v: string): number {
  const m = /^[+-]?0*(\d*)/.exec(v)!;
  return m[1]!.length;
}

function oracle(plan: StreamPlan, cells: readonly string[]): string | undefined {
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
    if (!typeOk(f, v)) return `INVALID_FIELD:Failed to deserialize field at col ${i}. Due to, '${v}' is not a valid value for the type ${XSD[f.type]}:${f.name} --`;
    if ((f.type === 'double' || f.type === 'currency' || f.type === 'percent' || f.type === 'int') && f.precision > 0 && wholeDigits(v) > f.precision - f.scale) {
      return `NUMBER_OUTSIDE_VALID_RANGE:${f.label}: value outside of valid range on numeric field: ${v}:${f.name} --`;
    }
    if (TEXT_TYPES.has(f.type) && f.length > 0 && [...v].length > f.length) return `STRING_TOO_LONG:${f.label}: data value too large: ${v} (max length=${f.length}):${f.name} --`;
    if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((p) => p.active && p.value === v)) {
      return `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:${f.label}: bad value for restricted picklist field: ${v}:${f.name} --`;
    }
  }
  return undefined;
}

const TYPES = ['string', 'textarea', 'picklist', 'multipicklist', 'email', 'int', 'double', 'currency', 'percent', 'boolean', 'date', 'datetime', 'reference', 'id'];
const VALUES = ['', CLEAR_FIELD, 'a', 'b', 'abc', 'é😀x', '12', '-007.5', '123456', '1.5', '.5', 'true', 'FALSE', '1', '2024-05-01', '2024-02-30', '2024-05-01T12:00:00Z', 'x,y'];

const field = fc.record({
  name: fc.constantFrom('A', 'B', 'C', 'D'),
  label: fc.constantFrom('Label A', 'Label B'),
  type: fc.constantFrom(...TYPES),
  length: fc.integer({ min: 0, max: 4 }),
  precision: fc.integer({ min: 0, max: 5 }),
  scale: fc.integer({ min: 0, max: 2 }),
  restrictedPicklist: fc.boolean(),
  picklistValues: fc.array(fc.record({ value: fc.constantFrom('a', 'b', 'abc'), active: fc.boolean() }), { maxLength: 3 }),
}) as unknown as fc.Arbitrary<FieldDescribe>;

const planAndCells = fc
  .array(fc.record({ field, lookup: fc.boolean() }), { minLength: 1, maxLength: 6 })
  .chain((cols) =>
    fc.record({
      operation: fc.constantFrom('insert', 'update', 'upsert', 'delete', 'hardDelete'),
      keyIndex: fc.integer({ min: -1, max: cols.length - 1 }),
      required: fc.subarray(cols.map((c) => c.field)),
      extraRequired: fc.boolean(),
      rows: fc.array(fc.array(fc.constantFrom(...VALUES), { minLength: cols.length, maxLength: cols.length }), { minLength: 1, maxLength: 4 }),
    }).map(({ operation, keyIndex, required, extraRequired, rows }) => {
      const plan = {
        stream: 's',
        object: 'O',
        operation,
        externalId: null,
        columns: cols.map((c, i) => ({ property: `p${i}`, header: `H${i}`, field: c.field, ...(c.lookup ? { lookupField: c.field } : {}) })),
        parentIndex: -1,
        keyIndex,
        required: extraRequired ? [...required, { ...cols[0]!.field, name: 'Unmapped' }] : required,
        dependsOn: [],
      } as unknown as StreamPlan;
      return { plan, rows };
    }),
  );

t.test('rowProblem gives the per-cell oracle\'s answer for any plan and cells', async (t) => {
  let refused = 0;
  fc.assert(
    fc.property(planAndCells, ({ plan, rows }) => {
      for (const cells of rows) {
        const want = oracle(plan, cells);
        if (want !== undefined) refused++;
        if (rowProblem(plan, cells) !== want) return false;
      }
      return true;
    }),
    { numRuns: 3000 },
  );
  t.ok(refused > 100, `the generator reaches refusals (${refused})`);
});
