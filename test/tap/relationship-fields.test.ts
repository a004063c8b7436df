// config `relationship_fields`: a Contact carries its Account's external id as the column Account.External_Id__c,
// read by the query job from the parent (the value a target needs to link the row in another org); a relationship
// or parent field that describe does not confirm is named before anything is extracted.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { connection, discoverCatalog, orgRows, records, runTap, selectStreams, writeJson } from './tap-harness.js';

t.test('relationship_fields: the parent value in a column, checked against describe', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Contact']));
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { relationship_fields: { Contact: ['account.external_id__c'] } })), '--catalog', catalog]);
  t.equal(run.code, 0, run.stderr);
  const schema = run.lines.find((m) => m.type === 'SCHEMA' && m.stream === 'Contact');
  t.same(schema.schema.properties['Account.External_Id__c'], { type: ['null', 'string'], maxLength: 255 }, "the column is named as describe spells it, typed from the parent's field, nullable");
  const org = new Map((await orgRows(h, 'SELECT Id, Account.External_Id__c FROM Contact')).map((r) => [r.Id, r['Account.External_Id__c']]));
  const rows = records(run.lines, 'Contact');
  t.equal(rows.length, org.size);
  t.ok(rows.some((r) => typeof r.record['Account.External_Id__c'] === 'string'), 'Contacts with an Account carry its external id');
  t.same(rows.filter((r) => (r.record['Account.External_Id__c'] ?? '') !== org.get(r.record.Id)), [], "every row holds its parent's value (null without a parent)");

  const bad: [unknown, RegExp][] = [
    [{ Contact: ['Acount.External_Id__c'] }, /Contact has no relationship "Acount" \(its relationships: .*Account/],
    [{ Contact: ['Account.Nope__c'] }, /Account has no field "Nope__c" that Bulk queries can read/],
    [{ Contact: ['Account'] }, /relationship_fields/],
  ];
  for (const [value, message] of bad) {
    const r = await runTap(['--config', writeJson(dir, 'bad.json', connection(h.url, { relationship_fields: value })), '--catalog', catalog]);
    t.not(r.code, 0, JSON.stringify(value));
    t.match(r.stderr, message);
    t.equal(records(r.lines).length, 0, 'nothing extracted');
  }
});
