// WHERE semantics as SOQL evaluates them: typed comparisons, case-insensitive text, null handling,
// LIKE, IN, dates and datetimes, date literals and functions, relationship filters, semi-joins.
import t from 'tap';
import { compileQuery } from '../../src/emulator/query/index.js';
import { fixtureStore } from './soql-fixture.js';

const store = fixtureStore();
const ann = store.table('User')!.insert({ Name: 'Ann Admin', Email: 'ann@example.com' });
const bob = store.table('User')!.insert({ Name: 'Bob Builder', Email: 'bob@example.com' });
const queue = store.table('Group')!.insert({ Name: 'Support Queue' });
const A = store.table('Account')!;
const acme = A.insert({
  Name: 'Acme', Industry: 'Banking', AnnualRevenue: 5_000_000, NumberOfEmployees: 50, IsPartner: true,
  LastActivityDate: '2026-01-31', CreatedDate: Date.UTC(2026, 0, 31, 10), OwnerId: ann.Id, Tags__c: 'a;b;c', Score__c: 0.5,
});
const labs = A.insert({
  Name: 'acme labs', Industry: 'Energy', AnnualRevenue: null, NumberOfEmployees: 5, IsPartner: false,
  LastActivityDate: '2026-02-01', CreatedDate: Date.UTC(2026, 0, 31, 9, 59, 59), OwnerId: bob.Id, ParentId: acme.Id, Tags__c: 'b',
});
const pure = A.insert({
  Name: '100% Pure_Co', Industry: null, AnnualRevenue: 12, NumberOfEmployees: null, IsPartner: false,
  LastActivityDate: null, CreatedDate: Date.UTC(2026, 1, 1), Tags__c: null,
});
const obrien = A.insert({ Name: "O'Brien", Industry: 'Retail', AnnualRevenue: -1, IsPartner: false, CreatedDate: Date.UTC(2025, 11, 31, 23, 59, 59, 999) });
const C = store.table('Contact')!;
C.insert({ LastName: 'Smith', AccountId: acme.Id });
C.insert({ LastName: 'Jones', AccountId: labs.Id });
C.insert({ LastName: 'Lone' });
const K = store.table('Case')!;
K.insert({ Subject: 'by user', OwnerId: ann.Id });
K.insert({ Subject: 'by queue', OwnerId: queue.Id });

/** First column of every data row, unquoted. */
function firstColumn(soql: string): string[] {
  const csv = compileQuery(store, soql).execute(false).page(0, 1_000, { columnDelimiter: 'COMMA', lineEnding: 'LF' });
  return csv
    .split('\n')
    .slice(1, -1)
    .map((line) => /^"((?:[^"]|"")*)"/.exec(line)![1].replaceAll('""', '"'));
}

const names = (where: string): string[] => firstColumn(`SELECT Name FROM Account WHERE ${where}`);

t.test('text equality is case-insensitive; escapes decode', async (t) => {
  t.same(names("Name = 'ACME'"), ['Acme']);
  t.same(names("Name = 'O\\'Brien'"), ["O'Brien"]);
  t.same(names("Industry = 'banking'"), ['Acme']);
  t.same(names("Name IN ('acme', 'ACME LABS')"), ['Acme', 'acme labs']);
  t.same(names("Name > 'B'"), ["O'Brien"], 'ordering on text is case-insensitive too');
});

t.test('null semantics: = null, != null, != includes nulls, ordering excludes them', async (t) => {
  t.same(names('Industry = null'), ['100% Pure_Co']);
  t.same(names('Industry != null'), ['Acme', 'acme labs', "O'Brien"]);
  t.same(names("Industry != 'Banking'"), ['acme labs', '100% Pure_Co', "O'Brien"], '!= keeps rows whose value is null');
  t.same(names("Industry <> 'Banking'"), ['acme labs', '100% Pure_Co', "O'Brien"], '<> is !=');
  t.same(names('AnnualRevenue < 100'), ['100% Pure_Co', "O'Brien"], 'null is neither less nor greater');
  t.same(names('AnnualRevenue >= 0'), ['Acme', '100% Pure_Co']);
  t.same(names("Industry = ''"), ['100% Pure_Co'], "'' compares as null");
});

t.test('LIKE: % and _ wildcards, case-insensitive, escaped wildcards, nulls never match', async (t) => {
  t.same(names("Name LIKE 'acme%'"), ['Acme', 'acme labs']);
  t.same(names("Name LIKE '%LABS'"), ['acme labs']);
  t.same(names("Name LIKE 'a_me'"), ['Acme']);
  t.same(names("Name LIKE '100\\%%'"), ['100% Pure_Co']);
  t.same(names("Name LIKE '%\\_co'"), ['100% Pure_Co']);
  t.same(names("Name LIKE '%.%'"), [], 'regex characters are literal');
  t.same(names("Industry LIKE '%'"), ['Acme', 'acme labs', "O'Brien"]);
  t.same(names("NOT Industry LIKE 'B%'"), ['acme labs', '100% Pure_Co', "O'Brien"]);
});

t.test('IN and NOT IN, with and without null in the list', async (t) => {
  t.same(names("Industry IN ('BANKING', 'Energy')"), ['Acme', 'acme labs']);
  t.same(names("Industry NOT IN ('Banking')"), ['acme labs', '100% Pure_Co', "O'Brien"]);
  t.same(names("Industry IN ('Energy', null)"), ['acme labs', '100% Pure_Co']);
  t.same(names("Industry NOT IN ('Energy', null)"), ['Acme', "O'Brien"]);
  t.same(names('NumberOfEmployees IN (5, 50)'), ['Acme', 'acme labs']);
});

t.test('numbers, booleans, dates and datetimes compare by type', async (t) => {
  t.same(names('AnnualRevenue >= 5e6'), ['Acme']);
  t.same(names('AnnualRevenue = -1'), ["O'Brien"]);
  t.same(names('NumberOfEmployees > 10'), ['Acme']);
  t.same(names('Score__c = .5'), ['Acme']);
  t.same(names('IsPartner = true'), ['Acme']);
  t.same(names('IsPartner = FALSE'), ['acme labs', '100% Pure_Co', "O'Brien"]);
  t.same(names('LastActivityDate > 2026-01-31'), ['acme labs']);
  t.same(names('LastActivityDate <= 2026-01-31'), ['Acme']);
  t.same(names('CreatedDate >= 2026-01-31T10:00:00Z'), ['Acme', '100% Pure_Co']);
  t.same(names('CreatedDate = 2026-01-31T11:00:00+01:00'), ['Acme'], 'offsets are honoured');
  t.same(names('CreatedDate = 2026-01-31T10:00:00.000Z'), ['Acme'], 'milliseconds are accepted');
  t.same(names('CreatedDate < 2026-01-31T10:00:00.000Z AND CreatedDate > 2026-01-01T00:00:00Z'), ['acme labs']);
});

t.test('AND / OR / NOT with parentheses', async (t) => {
  t.same(names("(Industry = 'Banking' OR Industry = null) AND IsPartner = false"), ['100% Pure_Co']);
  t.same(names("Industry = 'Banking' OR (Industry = null AND IsPartner = false)"), ['Acme', '100% Pure_Co']);
  t.same(names("NOT (Industry = 'Banking')"), ['acme labs', '100% Pure_Co', "O'Brien"]);
  t.same(names("IsPartner = false AND (NOT Industry = 'Retail') AND AnnualRevenue = null"), ['acme labs']);
  t.same(names("Name = 'x' OR Name = 'y' OR Name = 'acme'"), ['Acme'], 'several ORs need no parentheses');
});

t.test('date functions', async (t) => {
  t.same(names('CALENDAR_YEAR(CreatedDate) = 2025'), ["O'Brien"]);
  t.same(names('CALENDAR_MONTH(CreatedDate) = 2'), ['100% Pure_Co']);
  t.same(names('DAY_IN_MONTH(LastActivityDate) = 31'), ['Acme']);
  t.same(names('HOUR_IN_DAY(CreatedDate) = 9'), ['acme labs']);
  t.same(names('DAY_ONLY(CreatedDate) = 2026-01-31'), ['Acme', 'acme labs']);
});

t.test('multi-select picklists: INCLUDES and EXCLUDES', async (t) => {
  t.same(names("Tags__c INCLUDES ('a;b')"), ['Acme']);
  t.same(names("Tags__c INCLUDES ('B')"), ['Acme', 'acme labs']);
  t.same(names("Tags__c INCLUDES ('x', 'c')"), ['Acme']);
  t.same(names("Tags__c EXCLUDES ('c')"), ['acme labs', '100% Pure_Co', "O'Brien"]);
  t.same(names("Tags__c = 'c;b;a'"), ['Acme'], '= on a multi-select ignores order');
});

t.test('ids: 15- and 18-character forms', async (t) => {
  const id15 = (acme.Id as string).slice(0, 15);
  t.same(names(`Id = '${id15}'`), ['Acme']);
  t.same(names(`Id = '${acme.Id}'`), ['Acme']);
  t.same(names(`Id IN ('${id15}', '${labs.Id}')`), ['Acme', 'acme labs']);
  t.same(names(`ParentId = '${acme.Id}'`), ['acme labs']);
  t.same(names(`ParentId != '${acme.Id}'`), ['Acme', '100% Pure_Co', "O'Brien"]);
  t.same(names(`Id != '${pure.Id}' AND Id != '${obrien.Id}'`), ['Acme', 'acme labs']);
});

t.test('filters on parent fields, polymorphic owners and semi-joins', async (t) => {
  t.same(firstColumn("SELECT LastName FROM Contact WHERE Account.Industry = 'Banking'"), ['Smith']);
  t.same(firstColumn('SELECT LastName FROM Contact WHERE Account.Owner.Name LIKE \'bob%\''), ['Jones']);
  t.same(firstColumn('SELECT LastName FROM Contact WHERE Account.Name = null'), ['Lone'], 'no parent reads as null');
  t.same(firstColumn("SELECT Subject FROM Case WHERE Owner.Name = 'support queue'"), ['by queue'], 'Owner resolves by the id prefix');
  t.same(firstColumn('SELECT LastName FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE IsPartner = true)'), ['Smith']);
  t.same(firstColumn('SELECT LastName FROM Contact WHERE AccountId NOT IN (SELECT Id FROM Account WHERE IsPartner = true)'), ['Jones', 'Lone']);
  t.same(firstColumn('SELECT Name FROM Account WHERE Id IN (SELECT ParentId FROM Account)'), ['Acme']);
});

t.test('relative date literals, on datetime and date fields', async (t) => {
  const s = fixtureStore();
  const DAY = 86_400_000;
  const today = Math.floor(Date.now() / DAY) * DAY;
  const at = (days: number): number => today + days * DAY + 12 * 3_600_000;
  const date = (days: number): string => new Date(today + days * DAY).toISOString().slice(0, 10);
  for (const d of [0, -1, -3, -10, 2, -400]) {
    s.table('Account')!.insert({ Name: `d${d}`, CreatedDate: at(d), LastActivityDate: date(d) });
  }
  const q = (where: string): string[] =>
    compileQuery(s, `SELECT Name FROM Account WHERE ${where}`)
      .execute(false)
      .page(0, 100, { columnDelimiter: 'COMMA', lineEnding: 'LF' })
      .split('\n')
      .slice(1, -1)
      .map((l) => l.slice(1, -1));
  for (const field of ['CreatedDate', 'LastActivityDate']) {
    t.same(q(`${field} = TODAY`), ['d0'], `${field} = TODAY`);
    t.same(q(`${field} = YESTERDAY`), ['d-1'], `${field} = YESTERDAY`);
    t.same(q(`${field} = LAST_N_DAYS:7`), ['d0', 'd-1', 'd-3'], `${field} = LAST_N_DAYS:7 includes today`);
    t.same(q(`${field} < LAST_N_DAYS:7`), ['d-10', 'd-400'], `${field} < LAST_N_DAYS:7`);
    t.same(q(`${field} > TODAY`), ['d2'], `${field} > TODAY`);
    t.same(q(`${field} = NEXT_N_DAYS:3`), ['d2'], `${field} = NEXT_N_DAYS:3 starts tomorrow`);
    t.same(q(`${field} = N_DAYS_AGO:3`), ['d-3'], `${field} = N_DAYS_AGO:3`);
    t.same(q(`${field} != LAST_N_DAYS:7`), ['d-10', 'd2', 'd-400'], `${field} != LAST_N_DAYS:7`);
    t.same(q(`${field} >= LAST_N_DAYS:3`), ['d0', 'd-1', 'd-3', 'd2'], `${field} >= LAST_N_DAYS:3`);
    t.same(q(`${field} = LAST_N_YEARS:5`).includes('d0'), false, `${field}: LAST_N_YEARS excludes this year`);
  }
});
