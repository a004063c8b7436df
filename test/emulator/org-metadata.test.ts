import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { describeDefault, describeDir, loadMetadata, TABLE_OBJECTS } from '../../src/emulator/org/metadata.js';
import { packageRoot } from '../../src/paths.js';

const m = loadMetadata();
type Raw = Record<string, unknown>;

function keysOf(o: unknown): string[] {
  return Object.keys(o as object);
}

t.test('the captured describes are packaged byte for byte', async (t) => {
  t.equal(describeDir(), join(packageRoot(), 'data/describe'));
  const sources = readFileSync(join(describeDir(), 'SOURCES.md'), 'utf8');
  const files = ['Account.json', 'Case.json', 'Contact.json', 'Lead.json', 'Opportunity.json', 'User.partial.json', 'sobjects.json'];
  for (const f of files) {
    const sha = createHash('sha256').update(readFileSync(join(describeDir(), f))).digest('hex');
    t.match(sources, `${sha}  ${f}`, `${f} has the hash SOURCES.md records`);
  }
  t.match(sources, 'Copyright (c) 2015, Salesforce.org', 'license notice kept');
  t.match(sources, 'Additions made by this project');
});

t.test('types with records, in global-list order, with their real key prefixes', async (t) => {
  t.same(
    m.types.map((x) => [x.name, x.keyPrefix]),
    [['Account', '001'], ['Case', '500'], ['Contact', '003'], ['Invoice__c', 'a0B'], ['Lead', '00Q'], ['Opportunity', '006'], ['User', '005']],
  );
  t.same([...TABLE_OBJECTS].sort(), m.types.map((x) => x.name).sort());
  t.equal(m.type('aCcOuNt'), m.type('Account'), 'case-insensitive');
  t.equal(m.type('Nope'), undefined);
  t.equal(m.type('Account')!.globalEntry.name, 'Account');
  t.equal(m.type('Account')!.describe.name, 'Account');
});

t.test('field lookup is case-insensitive; relationships by relationshipName', async (t) => {
  const acc = m.type('Account')!;
  t.equal(acc.field('annualrevenue')!.name, 'AnnualRevenue');
  t.equal(acc.field('ANNUALREVENUE')!.type, 'currency');
  t.equal(acc.field('AnnualRevenue')!.precision, 18);
  t.equal(acc.field('nope'), undefined);
  t.equal(acc.relationship('owner')!.name, 'OwnerId');
  t.equal(acc.relationship('PARENT')!.name, 'ParentId');
  t.equal(acc.relationship('Nope'), undefined);
  const con = m.type('Contact')!;
  t.equal(con.relationship('account')!.name, 'AccountId');
  t.same(con.relationship('account')!.referenceTo, ['Account']);
  const inv = m.type('Invoice__c')!;
  t.equal(inv.relationship('account__r')!.name, 'Account__c');
  t.equal(inv.relationship('Account__c'), undefined, 'by relationship name, not field name');
  const f = acc.field('Name')!;
  t.equal(f.raw, (acc.describe.fields as Raw[]).find((x) => x.name === 'Name'), 'raw is the describe entry');
  t.equal(acc.field('BillingAddress')!.type, 'address', 'compound fields stay in describe');
  t.equal(acc.field('BillingCity')!.compoundFieldName, 'BillingAddress');
});

t.test('External_Id__c on Account and Contact; the fake Primary_Contact__c is gone', async (t) => {
  for (const name of ['Account', 'Contact']) {
    const type = m.type(name)!;
    const f = type.field('external_id__c')!;
    t.ok(f, `${name}.External_Id__c`);
    t.match(f, { type: 'string', length: 255, externalId: true, unique: true, idLookup: true, nillable: true, createable: true, updateable: true, custom: true, caseSensitive: false });
    t.same(keysOf(f.raw), keysOf(type.fields[0].raw), 'same describe keys as the captured entries');
    t.equal(type.fields[type.fields.length - 1].name, 'External_Id__c', 'custom fields follow the standard ones');
  }
  t.equal(m.type('Account')!.field('Primary_Contact__c'), undefined);
  const rels = m.type('Account')!.describe.childRelationships as Raw[];
  t.ok(rels.find((r) => r.childSObject === 'Invoice__c' && r.field === 'Account__c' && r.relationshipName === 'Invoices__r'));
});

t.test('Invoice__c: a custom object shaped like the captured ones', async (t) => {
  const inv = m.type('Invoice__c')!;
  const acc = m.type('Account')!;
  t.match(inv, { custom: true, keyPrefix: 'a0B', createable: true, updateable: true, deletable: true, queryable: true });
  t.same(keysOf(inv.describe), keysOf(acc.describe), 'same top-level describe keys');
  const fieldKeys = keysOf(acc.fields[0].raw);
  for (const f of inv.fields) t.same(keysOf(f.raw), fieldKeys, `${f.name} has the captured key set`);
  t.same(inv.fields.map((f) => f.name), [
    'Id', 'OwnerId', 'IsDeleted', 'Name', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById',
    'SystemModstamp', 'External_Id__c', 'Account__c', 'Amount__c', 'Status__c', 'Due_Date__c', 'Paid_At__c', 'Paid__c',
    'Email__c', 'Notes__c', 'Quantity__c',
  ]);
  t.match(inv.field('Name'), { type: 'string', length: 80, nillable: true });
  t.equal(inv.field('Name')!.raw.nameField, true);
  t.match(inv.field('Account__c'), { type: 'reference', referenceTo: ['Account'], relationshipName: 'Account__r', nillable: false, custom: true });
  t.match(inv.field('Amount__c'), { type: 'currency', precision: 16, scale: 2 });
  t.match(inv.field('Status__c'), { type: 'picklist', restrictedPicklist: true, defaultValue: 'Draft', defaultedOnCreate: true });
  t.same(inv.field('Status__c')!.picklistValues.map((p) => p.value), ['Draft', 'Sent', 'Paid', 'Void']);
  t.equal(describeDefault(inv.field('Status__c')!), 'Draft');
  t.match(inv.field('Paid__c'), { type: 'boolean', nillable: false, defaultValue: false });
  t.equal(describeDefault(inv.field('Paid__c')!), false);
  t.match(inv.field('Due_Date__c'), { type: 'date' });
  t.match(inv.field('Paid_At__c'), { type: 'datetime' });
  t.match(inv.field('Email__c'), { type: 'email' });
  t.match(inv.field('Notes__c'), { type: 'textarea', length: 32768, filterable: false });
  t.match(inv.field('Quantity__c'), { type: 'double', precision: 18, scale: 0 });
  t.match(inv.field('External_Id__c'), { externalId: true, unique: true });
  t.same(keysOf(inv.globalEntry), keysOf(acc.globalEntry));
  t.equal(inv.globalEntry.custom, true);
  t.equal((inv.globalEntry.urls as Raw).describe, '/services/data/v48.0/sobjects/Invoice__c/describe');
});

t.test('the global list: captured entries plus Invoice__c in sorted position', async (t) => {
  const names = m.globalList.map((e) => String(e.name));
  t.equal(names.length, 788);
  t.ok(names.includes('Invoice__c'));
  t.same(names, [...names].sort(), 'code-point order, as captured');
  t.ok(names.includes('RecordType'), 'objects without records are listed too');
});

t.test('User: built from the partial capture, no IsDeleted', async (t) => {
  const u = m.type('User')!;
  t.equal(u.keyPrefix, '005');
  t.equal(u.field('IsDeleted'), undefined, 'User has no IsDeleted in Salesforce');
  for (const n of ['Id', 'Username', 'Name', 'FirstName', 'LastName', 'Email', 'IsActive', 'Alias', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'ProfileId', 'TimeZoneSidKey']) {
    t.ok(u.field(n), `User.${n}`);
  }
  t.same(keysOf(u.describe), keysOf(m.type('Account')!.describe));
  const fieldKeys = keysOf(m.type('Account')!.fields[0].raw);
  for (const f of u.fields) t.same(keysOf(f.raw), fieldKeys, `${f.name} has the captured key set`);
  t.match(u.field('Username'), { type: 'string', length: 80, unique: true, idLookup: true, createable: true });
  t.match(u.field('Name'), { createable: false, updateable: false });
  t.ok(u.field('TimeZoneSidKey')!.picklistValues.length > 400, 'picklist values from the capture');
  t.match(u, { createable: true, deletable: false, updateable: true });
});

t.test('describeDefault', async (t) => {
  const c = m.type('Case')!;
  t.equal(describeDefault(c.field('Status')!), 'New');
  t.equal(describeDefault(c.field('Priority')!), 'Medium');
  t.equal(describeDefault(c.field('IsEscalated')!), false);
  t.equal(describeDefault(c.field('Subject')!), undefined);
  t.equal(describeDefault(m.type('Lead')!.field('Status')!), 'Open - Not Contacted');
});
