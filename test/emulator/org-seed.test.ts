import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeId } from '../../src/emulator/ids.js';
import { buildSeed, loadSeed, parseDateTime, SeedError, validateSeed } from '../../src/emulator/org/seed.js';
import { packageRoot } from '../../src/paths.js';

const NOW = Date.UTC(2025, 0, 15);
const dir = mkdtempSync(join(tmpdir(), 'org-seed-'));

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeedError) return [...e.errors];
    throw e;
  }
  return [];
}

t.test('built-in seeds', async (t) => {
  const empty = loadSeed('empty', { now: NOW });
  t.equal(empty.settings.hardDeleteAllowed, false);
  for (const type of empty.types()) t.equal(empty.table(type.name)!.count(true), type.name === 'User' ? 1 : 0, type.name);
  const demo = loadSeed('demo', { now: NOW, scale: 0.5 });
  t.equal(demo.settings.hardDeleteAllowed, true);
  t.equal(demo.table('Account')!.count(true), 100);
});

t.test('the example seed loads', async (t) => {
  const s = loadSeed(join(packageRoot(), 'examples/seed-small.json'), { now: NOW });
  t.equal(s.user.username, 'integration@small.example.com');
  t.match(s.settings, { hardDeleteAllowed: true, dailyApiRequests: 5000, dailyBulkV2QueryJobs: 200, dailyBulkIngestRecords: 150_000_000 });
  t.equal(s.table('Account')!.count(true), 52);
  t.equal(s.table('User')!.count(), 4);
  const acme = s.table('Account')!.findBy('External_Id__c', 'ACME-1')[0];
  t.match(acme, { Name: 'Acme Corporation', CreatedDate: Date.UTC(2024, 2, 1, 9, 30), LastModifiedDate: Date.UTC(2024, 2, 1, 9, 30) });
  t.equal(acme.OwnerId, s.table('User')!.findBy('Username', 'sam.seller@small.example.com')[0].Id, 'ref by Username');
  const eu = s.table('Account')!.findBy('External_Id__c', 'acme-eu')[0];
  t.equal(eu.ParentId, acme.Id, 'ref by external id');
  const inv = s.table('Invoice__c')!.findBy('External_Id__c', 'INV-ACME-0001')[0];
  t.match(inv, { Account__c: acme.Id, Amount__c: 1999.95, Status__c: 'Sent', Paid__c: false, Due_Date__c: '2025-02-01' });
  const wile = s.table('Contact')!.findBy('External_Id__c', 'CON-ACME-1')[0];
  t.match(wile, { Name: 'Wile Coyote', AccountId: acme.Id });
  t.same(s.type('Contact')!.validationRules.map((r) => r.name), ['Email_Or_Phone']);
  t.equal(s.type('Account')!.validationRules[0].errorField, 'AnnualRevenue');
  t.same(loadSeed(join(packageRoot(), 'examples/seed-small.json'), { now: NOW }).table('Account')!.get(acme.Id as string), acme, 'deterministic');
});

t.test('schema errors name the bad path', async (t) => {
  t.same(validateSeed({}), []);
  t.same(validateSeed({ base: 'full' }), ['/base: must be one of "empty", "demo"']);
  t.same(validateSeed({ settings: { allocations: { dailyApiRequests: -1 } } }), ['/settings/allocations/dailyApiRequests: must be >= 0']);
  t.same(validateSeed({ settings: { hardDelete: true } }), ['/settings: unknown key "hardDelete"']);
  t.same(validateSeed({ user: { username: 'x@y' } }), ['/user: missing required key "lastName"', '/user: missing required key "email"']);
  t.same(validateSeed({ generate: { Task: 5 } }), ['/generate/Task: unknown object "Task" (objects with records: Account, Case, Contact, Invoice__c, Lead, Opportunity, User)'], 'an object the org does not describe');
  t.same(validateSeed({ validationRules: { Account: [{ name: 'R', errorMessage: 'm' }] } }), [
    '/validationRules/Account/0: missing required key "errorWhen"',
  ]);
  t.ok(validateSeed({ records: { Account: [{ Name: { nested: true } }] } }).some((e) => e.startsWith('/records/Account/0/Name')));
  t.ok(validateSeed([]).length > 0, 'not an object');
});

t.test('metadata errors name the bad path', async (t) => {
  t.same(
    validateSeed({
      validationRules: { Acount: [{ name: 'R', errorWhen: 'x', errorMessage: 'm' }], Account: [{ name: 'R', errorWhen: 'x', errorMessage: 'm', errorField: 'Nope' }] },
      records: {
        Acount: [{}],
        Account: [
          { Name: 'ok', Foo: 1, AnnualRevenue: 'abc', ParentId: { ref: 'Contact', Email: 'x@example.com' }, BillingAddress: 'x', CreatedDate: '2024-13-01T00:00:00Z' },
          { Name: 'x'.repeat(256), Id: '003000000000001AAA', Rating: 'Hot', NumberOfEmployees: 1.5 },
          { Name: 'ref by non-unique field', ParentId: { ref: 'Account', Name: 'x' } },
        ],
        Invoice__c: [{ Status__c: 'Bogus', Paid__c: 'maybe', Due_Date__c: '2025-02-30', Email__c: 'nope' }],
      },
    }),
    [
      '/validationRules/Acount: unknown object "Acount"',
      '/validationRules/Account/0/errorField: no field "Nope" on Account',
      `/validationRules/Account/0/errorWhen: validation rule "R" on Account does not compile: unexpected token: '<EOF>' (column 2)`,
      '/records/Acount: unknown object "Acount" (objects with records: Account, Case, Contact, Invoice__c, Lead, Opportunity, User)',
      '/records/Account/0/Foo: no field "Foo" on Account',
      '/records/Account/0/AnnualRevenue: "abc" is not a valid currency',
      '/records/Account/0/ParentId/ref: ParentId references Account, not Contact',
      '/records/Account/0/BillingAddress: Account.BillingAddress is a compound field; set its component fields instead',
      '/records/Account/0/CreatedDate: "2024-13-01T00:00:00Z" is not a valid datetime (YYYY-MM-DDThh:mm:ss.SSSZ)',
      '/records/Account/1/Name: data value too large: 256 characters (max length=255)',
      '/records/Account/1/Id: 003000000000001AAA is not a Account id (prefix 001)',
      '/records/Account/1/NumberOfEmployees: 1.5 is not an integer',
      '/records/Account/2/ParentId/Name: Account.Name is neither an external id nor an idLookup field',
      '/records/Invoice__c/0: required field Account__c is missing',
      '/records/Invoice__c/0/Status__c: bad value for restricted picklist field: Bogus',
      '/records/Invoice__c/0/Paid__c: "maybe" is not a boolean',
      '/records/Invoice__c/0/Due_Date__c: "2025-02-30" is not a valid date (YYYY-MM-DD)',
      '/records/Invoice__c/0/Email__c: invalid email address: nope',
    ],
  );
});

t.test('loadSeed throws SeedError for bad files and unresolved references', async (t) => {
  t.match(errorsOf(() => loadSeed(join(dir, 'missing.json'))), [/cannot read the seed file/]);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ nope');
  t.match(errorsOf(() => loadSeed(bad)), [/not valid JSON/]);
  let err: unknown;
  try {
    loadSeed(bad);
  } catch (e) {
    err = e;
  }
  t.match((err as Error).message, `invalid seed ${bad}`);
  t.same(
    errorsOf(() =>
      buildSeed({
        records: {
          Contact: [
            { LastName: 'A', AccountId: { ref: 'Account', External_Id__c: 'NOPE' } },
            { LastName: 'B', AccountId: makeId('001', 99_999_999) },
            { LastName: 'C', AccountId: '0035g00000A0000AAB' },
          ],
          Account: [{ Name: 'X', External_Id__c: 'DUP' }, { Name: 'Y', External_Id__c: 'dup' }],
        },
      }, { now: NOW }),
    ),
    [
      '/records/Account/1/External_Id__c: DUPLICATE_VALUE: duplicate value found: External_Id__c duplicates value on record with id: 0015g00000A0000AAB',
      '/records/Contact/0/AccountId: no live Account record with External_Id__c = "NOPE"',
      `/records/Contact/1/AccountId: no Account record with Id ${makeId('001', 99_999_999)}`,
      '/records/Contact/2/AccountId: 0035g00000A0000AAB is a Contact id; AccountId references Account',
    ],
  );
});

t.test('explicit ids, audit fields and generation on a file seed', async (t) => {
  const s = buildSeed(
    {
      base: 'empty',
      generate: { Account: 10, User: 2 },
      records: {
        Account: [
          { Id: '0015g00000B0000AAB', Name: 'Kept id', IsDeleted: true, CreatedDate: 1700000000000, SystemModstamp: '2024-01-01T00:00:00.000+0000' },
          { Name: 'Refers to generated', ParentId: { ref: 'Account', External_Id__c: 'ACC-000003' } },
        ],
        Case: [{ Subject: 'Help', Status: 'Closed', ClosedDate: '2024-06-01T10:00:00+02:00' }],
      },
    },
    { now: NOW, scale: 2 },
  );
  t.equal(s.table('Account')!.count(true), 22, '10 x scale 2 + 2');
  t.equal(s.table('User')!.count(), 4);
  const kept = s.table('Account')!.get('0015g00000B0000AAB')!;
  t.match(kept, { IsDeleted: true, CreatedDate: 1700000000000, LastModifiedDate: 1700000000000, SystemModstamp: Date.UTC(2024, 0, 1) });
  const r = [...s.table('Account')!.scan(true)].find((x) => x.Name === 'Refers to generated')!;
  t.equal(r.ParentId, s.table('Account')!.findBy('External_Id__c', 'ACC-000003')[0].Id, 'a reference to a generated record');
  const c = [...s.table('Case')!.scan(false)][0];
  t.match(c, { IsClosed: true, ClosedDate: Date.UTC(2024, 5, 1, 8), CaseNumber: '00001001', CreatedDate: NOW });
  t.equal(s.settings.hardDeleteAllowed, false);
  t.equal(parseDateTime('2024-06-01T10:00:00.5Z'), Date.UTC(2024, 5, 1, 10, 0, 0, 500));
  t.equal(parseDateTime('2024-06-01'), undefined);
});

t.test('base demo with overrides', async (t) => {
  const s = buildSeed(
    {
      base: 'demo',
      settings: { hardDeleteAllowed: false },
      generate: { Account: 30, Lead: 0 },
      validationRules: {
        Account: [{ name: 'Annual_Revenue_Not_Negative', active: false, errorWhen: 'AnnualRevenue < 0', errorMessage: 'off' }],
        Lead: [{ name: 'Company_Required', errorWhen: "Company = ''", errorMessage: 'Company needed' }],
      },
    },
    { now: NOW },
  );
  t.equal(s.settings.hardDeleteAllowed, false);
  t.equal(s.table('Account')!.count(true), 30);
  t.equal(s.table('Lead')!.count(true), 0);
  t.equal(s.table('Contact')!.count(true), 400);
  t.match(s.type('Account')!.validationRules, [{ name: 'Annual_Revenue_Not_Negative', active: false, errorMessage: 'off' }]);
  t.equal(s.type('Invoice__c')!.validationRules.length, 1, 'demo rules kept');
  t.equal(s.type('Lead')!.validationRules[0].active, true, 'active defaults to true');
  t.equal(s.user.username, 'admin@emulator.local');
});
