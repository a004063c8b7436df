import t from 'tap';
import { isValidId, makeId } from '../../src/emulator/ids.js';
import { createOrgStore, ID_COUNTER_BASE, MemoryOrgStore, normalizeId, StoreError } from '../../src/emulator/org/store.js';
import type { Row } from '../../src/emulator/org/types.js';

const T0 = Date.UTC(2025, 0, 1);
const T1 = T0 + 60_000;
const T2 = T0 + 120_000;

function store(): MemoryOrgStore {
  return createOrgStore({ now: T0 - 86_400_000 });
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof StoreError ? e.code : `not a StoreError: ${String(e)}`;
  }
  return undefined;
}

t.test('the running user and the org', async (t) => {
  const s = store();
  t.ok(isValidId(s.orgId));
  t.ok(s.orgId.startsWith('00D'));
  t.equal(s.orgId.length, 18);
  t.ok(s.user.id.startsWith('005'));
  const u = s.table('User')!.get(s.user.id)!;
  t.match(u, { Username: s.user.username, Email: s.user.email, Name: 'Ada Admin', IsActive: true, CreatedById: s.user.id });
  t.equal(u.IsDeleted, undefined, 'users have no IsDeleted');
  t.equal(s.settings.hardDeleteAllowed, false);
  t.equal(s.settings.dailyBulkIngestRecords, 150_000_000);
  t.equal(s.table('account'), s.table('Account'), 'table names are case-insensitive');
  t.equal(s.table('RecordType'), undefined, 'listed objects without records have no table');
  t.equal(s.type('Opportunity')!.name, 'Opportunity');
  t.equal(s.globalList().length, 788);
  t.same(s.types().map((x) => x.name), ['Account', 'Case', 'Contact', 'Invoice__c', 'Lead', 'Opportunity', 'User']);
});

t.test('insert assigns id, audit fields, owner and describe defaults', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  const a = accounts.insert({ Name: 'Acme', AnnualRevenue: 100 }, T1);
  t.equal(typeof a.Id, 'string');
  t.ok(isValidId(a.Id as string));
  t.equal((a.Id as string).length, 18);
  t.ok((a.Id as string).startsWith('001'));
  t.equal(a.Id, makeId('001', ID_COUNTER_BASE), 'same ids as makeId');
  t.match(a, {
    Name: 'Acme',
    AnnualRevenue: 100,
    IsDeleted: false,
    CreatedDate: T1,
    LastModifiedDate: T1,
    SystemModstamp: T1,
    CreatedById: s.user.id,
    LastModifiedById: s.user.id,
    OwnerId: s.user.id,
    IsPartner: false,
  });
  t.equal(a.Description ?? null, null, 'a missing field reads as null');
  const b = accounts.insert({ Name: 'Beta', OwnerId: a.OwnerId }, T1);
  t.not(a.Id, b.Id);
  t.equal(accounts.count(), 2);

  const c = s.table('Case')!.insert({ Subject: 'Help' }, T1);
  t.match(c, { Status: 'New', Priority: 'Medium', IsEscalated: false, IsClosed: false, CaseNumber: '00001001' });
  t.equal(s.table('Case')!.insert({ Subject: 'Again' }, T1).CaseNumber, '00001002', 'auto number');
  const closed = s.table('Case')!.insert({ Subject: 'x', Status: 'Closed' }, T2);
  t.match(closed, { IsClosed: true, ClosedDate: T2 });

  const inv = s.table('Invoice__c')!.insert({ Account__c: a.Id, Amount__c: 10 }, T1);
  t.ok((inv.Id as string).startsWith('a0B'));
  t.match(inv, { Status__c: 'Draft', Paid__c: false, Name: inv.Id, OwnerId: s.user.id });

  const con = s.table('Contact')!.insert({ FirstName: 'Wile E.', LastName: 'Coyote', AccountId: a.Id }, T1);
  t.equal(con.Name, 'Wile E. Coyote');

  const opp = s.table('Opportunity')!.insert({ Name: 'Deal', StageName: 'Negotiation/Review', CloseDate: '2025-08-20' }, T1);
  t.match(opp, { Probability: 90, IsClosed: false, IsWon: false, ForecastCategoryName: 'Pipeline', FiscalYear: 2025, FiscalQuarter: 3, Fiscal: '2025 3' });
  const won = s.table('Opportunity')!.update(opp.Id as string, { StageName: 'Closed Won' }, T2);
  t.match(won, { Probability: 100, IsClosed: true, IsWon: true, ForecastCategoryName: 'Closed', ForecastCategory: 'Closed' });

  const lead = s.table('Lead')!.insert({ LastName: 'Lee', Company: 'L Co' }, T1);
  t.match(lead, { Status: 'Open - Not Contacted', IsConverted: false, Name: 'Lee' });
});

t.test('insert refuses unknown and compound fields', async (t) => {
  const s = store();
  t.equal(code(() => s.table('Account')!.insert({ Name: 'x', Bogus__c: 1 }, T1)), 'INVALID_FIELD');
  t.equal(code(() => s.table('Account')!.insert({ Name: 'x', BillingAddress: 'x' }, T1)), 'INVALID_FIELD');
  t.equal(s.table('Account')!.count(), 0, 'nothing stored after a refusal');
  const ok = s.table('Account')!.insert({ name: 'lower-case key', annualrevenue: 5 }, T1);
  t.match(ok, { Name: 'lower-case key', AnnualRevenue: 5 }, 'keys are canonicalized');
  t.notOk('name' in ok);
});

t.test('update replaces the row; the old row is untouched', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  const a = accounts.insert({ Name: 'Acme', Phone: '555', AnnualRevenue: 1 }, T1);
  const snapshot = { ...a };
  const b = accounts.update(a.Id as string, { Name: 'Acme 2', Phone: null }, T2);
  t.not(a, b, 'a new object');
  t.same(a, snapshot, 'the old row did not change');
  t.match(b, { Id: a.Id, Name: 'Acme 2', AnnualRevenue: 1, CreatedDate: T1, LastModifiedDate: T2, SystemModstamp: T2 });
  t.equal(b.Phone ?? null, null, 'null clears');
  t.equal(accounts.get(a.Id as string), b);
  t.equal(accounts.count(), 1);
  t.equal(code(() => accounts.update(makeId('001', 999), { Name: 'x' }, T2)), 'NOT_FOUND');
  t.equal(code(() => accounts.update(a.Id as string, { Nope: 'x' }, T2)), 'INVALID_FIELD');
  t.equal(accounts.get(a.Id as string), b, 'a refused update changes nothing');
  const c = accounts.update(a.Id as string, { Id: makeId('001', 5) }, T2);
  t.equal(c.Id, a.Id, 'the Id cannot change');
});

t.test('rows of one write pattern share one shape (hidden class)', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  for (let i = 0; i < 50; i++) accounts.insert({ Name: `A${i}`, Phone: i % 2 ? '1' : null, AnnualRevenue: i }, T1);
  t.equal(accounts.shapes(), 1, 'nulls are kept as properties so the shape does not vary');
  for (const r of accounts.scan(false)) t.same(Object.keys(r), Object.keys(accounts.get(accounts.scan(false)[Symbol.iterator]().next().value!.Id as string)!));
});

t.test('soft delete, then hard delete', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  const a = accounts.insert({ Name: 'A', External_Id__c: 'X-1' }, T1);
  const b = accounts.insert({ Name: 'B' }, T1);
  t.equal(accounts.findBy('External_Id__c', 'x-1').length, 1);
  accounts.softDelete(a.Id as string, T2);
  const d = accounts.get(a.Id as string)!;
  t.match(d, { IsDeleted: true, SystemModstamp: T2, LastModifiedDate: T1 });
  t.equal(a.IsDeleted, false, 'the old row object is untouched');
  t.equal(accounts.count(), 1);
  t.equal(accounts.count(true), 2);
  t.same([...accounts.scan(false)].map((r) => r.Id), [b.Id]);
  t.same([...accounts.scan(true)].map((r) => r.Id), [a.Id, b.Id]);
  t.same(accounts.findBy('External_Id__c', 'X-1'), [], 'findBy sees live rows only');
  t.same(accounts.findBy('Id', a.Id as string), [], 'also by Id');
  t.equal(code(() => accounts.update(a.Id as string, { Name: 'x' }, T2)), 'ENTITY_IS_DELETED');
  t.equal(code(() => accounts.softDelete(a.Id as string, T2)), 'ENTITY_IS_DELETED');
  const again = accounts.insert({ Name: 'A again', External_Id__c: 'X-1' }, T2);
  t.equal(accounts.findBy('External_Id__c', 'X-1')[0].Id, again.Id, 'a deleted row does not hold a unique value');

  accounts.hardDelete(a.Id as string);
  t.equal(accounts.get(a.Id as string), undefined);
  t.equal(accounts.count(true), 2);
  accounts.hardDelete(b.Id as string);
  t.equal(accounts.count(), 1);
  t.equal(code(() => accounts.hardDelete(b.Id as string)), 'NOT_FOUND');
  t.equal(code(() => s.table('User')!.softDelete(s.user.id, T2)), 'INVALID_OPERATION', 'users cannot be deleted');

  const restored = s.table('Account')!.insert({ Name: 'R' }, T1);
  s.table('Account')!.softDelete(restored.Id as string, T2);
  t.match(s.table('Account')!.undelete(restored.Id as string, T2 + 1), { IsDeleted: false, SystemModstamp: T2 + 1 });
});

t.test('findBy: case-insensitive, index built lazily and maintained', async (t) => {
  const s = store();
  const contacts = s.table('Contact')!;
  const a = contacts.insert({ LastName: 'A', Email: 'Ann@Example.com', External_Id__c: 'c-1' }, T1);
  const b = contacts.insert({ LastName: 'B', Email: 'ann@example.com' }, T1);
  t.same(contacts.findBy('email', 'ANN@EXAMPLE.COM').map((r) => r.Id), [a.Id, b.Id], 'idLookup text: case-insensitive, several matches');
  const c = contacts.insert({ LastName: 'C', Email: 'ANN@example.com', External_Id__c: 'C-2' }, T1);
  t.equal(contacts.findBy('Email', 'ann@example.com').length, 3, 'index maintained on insert');
  contacts.update(a.Id as string, { Email: 'other@example.com' }, T2);
  t.same(contacts.findBy('Email', 'ann@example.com').map((r) => r.Id), [b.Id, c.Id], 'maintained on update');
  t.same(contacts.findBy('Email', 'OTHER@example.com').map((r) => r.LastName), ['A']);
  t.equal(contacts.findBy('Email', 'other@example.com')[0].LastModifiedDate, T2, 'returns the current row');
  contacts.hardDelete(b.Id as string);
  t.same(contacts.findBy('Email', 'ann@example.com').map((r) => r.Id), [c.Id], 'maintained on hard delete');
  t.same(contacts.findBy('External_Id__c', 'C-1').map((r) => r.Id), [a.Id]);
  t.same(contacts.findBy('External_Id__c', ''), [], 'blank matches nothing');
  t.same(contacts.findBy('Id', (a.Id as string).slice(0, 15)).map((r) => r.Id), [a.Id]);
  t.equal(code(() => contacts.findBy('Nope', 'x')), 'INVALID_FIELD');
});

t.test('unique fields refuse duplicates (case-insensitively)', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  const a = accounts.insert({ Name: 'A', External_Id__c: 'ACME-1' }, T1);
  let err: unknown;
  try {
    accounts.insert({ Name: 'B', External_Id__c: 'acme-1' }, T1);
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof StoreError);
  t.match(err, { code: 'DUPLICATE_VALUE', fields: ['External_Id__c'], existingId: a.Id });
  t.match((err as Error).message, `duplicate value found: External_Id__c duplicates value on record with id: ${a.Id}`);
  t.equal(accounts.count(), 1);
  const b = accounts.insert({ Name: 'B', External_Id__c: 'ACME-2' }, T1);
  t.equal(code(() => accounts.update(b.Id as string, { External_Id__c: 'Acme-1' }, T2)), 'DUPLICATE_VALUE');
  t.equal(accounts.get(b.Id as string)!.External_Id__c, 'ACME-2');
  t.equal(accounts.update(a.Id as string, { External_Id__c: 'ACME-1', Name: 'same value is fine' }, T2).Name, 'same value is fine');
  t.equal(accounts.findBy('External_Id__c', 'acme-2')[0].Id, b.Id);
});

t.test('ids: 15 and 18 characters, any case of an 18-character id, typeOfId', async (t) => {
  const s = store();
  const a = s.table('Account')!.insert({ Name: 'A' }, T1);
  const id = a.Id as string;
  t.equal(s.table('Account')!.get(id.slice(0, 15)), a);
  t.equal(s.table('Account')!.get(id.toLowerCase()), a, '18-character ids are case-insensitive');
  t.equal(s.table('Account')!.get(id.toUpperCase()), a);
  t.equal(s.table('Account')!.get(id.slice(0, 15).toLowerCase()), undefined, '15-character ids are case-sensitive');
  t.equal(s.table('Account')!.get('001xx'), undefined);
  t.equal(normalizeId(id.toLowerCase()), id);
  t.equal(normalizeId('nonsense'), undefined);
  t.equal(s.typeOfId(id)!.name, 'Account');
  t.equal(s.typeOfId(s.user.id)!.name, 'User');
  t.equal(s.typeOfId('a0B5g00000A0000AAA')!.name, 'Invoice__c');
  t.equal(s.typeOfId('012000000000000AAA'), undefined, 'RecordType has no table');
});

t.test('load keeps rows exactly and moves the id counter past them', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  const id = makeId('001', ID_COUNTER_BASE + 10);
  const row: Row = { Id: id, Name: 'Loaded', IsDeleted: false, CreatedDate: 5, LastModifiedDate: 6, SystemModstamp: 7, OwnerId: s.user.id };
  accounts.load(row);
  t.same(accounts.get(id), row);
  const next = accounts.insert({ Name: 'Next' }, T1);
  t.equal(next.Id, makeId('001', ID_COUNTER_BASE + 11));
  const foreign = makeId('001', 3, 'abc');
  accounts.load({ Id: foreign, Name: 'Other pod', IsDeleted: true });
  t.equal(accounts.get(foreign)!.Name, 'Other pod');
  t.equal(accounts.count(), 2);
  t.equal(accounts.count(true), 3);
  t.equal(code(() => accounts.load({ Id: id, Name: 'dup' })), 'DUPLICATE_ID');
  t.equal(code(() => accounts.load({ Id: makeId('003', 1), Name: 'wrong type' })), 'MALFORMED_ID');
  t.equal(code(() => accounts.load({ Name: 'no id' })), 'MALFORMED_ID');
});

t.test('scan: insertion order, one result object, snapshot of the length', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(accounts.insert({ Name: `N${i}` }, T1).Id as string);
  accounts.update(ids[3], { Name: 'changed' }, T2);
  accounts.hardDelete(ids[5]);
  const it = accounts.scan(false)[Symbol.iterator]();
  const first = it.next();
  const second = it.next();
  t.equal(first, second, 'the iterator result object is reused (no allocation per row)');
  const seen = [...accounts.scan(false)];
  t.same(seen.map((r) => r.Id), ids.filter((_, i) => i !== 5));
  t.equal(seen[3].Name, 'changed', 'an update keeps the position');
  const iter = accounts.scan(false)[Symbol.iterator]();
  iter.next();
  accounts.insert({ Name: 'late' }, T2);
  let n = 1;
  while (!iter.next().done) n++;
  t.equal(n, 9, 'rows inserted during a scan are not part of it');
});

t.test('hard deletes compact the table', async (t) => {
  const s = store();
  const accounts = s.table('Account')!;
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push(accounts.insert({ Name: `N${i}`, External_Id__c: `E${i}` }, T1).Id as string);
  t.equal(accounts.findBy('External_Id__c', 'e4999').length, 1);
  const scanBefore = accounts.scan(true);
  for (let i = 0; i < 4000; i++) accounts.hardDelete(ids[i]);
  t.equal(accounts.count(true), 1000);
  t.same([...accounts.scan(true)].map((r) => r.Id), ids.slice(4000));
  t.equal(accounts.get(ids[4500])!.Name, 'N4500');
  t.equal(accounts.get(ids[10]), undefined);
  t.equal(accounts.findBy('External_Id__c', 'E4999')[0].Id, ids[4999]);
  t.same(accounts.findBy('External_Id__c', 'E1'), []);
  t.ok([...scanBefore].length >= 1000, 'a scan started before compaction still works');
  accounts.update(ids[4999], { Name: 'after' }, T2);
  t.equal(accounts.get(ids[4999])!.Name, 'after');
});
