// Comparisons in WHERE as Salesforce evaluates them, over real HTTP through a Bulk query job and the REST query
// resource: a literal equals a stored value of every field type whatever its spelling (`=`, `!=`, `IN`, `NOT IN`
// agree with each other), and Ids compare and order by their 15-character case-sensitive form, so an 18- and a
// 15-character literal of one record are equal and `Id > X` never returns X.
import t, { type Test } from 'tap';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';
import { to18 } from '../../src/emulator/ids.js';

async function bulkNames(h: Harness, soql: string): Promise<string[]> {
  const created = await h.json('jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: soql }) });
  if (created.status !== 200) throw new Error(`${soql}: ${created.status} ${JSON.stringify(created.body)}`);
  const info = await h.waitFor(`jobs/query/${created.body.id}`);
  if (info.state !== 'JobComplete') throw new Error(`${soql}: job ended ${info.state}: ${info.errorMessage}`);
  const rows = csvRows(await (await h.call(`jobs/query/${created.body.id}/results`)).text());
  return rows.slice(1).map((r) => r[0]!);
}

async function restNames(h: Harness, soql: string): Promise<string[]> {
  const r = await h.json(`query?q=${encodeURIComponent(soql)}`);
  if (r.status !== 200) throw new Error(`${soql}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.records.map((x: any) => x.Name);
}

/** Names matched by `where`, asserted to be the same through a Bulk query job and REST. */
async function matched(t: Test, h: Harness, object: string, where: string): Promise<string[]> {
  const soql = `SELECT Name FROM ${object} WHERE ${where} ORDER BY Name`;
  const [bulk, rest] = await Promise.all([bulkNames(h, soql), restNames(h, soql)]);
  t.same(rest, bulk, `REST and Bulk agree on ${where}`);
  return bulk;
}

const ROWS = [
  { Name: 'one', D__c: '2026-01-01', DT__c: '2026-01-01T00:00:00.000Z', Tm__c: '10:00:00.000Z', N__c: 1.5, I__c: 3, C__c: 2.25, P__c: 10, B__c: true, S__c: 'Abc', M__c: 'a;b', Pk__c: 'X', E__c: 'a@b.co' },
  { Name: 'two', D__c: '2026-01-02', DT__c: '2026-01-01T00:00:01.000Z', Tm__c: '11:00:00.000Z', N__c: 2, I__c: 4, C__c: 3, P__c: 11, B__c: false, S__c: 'x', M__c: 'c', Pk__c: 'Y', E__c: 'c@d.co' },
  { Name: 'three' },
];

t.test('a literal equals the stored value of every type, in each spelling SOQL allows', async (t) => {
  const h = await withEmulator(t, {
    seed: {
      base: 'empty',
      objects: [{
        name: 'T__c',
        fields: [
          { name: 'D__c', type: 'date' }, { name: 'DT__c', type: 'datetime' }, { name: 'Tm__c', type: 'time' },
          { name: 'N__c', type: 'double' }, { name: 'I__c', type: 'int' }, { name: 'C__c', type: 'currency' }, { name: 'P__c', type: 'percent' },
          { name: 'B__c', type: 'boolean' }, { name: 'S__c', type: 'string', length: 20 },
          { name: 'M__c', type: 'multipicklist', picklistValues: ['a', 'b', 'c'] }, { name: 'Pk__c', type: 'picklist', picklistValues: ['X', 'Y'] },
          { name: 'E__c', type: 'email' },
        ],
      }],
      records: { T__c: ROWS },
    },
  });
  // Each literal names row "one"; `=` and `IN` find it alone, `!=` and `NOT IN` every other row with a value
  // (SOQL's `!=` keeps nulls, `NOT IN` too).
  const literals: [string, string][] = [
    ['D__c', '2026-01-01'],
    ['DT__c', '2026-01-01T00:00:00.000Z'], ['DT__c', '2026-01-01T00:00:00Z'], ['DT__c', '2026-01-01T01:00:00+01:00'], ['DT__c', '2025-12-31T19:00:00-05:00'],
    ['Tm__c', "'10:00:00.000Z'"], ['Tm__c', "'10:00:00Z'"], ['Tm__c', "'10:00:00'"], ['Tm__c', "'10:00'"],
    ['N__c', '1.5'], ['N__c', '1.50'], ['I__c', '3'], ['I__c', '3.0'], ['C__c', '2.25'], ['P__c', '10'], ['P__c', '10.0'],
    ['B__c', 'true'], ['B__c', 'TRUE'], ['S__c', "'abc'"], ['M__c', "'b;a'"], ['Pk__c', "'x'"], ['E__c', "'A@B.CO'"], ['Name', "'ONE'"],
  ];
  for (const [field, lit] of literals) {
    t.same(await matched(t, h, 'T__c', `${field} = ${lit}`), ['one'], `${field} = ${lit}`);
    t.same(await matched(t, h, 'T__c', `${field} IN (${lit})`), ['one'], `${field} IN (${lit})`);
    const others = ['three', 'two'];
    t.same(await matched(t, h, 'T__c', `${field} != ${lit}`), others, `${field} != ${lit}`);
    t.same(await matched(t, h, 'T__c', `${field} NOT IN (${lit})`), others, `${field} NOT IN (${lit})`);
  }
  t.same(await matched(t, h, 'T__c', "Tm__c > '10:00:00Z'"), ['two'], 'a short time literal orders like the stored form');
  t.same(await matched(t, h, 'T__c', "Tm__c >= '10:00:00Z'"), ['one', 'two']);
  t.same(await matched(t, h, 'T__c', 'DT__c > 2026-01-01T00:00:00Z'), ['two']);
  t.same(await matched(t, h, 'T__c', 'DT__c <= 2026-01-01T01:00:00+01:00'), ['one']);
  t.same(await matched(t, h, 'T__c', '(DT__c = 2026-01-01T00:00:00.000Z AND N__c = 1.5) OR DT__c > 2026-01-01T00:00:00.000Z'), ['one', 'two'],
    'the resume condition of an incremental extract');
});

t.test('Ids compare and order by their 15-character case-sensitive form, whether the literal has 15 or 18', async (t) => {
  // Four Ids that differ only in the case of two letters, in their case-sensitive order.
  const short = ['0010000000000AB', '0010000000000Ab', '0010000000000aB', '0010000000000ab'];
  const ids = short.map(to18);
  const h = await withEmulator(t, { seed: { base: 'empty', records: { Account: ids.map((Id, i) => ({ Id, Name: `n${i}` })) } } });
  const names = (from: number, to: number) => ['n0', 'n1', 'n2', 'n3'].slice(from, to);
  for (let i = 0; i < ids.length; i++) {
    for (const lit of [ids[i], short[i]]) {
      t.same(await matched(t, h, 'Account', `Id = '${lit}'`), [`n${i}`], `Id = ${lit}`);
      t.same(await matched(t, h, 'Account', `Id != '${lit}'`), names(0, 4).filter((n) => n !== `n${i}`), `Id != ${lit}`);
      t.same(await matched(t, h, 'Account', `Id > '${lit}'`), names(i + 1, 4), `Id > ${lit} never returns the row itself`);
      t.same(await matched(t, h, 'Account', `Id >= '${lit}'`), names(i, 4), `Id >= ${lit}`);
      t.same(await matched(t, h, 'Account', `Id < '${lit}'`), names(0, i), `Id < ${lit}`);
      t.same(await matched(t, h, 'Account', `Id <= '${lit}'`), names(0, i + 1), `Id <= ${lit}`);
    }
  }
  t.same(await matched(t, h, 'Account', `Id IN ('${ids[0]}', '${short[2]}')`), ['n0', 'n2'], 'IN mixes 18- and 15-character literals');
  t.same(await matched(t, h, 'Account', `Id NOT IN ('${short[0]}', '${ids[2]}')`), ['n1', 'n3']);
  t.same(await matched(t, h, 'Account', `(Name = 'n1' AND Id > '${ids[1]}') OR Name > 'n1'`), ['n2', 'n3'], 'the resume condition of a keyed extract');
  const ordered = await bulkNames(h, 'SELECT Name FROM Account ORDER BY Id');
  t.same(ordered, names(0, 4), 'ORDER BY Id agrees with the comparisons');
});
