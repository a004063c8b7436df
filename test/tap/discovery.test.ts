// Discovery through the real binary: the catalog's shape, every Salesforce field type, metadata, and the
// repository's catalog.json being exactly this command's output against the demo org.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../src/bulk/index.js';
import { packageRoot } from '../../src/paths.js';
import { parseCatalog } from '../../src/streams/singer-catalog.js';
import { catalogStream } from '../../src/tap/discovery.js';
import { withEmulator } from '../helpers/emulator.js';
import { connection, runTap, writeJson } from './tap-harness.js';

const field = (stream: any, name: string) => ({
  schema: stream.schema.properties[name],
  md: stream.metadata.find((m: any) => m.breadcrumb[1] === name)?.metadata,
});

t.test('discovery against the demo org', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const cfg = writeJson(dir, 'config.json', connection(h.url));
  const run = await runTap(['--config', cfg, '--discover']);
  t.equal(run.code, 0, run.stderr);
  const catalog = run.lines[0];
  t.equal(run.lines.length, 1, 'stdout holds the catalog and nothing else');
  t.doesNotThrow(() => parseCatalog(catalog, 'stdout'), 'the output is a Singer catalog');
  t.same(catalog.streams.map((s: any) => s.tap_stream_id), ['Account', 'Case', 'Contact', 'Invoice__c', 'Lead', 'Opportunity', 'User']);
  t.match(run.stderr, /INFO discovery: AccountChangeEvent left out: not queryable/, 'objects left out are logged with their reason');
  t.match(run.stderr, /INFO discovery: AccountFeed left out: the Bulk API does not support this object/);

  const byId = Object.fromEntries(catalog.streams.map((s: any) => [s.tap_stream_id, s]));
  const account = byId.Account;
  const top = account.metadata.find((m: any) => m.breadcrumb.length === 0).metadata;
  t.same(top['table-key-properties'], ['Id']);
  t.same(top['valid-replication-keys'], ['SystemModstamp', 'LastModifiedDate', 'CreatedDate']);
  t.equal(top['replication-key'], 'SystemModstamp');
  t.equal(top['replication-method'], 'INCREMENTAL');
  t.same(account.key_properties, ['Id']);

  const expect: [string, string, unknown, string][] = [
    // stream, field, schema, inclusion
    ['Account', 'Id', { type: 'string', maxLength: 18 }, 'automatic'],
    ['Account', 'SystemModstamp', { type: 'string', format: 'date-time' }, 'automatic'],
    ['Account', 'IsDeleted', { type: 'boolean' }, 'automatic'],
    ['Account', 'Name', { type: 'string', maxLength: 255 }, 'available'],
    ['Account', 'Description', { type: ['null', 'string'], maxLength: 32000 }, 'available'], // textarea
    ['Account', 'Industry', { type: ['null', 'string'], maxLength: 40 }, 'available'], // picklist
    ['Account', 'Phone', { type: ['null', 'string'], maxLength: 40 }, 'available'], // phone
    ['Account', 'Website', { type: ['null', 'string'], maxLength: 255 }, 'available'], // url
    ['Account', 'ParentId', { type: ['null', 'string'], maxLength: 18 }, 'available'], // reference
    ['Account', 'NumberOfEmployees', { type: ['null', 'integer'] }, 'available'], // int
    ['Account', 'AnnualRevenue', { type: ['null', 'number'] }, 'available'], // currency
    ['Account', 'BillingLatitude', { type: ['null', 'number'] }, 'available'], // double, a compound's component
    ['Account', 'BillingStreet', { type: ['null', 'string'], maxLength: 255 }, 'available'],
    ['Account', 'CreatedDate', { type: 'string', format: 'date-time' }, 'available'], // datetime
    ['Account', 'LastActivityDate', { type: ['null', 'string'], format: 'date' }, 'available'], // date
    ['Contact', 'Email', { type: ['null', 'string'], maxLength: 80 }, 'available'], // email
    ['Opportunity', 'Probability', { type: ['null', 'number'] }, 'available'], // percent
    ['Invoice__c', 'Paid__c', { type: 'boolean' }, 'available'],
  ];
  for (const [s, f, schema, inclusion] of expect) {
    const got = field(byId[s], f);
    t.same(got.schema, schema, `${s}.${f} schema`);
    t.equal(got.md?.inclusion, inclusion, `${s}.${f} inclusion`);
  }
  const billing = field(account, 'BillingAddress');
  t.equal(billing.md.inclusion, 'unsupported', 'compound address fields are unsupported');
  t.match(billing.md['unsupported-description'], /compound address/);
  t.same(billing.schema.type, ['null', 'object']);
  t.equal(field(account, 'Name').md['selected-by-default'], true);
  t.equal(field(account, 'BillingAddress').md['selected-by-default'], false);
});

t.test('every Salesforce field type maps to a JSON Schema type and an inclusion', async (t) => {
  const f = (name: string, type: string, nillable = true, length = 0) => ({
    name, label: name, type, length, precision: 0, scale: 0, nillable, createable: true, updateable: true, defaultedOnCreate: false,
    externalId: false, idLookup: false, unique: false, calculated: false, referenceTo: [], relationshipName: null,
    compoundFieldName: null, picklistValues: [], restrictedPicklist: false,
  });
  const d = {
    name: 'Every__c', label: 'Every', keyPrefix: 'a0X', queryable: true, createable: true,
    fields: [
      f('Id', 'id', false, 18), f('Name', 'string', true, 80), f('Notes__c', 'textarea', true, 32768), f('Stage__c', 'picklist', true, 255),
      f('Tags__c', 'multipicklist', true, 4099), f('Kind__c', 'combobox', true, 255), f('Mail__c', 'email', true, 80), f('Tel__c', 'phone', true, 40),
      f('Site__c', 'url', true, 255), f('Owner__c', 'reference', false, 18), f('Flag__c', 'boolean', false), f('Count__c', 'int'),
      f('Big__c', 'long'), f('Ratio__c', 'double'), f('Price__c', 'currency'), f('Pct__c', 'percent'), f('Day__c', 'date'),
      f('SystemModstamp', 'datetime', false), f('At__c', 'time'), f('Blob__c', 'base64'), f('Addr__c', 'address'), f('Geo__c', 'location'),
      f('Any__c', 'anyType'), f('Secret__c', 'encryptedstring', true, 175), f('Json__c', 'json'),
    ],
  };
  const s = catalogStream(d as any, { selectFieldsByDefault: false, includeDeleted: true }, silentLogger)!;
  const cases: [string, unknown, string][] = [
    ['Id', { type: 'string', maxLength: 18 }, 'automatic'],
    ['Name', { type: ['null', 'string'], maxLength: 80 }, 'available'],
    ['Notes__c', { type: ['null', 'string'], maxLength: 32768 }, 'available'],
    ['Stage__c', { type: ['null', 'string'], maxLength: 255 }, 'available'],
    ['Tags__c', { type: ['null', 'string'] }, 'available'],
    ['Kind__c', { type: ['null', 'string'], maxLength: 255 }, 'available'],
    ['Mail__c', { type: ['null', 'string'], maxLength: 80 }, 'available'],
    ['Tel__c', { type: ['null', 'string'], maxLength: 40 }, 'available'],
    ['Site__c', { type: ['null', 'string'], maxLength: 255 }, 'available'],
    ['Owner__c', { type: 'string', maxLength: 18 }, 'available'],
    ['Flag__c', { type: 'boolean' }, 'available'],
    ['Count__c', { type: ['null', 'integer'] }, 'available'],
    ['Big__c', { type: ['null', 'integer'] }, 'available'],
    ['Ratio__c', { type: ['null', 'number'] }, 'available'],
    ['Price__c', { type: ['null', 'number'] }, 'available'],
    ['Pct__c', { type: ['null', 'number'] }, 'available'],
    ['Day__c', { type: ['null', 'string'], format: 'date' }, 'available'],
    ['SystemModstamp', { type: 'string', format: 'date-time' }, 'automatic'],
    ['At__c', { type: ['null', 'string'], format: 'time' }, 'available'],
    ['Blob__c', { type: ['null', 'string'], contentEncoding: 'base64' }, 'unsupported'],
    ['Any__c', { type: ['null', 'string', 'number', 'boolean'] }, 'available'],
    ['Secret__c', { type: ['null', 'string'], maxLength: 175 }, 'available'],
    ['Json__c', {}, 'unsupported'],
  ];
  for (const [name, schema, inclusion] of cases) {
    t.same(field(s, name).schema, schema, `${name} schema`);
    t.equal(field(s, name).md.inclusion, inclusion, `${name} inclusion`);
  }
  t.same(field(s, 'Addr__c').schema.type, ['null', 'object']);
  t.equal(field(s, 'Addr__c').md.inclusion, 'unsupported');
  t.same(Object.keys(field(s, 'Geo__c').schema.properties), ['latitude', 'longitude']);
  t.equal(field(s, 'Geo__c').md.inclusion, 'unsupported');
  t.equal(field(s, 'Name').md['selected-by-default'], false, 'select_fields_by_default false leaves available fields unselected');
  t.equal(field(s, 'Id').md['selected-by-default'], true);
  const top = s.metadata[0]!.metadata;
  t.same(top['valid-replication-keys'], ['SystemModstamp']);

  const noKey = catalogStream({ ...d, fields: d.fields.filter((x) => x.name !== 'SystemModstamp') } as any, { selectFieldsByDefault: true, includeDeleted: true }, silentLogger)!;
  t.equal(noKey.metadata[0]!.metadata['forced-replication-method'], 'FULL_TABLE', 'no replication key: FULL_TABLE is forced');
  t.same(noKey.metadata[0]!.metadata['valid-replication-keys'], []);
});

t.test('streams_to_discover narrows discovery by name or glob', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { streams_to_discover: ['acc*', 'Invoice__c'], select_fields_by_default: false })), '--discover']);
  t.equal(run.code, 0, run.stderr);
  t.same(run.lines[0].streams.map((s: any) => s.tap_stream_id), ['Account', 'Invoice__c']);
  t.equal(field(run.lines[0].streams[0], 'Name').md['selected-by-default'], false);
  t.equal(field(run.lines[0].streams[0], 'Id').md['selected-by-default'], true);
});

t.test('catalog.json is the discovery output against the demo org', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const cfg = writeJson(dir, 'config.json', connection(h.url));
  const run = await runTap(['--config', cfg, '--discover']);
  t.equal(run.code, 0, run.stderr);
  const file = join(packageRoot(), 'catalog.json');
  const text = `${JSON.stringify(run.lines[0], null, 2)}\n`;
  if (process.env.UPDATE_CATALOG === '1') writeFileSync(file, text);
  t.equal(readFileSync(file, 'utf8'), text, 'catalog.json is current (regenerate: UPDATE_CATALOG=1 node scripts/run-tests.mjs dist/test/tap/discovery.test.js)');
});

t.test('--about and --test', async (t) => {
  const json = await runTap(['--about', '--format', 'json']);
  t.equal(json.code, 0);
  const about = json.lines[0];
  t.equal(about.name, 'tap-salesforce-bulk');
  t.same(about.capabilities, ['catalog', 'discover', 'state', 'about', 'test']);
  for (const k of ['start_date', 'end_date', 'lookback_window_seconds', 'window_size_days', 'max_parallel_pages', 'page_size', 'streams_to_discover', 'select_fields_by_default', 'include_deleted', 'client_id', 'auth_flow']) {
    t.ok(about.settings.properties[k], `setting ${k} is described`);
  }
  const h = await withEmulator(t);
  const dir = t.testdir();
  const ok = await runTap(['--config', writeJson(dir, 'ok.json', connection(h.url)), '--test']);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.lines.length, 0, 'nothing on stdout');
  t.match(ok.stderr, /^INFO ok: connected to http:\/\/127\.0\.0\.1:\d+ \(API v\d+\.0\); \d+ queryable objects, \d+ of \d+ daily query jobs left$/m);
  const bad = await runTap(['--config', writeJson(dir, 'bad.json', connection(h.url, { client_secret: 'wrong-secret-value' })), '--test']);
  t.not(bad.code, 0);
  t.match(bad.stderr, /authentication failed/);
  t.notMatch(bad.stderr, /wrong-secret-value/, 'the secret is never printed');
});
