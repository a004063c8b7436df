// Relationship columns resolve the parent through any indexed lookup field, as Salesforce documents for Bulk CSV
// headers: an external id, Id, or an idLookup field such as Contact.Email. A field that is none of these stops the
// run before any job, naming the column.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { jobCreates, query, record, runTarget, schema, state, workDir, writeConfig } from './target-harness.js';

const seed = { records: { Contact: [{ LastName: 'Lovelace', Email: 'ada@example.com' }, { LastName: 'Hopper', Email: 'grace@example.com' }] } };
const lines = [
  schema('cases', { subject: { type: 'string' }, email: { type: 'string' } }),
  record('cases', { subject: 'Engine fault', email: 'ada@example.com' }),
  record('cases', { subject: 'Compiler bug', email: 'grace@example.com' }),
  state({ n: 2 }),
];

t.test('an idLookup parent field (Contact.Email) sets the lookup', async (t) => {
  const h = await withEmulator(t, { seed });
  const cfg = writeConfig(workDir(t), h, { streams: { cases: { object: 'Case', operation: 'insert', field_map: { subject: 'Subject', email: 'Contact.Email' } } } });
  const r = await runTarget(cfg, lines);
  t.equal(r.code, 0, r.stderr);
  const contacts = new Map((await query(h, 'SELECT Id, Email FROM Contact')).map((c) => [c.Email, c.Id]));
  const cases = await query(h, 'SELECT Subject, ContactId FROM Case ORDER BY Subject');
  t.same(
    cases.map((c) => [c.Subject, c.ContactId]),
    [['Compiler bug', contacts.get('grace@example.com')], ['Engine fault', contacts.get('ada@example.com')]],
    'each case points at the contact with that email',
  );
});

t.test('a parent field that is not indexed: one clear error, no job', async (t) => {
  const h = await withEmulator(t, { seed });
  const cfg = writeConfig(workDir(t), h, { streams: { cases: { object: 'Case', operation: 'insert', field_map: { subject: 'Subject', email: 'Contact.LastName' } } } });
  const r = await runTarget(cfg, lines);
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /property "email": Contact\.LastName is neither an external id nor an idLookup field, so it cannot identify the Contact of a row/);
  t.same(await jobCreates(h), [], 'no job was created');
});
