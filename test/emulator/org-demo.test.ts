import t from 'tap';
import { isValidId } from '../../src/emulator/ids.js';
import { createDemoOrg, DEMO_BASE_COUNTS, demoCounts } from '../../src/emulator/org/demo-org.js';
import { activePicklistValues } from '../../src/emulator/org/metadata.js';
import type { MemoryOrgStore } from '../../src/emulator/org/store.js';
import type { Row } from '../../src/emulator/org/types.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const demo = createDemoOrg({ now: NOW });

function rows(s: MemoryOrgStore, name: string, includeDeleted = true): Row[] {
  return [...s.table(name)!.scan(includeDeleted)];
}

t.test('counts at scale 1, scaling and overrides', async (t) => {
  for (const [name, n] of Object.entries(DEMO_BASE_COUNTS)) t.equal(demo.table(name)!.count(true), n, name);
  t.same(demoCounts(3), { User: 15, Account: 600, Contact: 1200, Opportunity: 900, Lead: 450, Case: 300, Invoice__c: 600 });
  t.equal(demoCounts(0.001).User, 1, 'always a user');
  t.match(demoCounts(2, { Account: 7 }), { Account: 7, Contact: 800 });
  const small = createDemoOrg({ now: NOW, counts: { Account: 20, Contact: 5, Opportunity: 0, Lead: 0, Case: 3, Invoice__c: 4 } });
  t.match(
    Object.fromEntries(small.types().map((x) => [x.name, small.table(x.name)!.count(true)])),
    { Account: 20, Contact: 5, Opportunity: 0, Lead: 0, Case: 3, Invoice__c: 4, User: 5 },
  );
});

t.test('settings, rules and running user of the demo org', async (t) => {
  t.equal(demo.settings.hardDeleteAllowed, true);
  t.equal(demo.settings.dailyApiRequests, 15000);
  t.match(demo.type('Account')!.validationRules, [
    { errorWhen: 'AnnualRevenue < 0', errorMessage: 'Annual revenue cannot be negative', errorField: 'AnnualRevenue', active: true },
  ]);
  t.match(demo.type('Invoice__c')!.validationRules, [{ errorWhen: 'Amount__c < 0', errorMessage: 'Amount must not be negative' }]);
  t.same(demo.type('Contact')!.validationRules, []);
  t.equal(demo.user.username, 'admin@emulator.local');
  t.ok(demo.table('User')!.get(demo.user.id));
});

t.test('deterministic: same now and counts give the same org', async (t) => {
  const again = createDemoOrg({ now: NOW });
  for (const type of demo.types()) t.same(rows(again, type.name), rows(demo, type.name), type.name);
  const other = createDemoOrg({ now: NOW + 86_400_000 });
  t.notSame(rows(other, 'Account')[0].CreatedDate, rows(demo, 'Account')[0].CreatedDate, 'another now moves the dates');
  t.same(rows(other, 'Account').map((r) => r.Name), rows(demo, 'Account').map((r) => r.Name), 'but not the values');
});

t.test('ids are valid, unique and carry the object key prefix', async (t) => {
  const all = new Set<string>();
  for (const type of demo.types()) {
    for (const r of rows(demo, type.name)) {
      const id = r.Id as string;
      if (!isValidId(id) || id.length !== 18 || !id.startsWith(type.keyPrefix) || all.has(id)) {
        t.fail(`bad id ${id} on ${type.name}`);
      }
      all.add(id);
      if (demo.typeOfId(id) !== demo.type(type.name)) t.fail(`typeOfId(${id})`);
    }
  }
  t.equal(all.size, Object.values(DEMO_BASE_COUNTS).reduce((a, b) => a + b, 0));
});

t.test('referential integrity: every reference names a real record of an allowed type', async (t) => {
  let refs = 0;
  for (const type of demo.types()) {
    const refFields = type.fields.filter((f) => f.type === 'reference');
    for (const r of rows(demo, type.name)) {
      for (const f of refFields) {
        const v = r[f.name];
        if (v === null || v === undefined) continue;
        const target = demo.typeOfId(v as string);
        if (!target) {
          if (f.name !== 'ProfileId') t.fail(`${type.name}.${f.name} = ${String(v)}: unknown type`);
          continue;
        }
        refs++;
        if (!f.referenceTo.includes(target.name)) t.fail(`${type.name}.${f.name} points at a ${target.name}`);
        const parent = demo.table(target.name)!.get(v as string);
        if (!parent) t.fail(`${type.name}.${f.name} = ${String(v)} does not exist`);
        else if (r.IsDeleted !== true && parent.IsDeleted === true && !f.name.endsWith('ById') && f.name !== 'OwnerId') {
          t.fail(`live ${type.name} ${String(r.Id)} points at deleted ${target.name} ${String(v)} via ${f.name}`);
        }
      }
    }
  }
  t.ok(refs > 5000, `${refs} references checked`);
  for (const c of rows(demo, 'Case')) {
    if (c.ContactId) t.equal(demo.table('Contact')!.get(c.ContactId as string)!.AccountId ?? null, c.AccountId ?? null, 'case account = contact account');
  }
  for (const i of rows(demo, 'Invoice__c')) if (!i.Account__c) t.fail('Invoice__c.Account__c is required');
});

t.test('skew: some accounts have many children', async (t) => {
  const children = new Map<string, number>();
  for (const name of ['Contact', 'Opportunity', 'Case']) {
    for (const r of rows(demo, name)) if (r.AccountId) children.set(r.AccountId as string, (children.get(r.AccountId as string) ?? 0) + 1);
  }
  for (const r of rows(demo, 'Invoice__c')) children.set(r.Account__c as string, (children.get(r.Account__c as string) ?? 0) + 1);
  const counts = [...children.values()].sort((a, b) => b - a);
  const mean = counts.reduce((a, b) => a + b, 0) / DEMO_BASE_COUNTS.Account;
  t.ok(counts[0] > 10 * mean, `busiest account has ${counts[0]} children (mean ${mean.toFixed(1)})`);
});

t.test('timestamps: CreatedDate <= LastModifiedDate <= SystemModstamp <= now, within two years', async (t) => {
  let bad = 0;
  for (const type of demo.types()) {
    for (const r of rows(demo, type.name)) {
      const c = r.CreatedDate as number;
      const m = r.LastModifiedDate as number;
      const s = r.SystemModstamp as number;
      if (!(c <= m && m <= s && s <= NOW && c >= NOW - 732 * 86_400_000 && c % 1000 === 0)) bad++;
    }
  }
  t.equal(bad, 0);
  const created = rows(demo, 'Account').map((r) => r.CreatedDate as number);
  t.same(created, [...created].sort((a, b) => a - b), 'accounts are created in id order');
});

t.test('about 1% soft-deleted, users never', async (t) => {
  let total = 0;
  let deleted = 0;
  for (const type of demo.types()) {
    const tb = demo.table(type.name)!;
    total += tb.count(true);
    deleted += tb.count(true) - tb.count(false);
  }
  t.ok(deleted >= 3 && deleted <= 40, `${deleted} of ${total} deleted`);
  t.equal(demo.table('User')!.count(), 5);
  const big = createDemoOrg({ now: NOW, counts: { Account: 20000, Contact: 0, Opportunity: 0, Lead: 0, Case: 0, Invoice__c: 0 } });
  const ratio = 1 - big.table('Account')!.count() / big.table('Account')!.count(true);
  t.ok(ratio > 0.007 && ratio < 0.013, `deleted ratio ${ratio}`);
});

t.test('realistic values: picklists from describe, emails, phones, external ids', async (t) => {
  for (const type of demo.types()) {
    const picklists = type.fields.filter((f) => f.type === 'picklist');
    for (const r of rows(demo, type.name)) {
      for (const f of picklists) {
        const v = r[f.name];
        if (v !== null && v !== undefined && !activePicklistValues(f).includes(v as string)) t.fail(`${type.name}.${f.name} = ${String(v)}`);
      }
      for (const f of type.fields.filter((x) => x.type === 'email')) {
        const v = r[f.name];
        if (v !== null && v !== undefined && !/^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$/.test(v as string)) t.fail(`${type.name}.${f.name} = ${String(v)}`);
      }
      for (const f of type.fields) {
        const v = r[f.name];
        if (typeof v === 'string' && f.length > 0 && v.length > f.length) t.fail(`${type.name}.${f.name} too long`);
      }
    }
  }
  const accounts = rows(demo, 'Account');
  t.match(accounts[0], { External_Id__c: 'ACC-000001', BillingCountry: 'United States' });
  t.match(accounts[0].Phone, /^\(\d{3}\) 555-\d{4}$/);
  t.match(accounts[0].Website, /^https:\/\/www\.[a-z0-9]+\.example\.com$/);
  t.equal(new Set(accounts.map((r) => r.External_Id__c)).size, accounts.length, 'external ids are unique');
  t.equal(demo.table('Account')!.findBy('External_Id__c', 'acc-000010')[0]?.External_Id__c ?? 'deleted', accounts[9].IsDeleted ? 'deleted' : 'ACC-000010');
  t.match(rows(demo, 'Contact')[0], { External_Id__c: 'CON-000001' });
  t.match(rows(demo, 'Invoice__c')[0], { External_Id__c: 'INV-000001', Name: 'INV-000001' });
  for (const o of rows(demo, 'Opportunity')) {
    if ((o.StageName === 'Closed Won') !== (o.IsWon === true)) t.fail('IsWon follows the stage');
  }
  for (const c of rows(demo, 'Case')) {
    if ((c.Status === 'Closed') !== (c.IsClosed === true)) t.fail('IsClosed follows the status');
  }
  const converted = rows(demo, 'Lead').filter((l) => l.IsConverted === true);
  t.ok(converted.length > 0, 'some converted leads');
  for (const l of converted) t.ok(l.ConvertedContactId && l.ConvertedAccountId && l.Status === 'Closed - Converted');
  t.ok(demo.table('Account')!.shapes() <= 2, 'generated rows share their shape');
});
