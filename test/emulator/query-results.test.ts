// Query results as Bulk API 2.0 writes them: every cell quoted, Salesforce's value formats, the
// job's delimiter and line ending, a header row on every page, locator paging, ORDER BY / LIMIT,
// query vs queryAll, and a snapshot that later writes do not change.
import t from 'tap';
import { compileQuery, decodeLocator, encodeLocator, type QueryResult } from '../../src/emulator/query/index.js';
import type { OrgStore } from '../../src/emulator/org/types.js';
import { loadSeed } from '../../src/emulator/org/seed.js';
import { fixtureStore } from './soql-fixture.js';

const LF = { columnDelimiter: 'COMMA', lineEnding: 'LF' } as const;

function run(store: OrgStore, soql: string, all = false): QueryResult {
  return compileQuery(store, soql).execute(all);
}

function lines(csv: string): string[] {
  return csv.split('\n').slice(0, -1);
}

t.test('CSV values: quoted cells, nulls empty, Salesforce number/date/boolean formats', async (t) => {
  const s = fixtureStore();
  const u = s.table('User')!.insert({ Name: 'Ann "The Admin"', Email: 'ann@example.com' });
  const a = s.table('Account')!.insert({
    Name: 'Acme, "Inc"\nsecond line',
    AnnualRevenue: 12_345_678,
    NumberOfEmployees: 50,
    Score__c: 0.5,
    Share__c: 100,
    IsPartner: true,
    LastActivityDate: '2026-01-31',
    CreatedDate: Date.UTC(2026, 10, 22, 14, 43, 8),
    Wake_Up__c: '10:30:00.000Z',
    OwnerId: u.Id,
  });
  const b = s.table('Account')!.insert({ Name: 'Blank', IsPartner: false, CreatedDate: Date.UTC(2026, 0, 1), AnnualRevenue: 90_000_000, Score__c: 1e-4, Share__c: -2.5 });
  const r = run(s, 'SELECT Id, Name, AnnualRevenue, NumberOfEmployees, Score__c, Share__c, IsPartner, LastActivityDate, CreatedDate, Wake_Up__c, Owner.Name FROM Account');
  t.equal(r.count, 2);
  t.equal(
    r.page(0, 10, LF),
    '"Id","Name","AnnualRevenue","NumberOfEmployees","Score__c","Share__c","IsPartner","LastActivityDate","CreatedDate","Wake_Up__c","Owner.Name"\n' +
      `"${a.Id}","Acme, ""Inc""\nsecond line","1.2345678E7","50","0.5","100.0","true","2026-01-31","2026-11-22T14:43:08.000Z","10:30:00.000Z","Ann ""The Admin"""\n` +
      `"${b.Id}","Blank","9.0E7","","1.0E-4","-2.5","false","","2026-01-01T00:00:00.000Z","",""\n`,
  );
});

t.test('doubles print as Java does (Salesforce API): 1234567.0, 1.2345678E7; int fields as integers', async (t) => {
  const s = fixtureStore();
  const values = [0, 1, 1234567, 12345678, 0.001, 0.0001, -5, 16147805824397, 123.45, 1e21];
  for (const v of values) s.table('Account')!.insert({ Name: String(v), AnnualRevenue: v, NumberOfEmployees: Math.trunc(v) });
  const rows = lines(run(s, 'SELECT AnnualRevenue, NumberOfEmployees FROM Account').page(0, 100, LF)).slice(1);
  t.same(rows, [
    '"0.0","0"',
    '"1.0","1"',
    '"1234567.0","1234567"',
    '"1.2345678E7","12345678"',
    '"0.001","0"',
    '"1.0E-4","0"',
    '"-5.0","-5"',
    '"1.6147805824397E13","16147805824397"',
    '"123.45","123"',
    '"1.0E21","1000000000000000000000"',
  ]);
});

t.test('column delimiters and line endings', async (t) => {
  const s = fixtureStore();
  s.table('Account')!.insert({ Name: 'a,b|c;d^e`f\tg', IsPartner: false });
  const r = run(s, 'SELECT Name, IsPartner FROM Account');
  const expect: Record<string, string> = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' };
  for (const [name, d] of Object.entries(expect)) {
    const csv = r.page(0, 10, { columnDelimiter: name as 'COMMA', lineEnding: 'LF' });
    t.equal(csv, `"Name"${d}"IsPartner"\n"a,b|c;d^e\`f\tg"${d}"false"\n`, name);
  }
  t.equal(r.page(0, 10, { columnDelimiter: 'COMMA', lineEnding: 'CRLF' }), '"Name","IsPartner"\r\n"a,b|c;d^e`f\tg","false"\r\n');
});

t.test('relationship columns: named as queried, empty when there is no parent', async (t) => {
  const s = fixtureStore();
  const u = s.table('User')!.insert({ Name: 'Ann' });
  const a = s.table('Account')!.insert({ Name: 'Acme', OwnerId: u.Id });
  const g = s.table('Group')!.insert({ Name: 'Queue' });
  s.table('Contact')!.insert({ LastName: 'Smith', AccountId: a.Id, Billing_Account__c: a.Id });
  s.table('Contact')!.insert({ LastName: 'Lone' });
  s.table('Contact')!.insert({ LastName: 'Dangling', AccountId: '001000000000000AAA' });
  const r = run(s, 'select lastname, account.name, Account.Owner.Name, billing_account__r.NAME from contact');
  t.same(lines(r.page(0, 10, LF)), [
    '"LastName","Account.Name","Account.Owner.Name","Billing_Account__r.Name"',
    '"Smith","Acme","Ann","Acme"',
    '"Lone","","",""',
    '"Dangling","","",""',
  ]);
  s.table('Case')!.insert({ Subject: 'q', OwnerId: g.Id });
  s.table('Case')!.insert({ Subject: 'u', OwnerId: u.Id });
  t.same(lines(run(s, 'SELECT Subject, Owner.Name FROM Case').page(0, 10, LF)), ['"Subject","Owner.Name"', '"q","Queue"', '"u","Ann"'], 'polymorphic Owner');
});

t.test('every page carries the header; offsets and maxRecords slice the rows', async (t) => {
  const s = fixtureStore();
  for (let i = 0; i < 7; i++) s.table('Account')!.insert({ Name: `n${i}` });
  const r = run(s, 'SELECT Name FROM Account');
  t.equal(r.page(0, 3, LF), '"Name"\n"n0"\n"n1"\n"n2"\n');
  t.equal(r.page(3, 3, LF), '"Name"\n"n3"\n"n4"\n"n5"\n');
  t.equal(r.page(6, 3, LF), '"Name"\n"n6"\n');
  t.equal(r.page(7, 3, LF), '"Name"\n', 'past the end: header only');
  t.equal(r.page(0, 0, LF), '"Name"\n');
  const empty = run(s, "SELECT Name, Id FROM Account WHERE Name = 'none'");
  t.equal(empty.count, 0);
  t.equal(empty.page(0, 100, LF), '"Name","Id"\n', 'an empty result is just the header');
});

t.test('locators: base64 of the offset without padding, as in the documentation', async (t) => {
  t.equal(encodeLocator(10000), 'MTAwMDA');
  t.equal(encodeLocator(200000), 'MjAwMDAw');
  t.equal(decodeLocator('MTAwMDA'), 10000);
  t.equal(decodeLocator('MjAwMDAw'), 200000);
  for (const n of [0, 1, 2, 99, 50000, 1_000_000, 123456789]) t.equal(decodeLocator(encodeLocator(n)), n, `round trip ${n}`);
  for (const bad of ['', 'null', 'abc!', 'MTAwMDA=', 'LTE', 'MDE', 'bm9wZQ', 'x'.repeat(40)]) t.equal(decodeLocator(bad), undefined, `refuses ${bad}`);

  // Walk a result by locator, as clients do, until the last page.
  const s = fixtureStore();
  for (let i = 0; i < 10; i++) s.table('Account')!.insert({ Name: `n${i}` });
  const r = run(s, 'SELECT Name FROM Account');
  const seen: string[] = [];
  let locator: string | null = null;
  let pages = 0;
  do {
    const offset: number = locator === null ? 0 : decodeLocator(locator)!;
    const page = lines(r.page(offset, 4, LF));
    t.equal(page[0], '"Name"', 'header on every page');
    seen.push(...page.slice(1));
    const next = offset + 4;
    locator = next < r.count ? encodeLocator(next) : null;
    pages++;
  } while (locator !== null);
  t.equal(pages, 3);
  t.same(seen, Array.from({ length: 10 }, (_, i) => `"n${i}"`));
});

t.test('ORDER BY: ascending, descending, nulls first by default, case-insensitive, stable; LIMIT', async (t) => {
  const s = fixtureStore();
  const A = s.table('Account')!;
  const rows = [
    { Name: 'beta', Industry: 'Energy', NumberOfEmployees: 3 },
    { Name: 'Alpha', Industry: null, NumberOfEmployees: 1 },
    { Name: 'gamma', Industry: 'banking', NumberOfEmployees: null },
    { Name: 'delta', Industry: 'Energy', NumberOfEmployees: 3 },
    { Name: 'Epsilon', Industry: 'Banking', NumberOfEmployees: 2 },
  ];
  for (const r of rows) A.insert(r);
  const q = (tail: string): string[] => lines(run(s, `SELECT Name FROM Account ${tail}`).page(0, 100, LF)).slice(1).map((l) => l.slice(1, -1));
  t.same(q('ORDER BY Name'), ['Alpha', 'beta', 'delta', 'Epsilon', 'gamma'], 'text sorts case-insensitively');
  t.same(q('ORDER BY Name DESC'), ['gamma', 'Epsilon', 'delta', 'beta', 'Alpha']);
  t.same(q('ORDER BY Industry'), ['Alpha', 'gamma', 'Epsilon', 'beta', 'delta'], 'nulls first, ties keep scan order');
  t.same(q('ORDER BY Industry DESC'), ['Alpha', 'beta', 'delta', 'gamma', 'Epsilon'], 'nulls first by default for DESC too');
  t.same(q('ORDER BY Industry ASC NULLS LAST'), ['gamma', 'Epsilon', 'beta', 'delta', 'Alpha']);
  t.same(q('ORDER BY Industry DESC NULLS LAST, Name DESC'), ['delta', 'beta', 'gamma', 'Epsilon', 'Alpha']);
  t.same(q('ORDER BY NumberOfEmployees DESC NULLS LAST, Name'), ['beta', 'delta', 'Epsilon', 'Alpha', 'gamma']);
  t.same(q('ORDER BY NumberOfEmployees NULLS FIRST LIMIT 2'), ['gamma', 'Alpha'], 'LIMIT applies after sorting');
  t.same(q('LIMIT 2'), ['beta', 'Alpha'], 'LIMIT without ORDER BY keeps the first rows');
  t.same(q('LIMIT 0'), []);
  t.same(q("WHERE Industry = 'energy' ORDER BY Name DESC LIMIT 1"), ['delta']);
});

t.test('ORDER BY a parent field', async (t) => {
  const s = fixtureStore();
  const b = s.table('Account')!.insert({ Name: 'B' });
  const a = s.table('Account')!.insert({ Name: 'a' });
  s.table('Contact')!.insert({ LastName: 'x', AccountId: b.Id });
  s.table('Contact')!.insert({ LastName: 'y' });
  s.table('Contact')!.insert({ LastName: 'z', AccountId: a.Id });
  const csv = run(s, 'SELECT LastName, Account.Name FROM Contact ORDER BY Account.Name').page(0, 10, LF);
  t.same(lines(csv), ['"LastName","Account.Name"', '"y",""', '"z","a"', '"x","B"']);
});

t.test('query skips deleted rows; queryAll returns them with IsDeleted true', async (t) => {
  const s = fixtureStore();
  const A = s.table('Account')!;
  A.insert({ Name: 'live' });
  const gone = A.insert({ Name: 'gone' });
  A.softDelete(gone.Id as string);
  t.same(lines(run(s, 'SELECT Name, IsDeleted FROM Account').page(0, 10, LF)), ['"Name","IsDeleted"', '"live","false"']);
  t.same(lines(run(s, 'SELECT Name, IsDeleted FROM Account', true).page(0, 10, LF)), ['"Name","IsDeleted"', '"live","false"', '"gone","true"']);
  t.equal(run(s, 'SELECT Id FROM Account WHERE IsDeleted = true', true).count, 1);
  t.equal(run(s, 'SELECT Id FROM Account WHERE IsDeleted = true').count, 0);
});

t.test('a result is a snapshot: later writes do not change its rows or parents', async (t) => {
  const s = fixtureStore();
  const A = s.table('Account')!;
  const a = A.insert({ Name: 'Acme' });
  const c = s.table('Contact')!.insert({ LastName: 'Smith', AccountId: a.Id });
  const r = run(s, 'SELECT LastName, Account.Name FROM Contact');
  const before = r.page(0, 10, LF);
  A.update(a.Id as string, { Name: 'Renamed' });
  s.table('Contact')!.update(c.Id as string, { LastName: 'Changed' });
  s.table('Contact')!.insert({ LastName: 'New' });
  t.equal(r.count, 1);
  t.equal(r.page(0, 10, LF), before);
  t.equal(before, '"LastName","Account.Name"\n"Smith","Acme"\n');
  t.equal(run(s, 'SELECT LastName, Account.Name FROM Contact').page(0, 10, LF), '"LastName","Account.Name"\n"Changed","Renamed"\n"New",""\n');
});

t.test('an object known to the org but without records answers an empty result', async (t) => {
  const s = fixtureStore();
  const r = run(s, 'SELECT Id, Name FROM Group');
  t.equal(r.count, 0);
  t.equal(r.page(0, 10, LF), '"Id","Name"\n');
});

t.test('against the demo org: counts per object, queryAll, and a parent ORDER BY with NULLS LAST', async (t) => {
  const org = loadSeed('demo');
  const types = org.types().filter((type) => org.table(type.name));
  t.ok(types.length >= 7, 'the demo objects have tables');
  let deleted = 0;
  for (const type of types) {
    const table = org.table(type.name)!;
    const q = compileQuery(org, `SELECT Id FROM ${type.name}`);
    const r = q.execute(false);
    t.equal(r.count, table.count(false), `${type.name}: query counts the live rows`);
    t.equal(q.execute(true).count, table.count(true), `${type.name}: queryAll counts deleted rows too`);
    t.equal(lines(r.page(0, 1, LF))[0], '"Id"');
    deleted += table.count(true) - table.count(false);
  }
  t.ok(deleted > 0, 'the demo org holds deleted rows, so queryAll is told apart from query');
  const r = compileQuery(org, 'SELECT Id, Account.Name FROM Contact ORDER BY Account.Name NULLS LAST').execute(false);
  t.equal(r.count, org.table('Contact')!.count(false));
  const names = lines(r.page(0, r.count, LF)).slice(1).map((l) => l.split('","')[1]!.slice(0, -1));
  const firstNull = names.indexOf('');
  t.ok(firstNull > 0, 'contacts with and without an account');
  t.ok(names.slice(firstNull).every((n) => n === ''), 'no account sorts last');
  const named = names.slice(0, firstNull).map((n) => n.toUpperCase());
  t.ok(named.every((n, i) => i === 0 || named[i - 1]! <= n), 'account names ascend, case-insensitively');
  t.equal(compileQuery(org, 'SELECT Id FROM Contact ORDER BY Account.Name NULLS LAST LIMIT 5').execute(false).count, 5, 'LIMIT after the sort');
});
