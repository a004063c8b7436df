// Polymorphic relationship columns in the syntax Salesforce documents for Bulk API CSV headers,
// ObjectType:RelationshipName.IndexedFieldName ("Relationship Fields in a Header Row"): `User:Owner.Id` loads
// through the emulator; the reversed form and a type on a non-polymorphic lookup stop the run before any job, with
// the column to write instead.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { jobCreates, query, record, runTarget, schema, state, workDir, writeConfig } from './target-harness.js';

const seed = { records: { Account: [{ Name: 'Parent', External_Id__c: 'A-1' }] } };
const lines = (owner: string): string[] => [
  schema('inv', { Name: { type: 'string' }, acct: { type: 'string' }, owner: { type: 'string' } }),
  record('inv', { Name: 'INV-1', acct: 'A-1', owner }),
  state({ n: 1 }),
];

t.test('ObjectType:RelationshipName.Field sets a polymorphic lookup', async (t) => {
  const h = await withEmulator(t, { seed });
  const [user] = await query(h, 'SELECT Id FROM User LIMIT 1');
  const cfg = writeConfig(workDir(t), h, {
    streams: { inv: { object: 'Invoice__c', field_map: { acct: 'Account__r.External_Id__c', owner: 'User:Owner.Id' } } },
  });
  const r = await runTarget(cfg, lines(user!.Id!));
  t.equal(r.code, 0, r.stderr);
  const [inv] = await query(h, `SELECT OwnerId, Account__r.External_Id__c FROM Invoice__c WHERE Name = 'INV-1'`);
  t.equal(inv?.OwnerId, user!.Id, 'the owner was set through the documented polymorphic column');
});

t.test('the reversed form and a type on a plain lookup: one clear error each, no job', async (t) => {
  const h = await withEmulator(t, { seed });
  const dir = workDir(t);
  const reversed = writeConfig(dir, h, { streams: { inv: { object: 'Invoice__c', field_map: { acct: 'Account__r.External_Id__c', owner: 'Owner:User.Id' } } } }, 'reversed.json');
  const r = await runTarget(reversed, lines('005000000000001AAA'));
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /property "owner": "Owner:User\.Id" names the relationship before the type.*did you mean `User:Owner\.Id`\?/);

  const typed = writeConfig(dir, h, { streams: { inv: { object: 'Invoice__c', field_map: { acct: 'Account:Account__r.External_Id__c', owner: null } } } }, 'typed.json');
  const r2 = await runTarget(typed, lines(''));
  t.equal(r2.code, 2, r2.stderr);
  t.match(r2.stderr, /property "acct": Invoice__c\.Account__c is not polymorphic, so its column takes no type \(did you mean `Account__r\.External_Id__c`\?\)/);
  t.same(await jobCreates(h), [], 'no job was created');
});
