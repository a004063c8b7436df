// The REST query resource answers as the REST API documents (src/emulator/README.md, "REST query"): typed JSON
// records with attributes, nested parents, compound fields as objects, count(), aggregates with GROUP BY and
// exprN names, OFFSET up to 2,000, and paging by nextRecordsUrl; Bulk query jobs keep refusing all of these.
import t from 'tap';
import { API, csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

const query = (h: Harness, soql: string, init: RequestInit = {}, resource = 'query') =>
  h.json(`${resource}?q=${encodeURIComponent(soql)}`, init);

/** Rows of the org as the admin API reads them (CSV strings), keyed by header. */
async function adminRows(h: Harness, soql: string): Promise<Record<string, string>[]> {
  const { csv } = await h.admin('/query', { method: 'POST', body: JSON.stringify({ soql }) });
  const [header, ...rows] = csvRows(csv);
  return rows.map((r) => Object.fromEntries(header.map((k, i) => [k, r[i]])));
}

const recordUrl = (type: string, id: string) => `/services/data/${API}/sobjects/${type}/${id}`;

t.test('typed values, attributes and an address compound as an object', async (t) => {
  const h = await withEmulator(t);
  const soql = 'SELECT Id, Name, BillingAddress, NumberOfEmployees, AnnualRevenue, CreatedDate, IsDeleted FROM Account WHERE BillingCity != null AND AnnualRevenue != null ORDER BY Name LIMIT 3';
  const r = await query(h, soql);
  t.equal(r.status, 200);
  t.same(Object.keys(r.body), ['totalSize', 'done', 'records']);
  t.equal(r.body.totalSize, 3);
  t.equal(r.body.done, true);
  const plain = await adminRows(h, 'SELECT Id, BillingStreet, BillingCity, BillingState, BillingPostalCode, BillingCountry, NumberOfEmployees, AnnualRevenue, CreatedDate FROM Account WHERE BillingCity != null AND AnnualRevenue != null ORDER BY Name LIMIT 3');
  r.body.records.forEach((rec: any, i: number) => {
    const p = plain[i];
    t.same(Object.keys(rec), ['attributes', 'Id', 'Name', 'BillingAddress', 'NumberOfEmployees', 'AnnualRevenue', 'CreatedDate', 'IsDeleted'], 'fields in SELECT order after attributes');
    t.same(rec.attributes, { type: 'Account', url: recordUrl('Account', p.Id) });
    t.same(rec.BillingAddress, {
      city: p.BillingCity, country: p.BillingCountry, geocodeAccuracy: null, latitude: null, longitude: null,
      postalCode: p.BillingPostalCode, state: p.BillingState, street: p.BillingStreet,
    });
    t.equal(rec.NumberOfEmployees, p.NumberOfEmployees === '' ? null : Number(p.NumberOfEmployees), 'int as a JSON number');
    t.equal(rec.AnnualRevenue, Number(p.AnnualRevenue), 'currency as a JSON number');
    t.equal(rec.CreatedDate, p.CreatedDate.replace('Z', '+0000'), 'datetime as REST prints it');
    t.equal(rec.IsDeleted, false, 'boolean as a JSON boolean');
  });
  const empty = await query(h, 'SELECT Id, ShippingAddress FROM Account WHERE ShippingCity = null AND ShippingStreet = null AND ShippingState = null AND ShippingPostalCode = null AND ShippingCountry = null LIMIT 1');
  if (empty.body.totalSize > 0) t.equal(empty.body.records[0].ShippingAddress, null, 'an address with no parts is null');
});

t.test('parent relationships are nested records; a missing parent is null', async (t) => {
  const h = await withEmulator(t);
  const r = await query(h, "SELECT Id, LastName, Account.Name, Account.Owner.Name, Account.Owner.Email FROM Contact WHERE AccountId != null ORDER BY Id LIMIT 2");
  t.equal(r.status, 200);
  const plain = await adminRows(h, 'SELECT Id, LastName, AccountId, Account.Name, Account.OwnerId, Account.Owner.Name, Account.Owner.Email FROM Contact WHERE AccountId != null ORDER BY Id LIMIT 2');
  r.body.records.forEach((rec: any, i: number) => {
    const p = plain[i];
    t.same(rec, {
      attributes: { type: 'Contact', url: recordUrl('Contact', p.Id) },
      Id: p.Id,
      LastName: p.LastName,
      Account: {
        attributes: { type: 'Account', url: recordUrl('Account', p.AccountId) },
        Name: p['Account.Name'],
        Owner: {
          attributes: { type: 'User', url: recordUrl('User', p['Account.OwnerId']) },
          Name: p['Account.Owner.Name'],
          Email: p['Account.Owner.Email'],
        },
      },
    });
  });
  const none = await query(h, 'SELECT Id, Account.Name FROM Contact WHERE AccountId = null LIMIT 1');
  t.equal(none.status, 200);
  if (none.body.totalSize > 0) t.equal(none.body.records[0].Account, null, 'no parent: the relationship is null');
});

t.test('count() answers totalSize and no records', async (t) => {
  const h = await withEmulator(t);
  const counts = await h.admin('/counts');
  const all = await query(h, 'SELECT count() FROM Account');
  t.same(all.body, { totalSize: counts.Account.live, done: true, records: [] });
  t.ok(counts.Account.deleted > 0, 'the demo org has soft-deleted accounts');
  const withDeleted = await query(h, 'SELECT count() FROM Account', {}, 'queryAll');
  t.same(withDeleted.body, { totalSize: counts.Account.live + counts.Account.deleted, done: true, records: [] }, 'queryAll counts deleted rows too');
  const some = await query(h, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'K%'");
  const expected = (await adminRows(h, "SELECT Id FROM Contact WHERE LastName LIKE 'K%'")).length;
  t.same(some.body, { totalSize: expected, done: true, records: [] });
});

t.test('aggregates with GROUP BY: AggregateResult records, aliases and exprN names', async (t) => {
  const h = await withEmulator(t);
  const r = await query(h, 'SELECT StageName, COUNT(Id), SUM(Amount) total, MAX(CloseDate) FROM Opportunity GROUP BY StageName ORDER BY StageName');
  t.equal(r.status, 200);
  const rows = await adminRows(h, 'SELECT StageName, Amount, CloseDate FROM Opportunity');
  const expected = new Map<string, { n: number; sum: number | null; max: string | null }>();
  for (const row of rows) {
    const g = expected.get(row.StageName) ?? { n: 0, sum: null, max: null };
    g.n++;
    if (row.Amount !== '') g.sum = (g.sum ?? 0) + Number(row.Amount);
    if (row.CloseDate !== '' && (g.max === null || row.CloseDate > g.max)) g.max = row.CloseDate;
    expected.set(row.StageName, g);
  }
  const stages = [...expected.keys()].sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1));
  t.equal(r.body.totalSize, stages.length, 'one record per group');
  t.same(r.body.records.map((rec: any) => rec.StageName), stages, 'ordered by the grouped field');
  for (const rec of r.body.records) {
    const g = expected.get(rec.StageName)!;
    t.same(Object.keys(rec), ['attributes', 'StageName', 'expr0', 'total', 'expr1'], 'unaliased aggregates are expr0, expr1 in order');
    t.same(rec.attributes, { type: 'AggregateResult' }, 'aggregate records have a type and no url');
    t.equal(rec.expr0, g.n);
    t.ok(Math.abs(rec.total - (g.sum ?? 0)) < 1e-6, `SUM for ${rec.StageName}`);
    t.equal(rec.expr1, g.max);
  }
  const one = await query(h, 'SELECT COUNT(Id), AVG(Amount) avg FROM Opportunity WHERE Amount = null');
  t.same(one.body.records, [{ attributes: { type: 'AggregateResult' }, expr0: rows.filter((x) => x.Amount === '').length, avg: null }], 'no GROUP BY: one record, also over no rows');
  const ungrouped = await query(h, 'SELECT StageName, COUNT(Id) FROM Opportunity');
  t.equal(ungrouped.status, 400);
  t.equal(ungrouped.body[0].errorCode, 'MALFORMED_QUERY');
  t.match(ungrouped.body[0].message, /Field must be grouped or aggregated: StageName/);
  // HAVING filters groups by an aggregate the SELECT list need not show (duplicate detection).
  const names = await adminRows(h, 'SELECT LastName FROM Contact');
  const perName = new Map<string, number>();
  for (const r of names) perName.set(r.LastName.toUpperCase(), (perName.get(r.LastName.toUpperCase()) ?? 0) + 1);
  const dupes = await query(h, 'SELECT LastName FROM Contact GROUP BY LastName HAVING COUNT(Id) > 1 AND LastName != null');
  t.equal(dupes.status, 200);
  t.same(dupes.body.records.map((r: any) => r.LastName.toUpperCase()).sort(), [...perName].filter(([, n]) => n > 1).map(([k]) => k).sort(), 'the groups with more than one row');
  t.same(Object.keys(dupes.body.records[0]), ['attributes', 'LastName'], 'HAVING aggregates are not printed');
  const notGrouped = await query(h, 'SELECT StageName FROM Opportunity GROUP BY StageName HAVING Name = null');
  t.equal(notGrouped.status, 400);
  t.match(notGrouped.body[0].message, /Field must be grouped or aggregated: Name/);
  // Date functions group like fields and are named like aggregates.
  const byYear = await query(h, 'SELECT CALENDAR_YEAR(CloseDate), COUNT(Id), MAX(Amount) top FROM Opportunity WHERE CloseDate != null GROUP BY CALENDAR_YEAR(CloseDate) ORDER BY CALENDAR_YEAR(CloseDate) DESC');
  t.equal(byYear.status, 200);
  const years = new Map<number, number>();
  for (const row of rows) if (row.CloseDate !== '') years.set(Number(row.CloseDate.slice(0, 4)), (years.get(Number(row.CloseDate.slice(0, 4))) ?? 0) + 1);
  t.same(byYear.body.records.map((r: any) => [r.expr0, r.expr1]), [...years].sort((a, b) => b[0] - a[0]), 'one group per year, newest first, counted');
  t.same(Object.keys(byYear.body.records[0]), ['attributes', 'expr0', 'expr1', 'top']);
  const badSum = await query(h, 'SELECT SUM(Name) FROM Opportunity');
  t.equal(badSum.status, 400);
  t.equal(badSum.body[0].errorCode, 'INVALID_FIELD');
});

t.test('OFFSET skips rows (up to 2,000); LIMIT counts after it', async (t) => {
  const h = await withEmulator(t);
  const ids = (await adminRows(h, 'SELECT Id FROM Account ORDER BY Name, Id')).map((r) => r.Id);
  const r = await query(h, 'SELECT Id FROM Account ORDER BY Name, Id LIMIT 5 OFFSET 7');
  t.same(r.body.records.map((x: any) => x.Id), ids.slice(7, 12));
  t.equal(r.body.totalSize, 5);
  const tail = await query(h, 'SELECT Id FROM Account ORDER BY Name, Id OFFSET 190');
  t.same(tail.body.records.map((x: any) => x.Id), ids.slice(190));
  const max = await query(h, 'SELECT Id FROM Account OFFSET 2000');
  t.same(max.body, { totalSize: 0, done: true, records: [] });
  const over = await query(h, 'SELECT Id FROM Account OFFSET 2001');
  t.equal(over.status, 400);
  t.same(over.body, [{ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', message: 'Maximum SOQL offset allowed is 2000' }]);
});

/** Walks a REST query to the end by nextRecordsUrl; answers every page's size and every record. */
async function walk(h: Harness, first: { status: number; body: any }, headers: Record<string, string> = {}) {
  const sizes: number[] = [];
  const records: any[] = [];
  let page = first;
  for (let i = 0; i < 100; i++) {
    t.equal(page.status, 200);
    sizes.push(page.body.records.length);
    records.push(...page.body.records);
    if (page.body.done) {
      t.notOk('nextRecordsUrl' in page.body, 'the last answer has no nextRecordsUrl');
      return { sizes, records, totalSize: first.body.totalSize };
    }
    t.match(page.body.nextRecordsUrl, new RegExp(`^/services/data/${API}/query/01g[a-zA-Z0-9]{15}-${records.length}$`));
    t.same(Object.keys(page.body), ['totalSize', 'done', 'nextRecordsUrl', 'records']);
    page = await h.json(page.body.nextRecordsUrl, { headers });
  }
  throw new Error('more than 100 pages');
}

t.test('a 5,000-row result is walked by nextRecordsUrl: 2,000 by default, batchSize from Sforce-Query-Options', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const accounts = Array.from({ length: 5000 }, (_, i) => ({ Name: `Paged ${String(i).padStart(4, '0')}`, NumberOfEmployees: i }));
  await h.admin('/seed', { method: 'POST', body: JSON.stringify({ records: { Account: accounts } }) });
  const soql = 'SELECT Id, Name, NumberOfEmployees FROM Account ORDER BY Name';
  const byDefault = await walk(h, await query(h, soql));
  t.same(byDefault.sizes, [2000, 2000, 1000]);
  t.equal(byDefault.totalSize, 5000);
  t.same(byDefault.records.map((r) => r.NumberOfEmployees), accounts.map((a) => a.NumberOfEmployees), 'every row once, in order');
  t.equal(new Set(byDefault.records.map((r) => r.Id)).size, 5000);

  const options = { 'Sforce-Query-Options': 'batchSize=700' };
  const small = await walk(h, await query(h, soql, { headers: options }), options);
  t.same(small.sizes, [700, 700, 700, 700, 700, 700, 700, 100]);
  const clamped = await walk(h, await query(h, soql, { headers: { 'Sforce-Query-Options': 'batchSize=5' } }));
  t.equal(clamped.sizes[0], 200, 'batchSize below 200 counts as 200');

  // queryAll pages the same way, deleted rows included; its locator also works under /queryAll/.
  const first = await query(h, soql, {}, 'queryAll');
  t.match(first.body.nextRecordsUrl, /\/query\/01g/);
  const viaAll = await h.json(first.body.nextRecordsUrl.replace('/query/', '/queryAll/'));
  t.equal(viaAll.status, 200);
  t.equal(viaAll.body.records[0].NumberOfEmployees, 2000);

  const unknown = await h.json(`query/01g000000000000AAA-2000`);
  t.equal(unknown.status, 400);
  t.equal(unknown.body[0].errorCode, 'INVALID_QUERY_LOCATOR');
  // A cursor idle for 15 minutes of the emulator's clock has expired.
  const open = await query(h, soql);
  await h.advanceClock(15 * 60);
  t.equal((await h.json(open.body.nextRecordsUrl)).status, 400, 'an idle cursor expires');
});

t.test('Bulk query jobs keep their refusals', async (t) => {
  const h = await withEmulator(t);
  const refusals: [string, string][] = [
    ['SELECT Id, BillingAddress FROM Account', 'Selecting compound data not supported in Bulk Query'],
    ['SELECT count() FROM Account', 'Aggregate Relationships not supported in Bulk V2 Query with CSV content type'],
    ['SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry', 'Aggregate Relationships not supported in Bulk V2 Query with CSV content type'],
    ['SELECT Id FROM Account LIMIT 5 OFFSET 2', 'OFFSET clause not supported in Bulk V2 Query with CSV content type'],
    ['SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry HAVING COUNT(Id) > 1', 'Aggregate Relationships not supported in Bulk V2 Query with CSV content type'],
    ['SELECT COUNT(Id) FROM Account GROUP BY CALENDAR_YEAR(CreatedDate)', 'Aggregate Relationships not supported in Bulk V2 Query with CSV content type'],
  ];
  for (const [soql, message] of refusals) {
    const r = await h.json('jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: soql }) });
    t.equal(r.status, 400, soql);
    t.same(r.body, [{ errorCode: 'API_ERROR', message }], soql);
  }
  const fn = await h.json('jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: 'SELECT toLabel(Industry) FROM Account' }) });
  t.equal(fn.status, 400);
  t.equal(fn.body[0].errorCode, 'MALFORMED_QUERY', 'a function in the SELECT list stays a syntax error for Bulk');
  t.match(fn.body[0].message, /unexpected token: '\('/);
});

t.test('jsforce: find() without a field list, SObject.count() and autoFetch paging', async (t) => {
  const { Connection } = await import('jsforce');
  const h = await withEmulator(t);
  const conn = new Connection({ instanceUrl: h.url, accessToken: h.token, version: API.slice(1) });
  const counts = await h.admin('/counts');
  t.equal(await conn.sobject('Account').count(), counts.Account.live, 'SObject.count()');
  t.equal(await conn.sobject('Contact').count({ LastName: { $like: 'K%' } }), (await adminRows(h, "SELECT Id FROM Contact WHERE LastName LIKE 'K%'")).length);
  const records = await conn.sobject('Account').find({}).limit(5);
  t.equal(records.length, 5, 'find() selects every described field, compound ones included');
  t.type(records[0].BillingAddress, 'object');
  t.equal(records[0].attributes?.type, 'Account');
  const all = await conn.query('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 100_000, headers: { 'Sforce-Query-Options': 'batchSize=200' } });
  t.ok(counts.Contact.live > 200, 'more than one batch');
  t.equal(all.records.length, counts.Contact.live, 'autoFetch follows nextRecordsUrl to the end');
  t.equal(new Set(all.records.map((r: any) => r.Id)).size, counts.Contact.live);
});

t.test('valid REST SOQL the emulator does not evaluate is refused plainly, never answered wrongly', async (t) => {
  const h = await withEmulator(t);
  for (const [soql, what] of [
    ['SELECT Id, (SELECT Id FROM Contacts) FROM Account', 'parent-to-child subqueries'],
    ['SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY COUNT(Id) DESC', 'ORDER BY an aggregate function'],
    ['SELECT Industry, COUNT(Id) FROM Account GROUP BY ROLLUP(Industry)', 'GROUP BY ROLLUP'],
    ['SELECT CALENDAR_YEAR(CreatedDate) FROM Account', 'date functions outside aggregate queries'],
    ['SELECT toLabel(Industry) FROM Account', 'toLabel()'],
  ]) {
    const r = await query(h, soql);
    t.equal(r.status, 400, soql);
    t.same(r.body, [{ errorCode: 'API_ERROR', message: `salesforce-bulk-emulator does not support ${what} in REST queries` }], soql);
  }
  const unbounded = await query(h, 'SELECT FIELDS(ALL) FROM Account');
  t.equal(unbounded.status, 400, 'FIELDS(ALL) needs a LIMIT of at most 200');
  t.equal(unbounded.body[0].errorCode, 'MALFORMED_QUERY');
  t.equal((await query(h, 'SELECT FIELDS(ALL) FROM Account LIMIT 100')).body.records.length, 100);
  t.equal((await query(h, 'SELECT MAX(AnnualRevenue) FROM Account LIMIT 1')).status, 400, 'no LIMIT on an aggregate without GROUP BY');
  t.equal((await query(h, 'SELECT count() FROM Account LIMIT 5')).body.totalSize, 5, 'count() takes a LIMIT');
  const alias = await query(h, 'SELECT Name n FROM Account');
  t.equal(alias.status, 400, 'an alias outside an aggregate query is a syntax error');
  t.equal(alias.body[0].errorCode, 'MALFORMED_QUERY');
  t.match(alias.body[0].message, /unexpected token: 'n'/);
});

t.test('GET /sobjects/{type}/{id} prints the record as the REST query does, compounds included', async (t) => {
  const h = await withEmulator(t);
  const [first] = (await query(h, 'SELECT Id FROM Account WHERE BillingCity != null ORDER BY Id LIMIT 1')).body.records;
  const full = await h.json(`sobjects/Account/${first.Id}`);
  t.equal(full.status, 200);
  const viaQuery = (await query(h, `SELECT Id, Name, BillingAddress, NumberOfEmployees, CreatedDate FROM Account WHERE Id = '${first.Id}'`)).body.records[0];
  for (const k of ['attributes', 'Id', 'Name', 'BillingAddress', 'NumberOfEmployees', 'CreatedDate']) t.same(full.body[k], viaQuery[k], k);
  t.type(full.body.BillingAddress, 'object');
  const some = await h.json(`sobjects/Account/${first.Id}?fields=Name,AnnualRevenue`);
  t.same(Object.keys(some.body), ['attributes', 'Name', 'AnnualRevenue']);
  const bad = await h.json(`sobjects/Account/${first.Id}?fields=Name,Nope__c`);
  t.equal(bad.status, 400);
  t.equal(bad.body[0].errorCode, 'INVALID_FIELD');
  const { Connection } = await import('jsforce');
  const conn = new Connection({ instanceUrl: h.url, accessToken: h.token, version: API.slice(1) });
  const retrieved = (await conn.sobject('Account').retrieve(first.Id)) as unknown as Record<string, unknown>;
  t.equal(retrieved.Id, first.Id, 'jsforce retrieve()');
});
