// The byte-level row builder answers only with what the JSON.parse path gives: for any RECORD line it builds, the
// JSON.parse path builds the same row (CSV bytes, line ending, hash, key, parent key), and every line it cannot
// prove (bad JSON, invalid values, values a rule refuses, forms it does not handle) is left to that path. Lines are
// written token by token so the JSON varies as real taps write it: escapes (\u00e9, \", \\, \/), whitespace, key
// order, extra, missing and repeated keys, numbers in every form (1e21, -0, 0.1, 1.0, big integers).
import t from 'tap';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FieldDescribe, SObjectDescribe } from '../../src/bulk/index.js';
import { parseSingerLine } from '../../src/streams/singer-reader.js';
import { SchemaValidators } from '../../src/streams/schema-validators.js';
import { lineBytesPlan, type LineBytesPlan } from '../../src/target/line-bytes-plan.js';
import { LineBytesRows } from '../../src/target/line-bytes-row.js';
import { buildRow, isRefused, nullCellFor } from '../../src/target/record-row.js';
import { rowHashOfLfBytes } from '../../src/target/row-hash.js';
import { planStream, type DescribeSource, type StreamPlan } from '../../src/target/stream-plan.js';
import { parseTargetConfig } from '../../src/target/target-config.js';

const describeOf = (name: string): SObjectDescribe => JSON.parse(readFileSync(new URL(`../../../data/describe/${name}.json`, import.meta.url), 'utf8')) as SObjectDescribe;
const account = describeOf('Account');
const like = (name: string, extra: Partial<FieldDescribe>): FieldDescribe => ({ ...account.fields.find((f) => f.name === 'AccountNumber')!, ...extra, name, label: name });
(account.fields as FieldDescribe[]).push(like('External_Id__c', { externalId: true, idLookup: true, unique: true, length: 12 }));
(account.fields as FieldDescribe[]).push(like('On_date__c', { type: 'date', length: 0 }), like('On_datetime__c', { type: 'datetime', length: 0 }));
(account.fields as FieldDescribe[]).push(like('Active__c', { type: 'boolean', length: 0 }));
(account.fields as FieldDescribe[]).push(like('Tier__c', { type: 'picklist', restrictedPicklist: true, picklistValues: [{ value: 'Gold', label: 'Gold', active: true, defaultValue: false }, { value: 'Sé,"x"', label: 'x', active: true, defaultValue: false }, { value: 'Old', label: 'Old', active: false, defaultValue: false }] }));
const objects: Record<string, SObjectDescribe> = { Account: account, Contact: describeOf('Contact') };
const describe: DescribeSource = { sobjects: async () => ({ sobjects: [] }) as never, describe: async (name) => objects[name]! };

const NULLABLE = (type: string): { type: string[] } => ({ type: [type, 'null'] });
const ACC_SCHEMA = {
  type: 'object',
  properties: {
    External_Id__c: { type: 'string' }, Name: NULLABLE('string'), BillingCity: NULLABLE('string'), Description: { type: ['string', 'null'], description: 'free text' },
    Tier__c: NULLABLE('string'), NumberOfEmployees: NULLABLE('integer'), AnnualRevenue: NULLABLE('number'), BillingLatitude: NULLABLE('number'),
    Active__c: NULLABLE('boolean'), Phone: {}, Site: { type: ['string', 'number', 'boolean', 'null'] },
  },
  required: ['External_Id__c'],
};
const CON_SCHEMA = {
  type: 'object',
  properties: { LastName: { type: 'string' }, acct: NULLABLE('string'), Email: NULLABLE('string'), Description: NULLABLE('string') },
  additionalProperties: false,
};

interface Case {
  readonly stream: string;
  readonly plan: StreamPlan;
  readonly bytes: LineBytesPlan;
  readonly nullCell: string;
  readonly validators: SchemaValidators;
}

async function caseFor(stream: string, mapping: Record<string, unknown>, schema: Record<string, unknown>, nullHandling: string): Promise<Case> {
  const s = parseTargetConfig({ streams: { [stream]: mapping }, null_handling: nullHandling }).settings;
  const plan = await planStream(stream, s.streams[stream]!, schema, describe);
  const nullCell = nullCellFor(plan, s.null_handling);
  const bytes = lineBytesPlan(plan, schema, nullCell);
  if (!bytes) throw new Error(`${stream}: no byte-level plan`);
  const validators = new SchemaValidators();
  validators.set(stream, schema);
  return { stream, plan, bytes, nullCell, validators };
}

/** A JSON string literal whose characters are written raw or escaped, as `escapes` picks. */
function jsonString(s: string, escapes: number[]): string {
  let out = '"';
  let k = 0;
  for (const ch of s) {
    const pick = escapes.length ? escapes[k++ % escapes.length]! : 0;
    const code = ch.codePointAt(0)!;
    const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
    if (pick === 1 && ch === '/') out += '\\/';
    else if (pick === 2 || (code < 0x20 && !short[ch])) {
      // \uXXXX, upper or lower case hex; astral characters as their surrogate pair
      const units = code > 0xffff ? [0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff)] : [code];
      for (const u of units) out += `\\u${u.toString(16).padStart(4, '0')[k % 2 ? 'toUpperCase' : 'toLowerCase']()}`;
    } else out += short[ch] ?? ch;
  }
  return `${out}"`;
}

const tricky = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\\', '/', '\r\n', '\n', '\r', '\t', '=', 'é', '日', '😀', '#N/A', 'Gold', '\u0001'), maxLength: 10 });
const stringToken = fc.tuple(fc.oneof(tricky, fc.constantFrom('', '#N/A', 'Gold', 'Sé,"x"', 'Old', 'x'.repeat(13), 'é'.repeat(7))), fc.array(fc.nat(3), { maxLength: 4 })).map(([s, e]) => jsonString(s, e));
const numberToken = fc.oneof(
  fc.constantFrom('0', '-0', '1', '-1', '0.1', '1.0', '0.10', '1e21', '1E2', '-0.0', '1250.5', '123456789012345', '1234567890123456', '12345678901234567890', '0.000001', '0.0000001', '1e-7', '999', '1000', '-12.25', '007', '1.', '.5', '+1', '0.00000000000001'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.integer().map(String),
);
const valueToken = fc.oneof(
  { weight: 5, arbitrary: stringToken },
  { weight: 3, arbitrary: numberToken },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', 'nul', 'True', '{"a":1}', '[1]', '[]', '{}') },
);
const intToken = fc.oneof(fc.integer({ min: -100_000, max: 100_000 }).map(String), fc.constantFrom('0', '-0', '1.0', '1e3', '123456789012345', '12345678901234567890'));
const boolToken = fc.constantFrom('true', 'false', '1', '"true"');
/** Per property, values of its type mostly (so many lines are valid), any value sometimes. */
const typed = (kind: string): fc.Arbitrary<string | undefined> =>
  fc.option(fc.oneof({ weight: 6, arbitrary: kind === 'i' ? intToken : kind === 'n' ? numberToken : kind === 'b' ? boolToken : kind === 'p' ? fc.constantFrom('"Gold"', '"S\u00e9,\"x\""', '"Old"', '"Silver"') : stringToken }, { weight: 1, arbitrary: valueToken }), { nil: undefined, freq: 8 });
const KINDS: Record<string, string> = { acc: 'ssssp' + 'inn' + 'b' + 'ss', con: 'ssss' };
const ws = fc.constantFrom('', '', '', ' ', '\t', ' \r ');

/** One RECORD line: the record's entries as [key, value token] (keys possibly repeated or unknown), around them the envelope. */
function line(stream: string, entries: [string, string][], gaps: string[], envelope: number, type: string): string {
  let g = 0;
  const gap = (): string => gaps[g++ % Math.max(1, gaps.length)] ?? '';
  const record = `{${gap()}${entries.map(([k, v]) => `${k}${gap()}:${gap()}${v}`).join(`${gap()},${gap()}`)}${gap()}}`;
  const parts = [`"type":${gap()}"${type}"`, `"stream":${gap()}"${stream}"`, `"record":${gap()}${record}`, `"time_extracted":${gap()}"2024-05-01T12:00:00Z"`];
  const order = [[0, 1, 2, 3], [1, 0, 2], [0, 2, 1], [2, 0, 1, 3], [3, 1, 0, 2], [0, 1, 2, 3, 3]][envelope % 6]!;
  return `${gap()}{${gap()}${order.map((i) => parts[i]).join(`${gap()},${gap()}`)}${gap()}}${gap()}`;
}

function entriesFor(c: Case, values: (string | undefined)[], extra: number, swap: number, repeat: number, escapedKey: boolean): [string, string][] {
  const names = Object.keys(c.stream === 'acc' ? ACC_SCHEMA.properties : CON_SCHEMA.properties);
  const entries: [string, string][] = [];
  names.forEach((n, i) => {
    const v = values[i];
    if (v !== undefined) entries.push([JSON.stringify(n), v]);
  });
  if (entries.length > 1) {
    const a = swap % entries.length;
    [entries[0], entries[a]] = [entries[a]!, entries[0]!];
  }
  if (extra === 1) entries.push(['"Extra"', '"x"']);
  if (extra === 2) entries.push(['"Extra"', '{"nested":[1,2]}']);
  if (repeat && entries.length) entries.push(entries[repeat % entries.length]!);
  if (escapedKey && entries.length) entries[0] = [jsonString(JSON.parse(entries[0]![0]) as string, [2]), entries[0]![1]];
  return entries;
}

/** Builds the line both ways; throws (for shrinking) when the byte-level answer is not the JSON.parse one. Returns whether bytes built it. */
function compare(c: Case, text: string): boolean {
  const buf = Buffer.from(text);
  const decoded = buf.toString('utf8');
  const rows = new LineBytesRows();
  const streamBytes = Buffer.from(c.stream);
  const n = rows.build(buf, 0, buf.length, (src, a, b) => (src.subarray(a, b).equals(streamBytes) ? c.bytes : undefined));
  let slow: ReturnType<typeof buildRow> | 'not a row';
  try {
    const m = parseSingerLine(decoded, 1);
    slow = m !== undefined && !('line' in m) && m.type === 'RECORD' && m.stream === c.stream ? buildRow(c.plan, c.nullCell, c.validators, m.record, 1) : 'not a row';
  } catch {
    slow = 'not a row';
  }
  if (n < 0) return false;
  assert.ok(slow !== 'not a row' && !isRefused(slow), `bytes built a row the JSON.parse path gives as ${JSON.stringify(slow)}: ${text}`);
  const lf = rows.out.subarray(0, n);
  const csv = rows.crlf ? `${lf.toString('utf8', 0, n - 1)}\r\n` : lf.toString('utf8');
  assert.deepStrictEqual(
    { csv, eol: rows.crlf ? 'CRLF' : 'LF', hash: rowHashOfLfBytes(lf), key: rows.key, parentKey: rows.parentKey, csvBytes: Buffer.byteLength(csv) },
    { csv: slow.csv, eol: slow.eol, hash: slow.hash, key: slow.key, parentKey: slow.parentKey, csvBytes: slow.csvBytes },
    text,
  );
  return true;
}

t.test('a stream qualifies only when everything its schema and rules say can be decided on bytes', async (t) => {
  const acc = await caseFor('acc', { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' }, ACC_SCHEMA, '#N/A');
  t.ok(acc.bytes, 'flat primitive properties, a restricted picklist, numbers, booleans');
  const plan = acc.plan;
  for (const [why, schema] of [
    ['a format', { type: 'object', properties: { ...ACC_SCHEMA.properties, Name: { type: 'string', format: 'email' } } }],
    ['maxLength in the schema', { type: 'object', properties: { ...ACC_SCHEMA.properties, Name: { type: 'string', maxLength: 3 } } }],
    ['an enum', { type: 'object', properties: { ...ACC_SCHEMA.properties, Name: { enum: ['a'] } } }],
    ['patternProperties', { ...ACC_SCHEMA, patternProperties: { '^x': { type: 'string' } } }],
    ['a $ref', { ...ACC_SCHEMA, definitions: {}, properties: { ...ACC_SCHEMA.properties, Name: { $ref: '#/definitions/x' } } }],
  ] as const) t.equal(lineBytesPlan(plan, schema as never, ''), undefined, why);
  for (const type of ['date', 'datetime']) {
    const schema = { type: 'object', properties: { Name: { type: 'string' }, [`On_${type}__c`]: { type: 'string' } } };
    const dated = await planStream('d', { object: 'Account', operation: 'insert' }, schema, describe);
    t.equal(lineBytesPlan(dated, schema, ''), undefined, `a ${type} field: its cells are converted`);
  }
});

t.test('the Account-like bench line is built from bytes, and the same as through JSON.parse', async (t) => {
  const acc = await caseFor('acc', { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' }, ACC_SCHEMA, '#N/A');
  const rec = { External_Id__c: 'BENCH-1', Name: 'Account 1, Inc.', AnnualRevenue: 1250.5, NumberOfEmployees: 1, BillingCity: 'San Francisco', Description: 'Key "account"\nwith notes', Active__c: true, Tier__c: 'Gold', Phone: null };
  t.ok(compare(acc, JSON.stringify({ type: 'RECORD', stream: 'acc', record: rec, time_extracted: '2024-05-01T12:00:00Z' })), 'built from bytes');
  t.notOk(compare(acc, JSON.stringify({ type: 'RECORD', stream: 'acc', record: { ...rec, Tier__c: 'Old' } })), 'an inactive picklist value is left to the JSON.parse path');
  t.notOk(compare(acc, JSON.stringify({ type: 'STATE', value: {} })), 'not a RECORD');
});

t.test('for any RECORD line, a row built from bytes is the row JSON.parse gives (property)', async (t) => {
  const cases = [
    await caseFor('acc', { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' }, ACC_SCHEMA, '#N/A'),
    await caseFor('acc', { object: 'Account', operation: 'insert' }, ACC_SCHEMA, 'leave'),
    await caseFor('con', { object: 'Contact', operation: 'insert', field_map: { acct: 'Account.External_Id__c' } }, CON_SCHEMA, '#N/A'),
  ];
  let built = 0;
  let runs = 0;
  await fc.assert(
    fc.property(
      fc.nat(cases.length - 1).chain((ci) => fc.tuple(fc.constant(ci), fc.tuple(...[...KINDS[cases[ci]!.stream]!].map(typed)))),
      fc.array(ws, { maxLength: 5 }),
      fc.record({ extra: fc.nat(2), swap: fc.nat(10), repeat: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(10) }), escapedKey: fc.boolean(), envelope: fc.nat(5), type: fc.constantFrom('RECORD', 'RECORD', 'record', 'Record', 'STATE') }),
      ([ci, values], gaps, o) => {
        const c = cases[ci]!;
        runs++;
        if (compare(c, line(c.stream, entriesFor(c, values, o.extra, o.swap, o.repeat, o.escapedKey && o.repeat === 1), gaps, o.envelope, o.type))) built++;
      },
    ),
    { numRuns: Number(process.env.BYTE_ROW_RUNS ?? 3000) },
  );
  // Clean lines too: plain values in schema order, which is what taps write and the bench measures.
  const text = fc.string({ minLength: 1, maxLength: 8 }).map((s) => JSON.stringify(s));
  const plain = fc.tuple(text, text, text, text, fc.constant('"Gold"'), fc.nat(10_000).map(String), fc.constantFrom('12.5', '0', 'null'), fc.constant('-33.25'), fc.constant('true'), text, fc.constant('null'));
  let cleanBuilt = 0;
  const clean = fc.sample(plain, 500);
  for (const values of clean) if (compare(cases[0]!, line('acc', entriesFor(cases[0]!, values, 0, 0, 0, false), [], 0, 'RECORD'))) cleanBuilt++;
  // Tricky text in every text column of an otherwise valid record.
  const trickyLines = fc.sample(fc.tuple(fc.constant('"K-1"'), stringToken, stringToken, stringToken, fc.constant('"Gold"'), intToken, fc.oneof(fc.integer().map(String), fc.constantFrom('0.1', '-12.25', '1250.5', '0.000001')), fc.constant('1'), fc.constantFrom('true', 'false'), stringToken, stringToken), 500);
  let trickyBuilt = 0;
  for (const values of trickyLines) if (compare(cases[0]!, line('acc', entriesFor(cases[0]!, values, 0, 0, 0, false), [], 0, 'RECORD'))) trickyBuilt++;
  t.ok(trickyBuilt > trickyLines.length / 4, `${trickyBuilt} of ${trickyLines.length} lines with tricky text built from bytes`);
  t.ok(built > runs / 60, `${built} of ${runs} generated lines built from bytes (the rest left to JSON.parse)`);
  t.ok(cleanBuilt > clean.length / 2, `${cleanBuilt} of ${clean.length} clean lines built from bytes`);
});
