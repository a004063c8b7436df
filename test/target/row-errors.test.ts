// Every kind of row error Salesforce reports lands in the failed-rows output with its sf__Error and the original
// record, and each row is in exactly one place: the org or the failed-rows files.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { query, record, runTarget, schema, state, workDir, writeConfig } from './target-harness.js';

t.test('Salesforce row errors of every kind are written with their code, and the rest is loaded', async (t) => {
  const h = await withEmulator(t, {
    seed: {
      validationRules: { Account: [{ name: 'NoNegativeRevenue', active: true, errorWhen: 'AnnualRevenue < 0', errorMessage: 'Annual revenue cannot be negative', errorField: 'AnnualRevenue' }] },
      records: { Account: [{ Name: 'Existing', External_Id__c: 'E-1' }, { Name: 'Deleted', External_Id__c: 'E-2' }] },
    },
  });
  const dir = workDir(t);
  const [deleted] = await query(h, `SELECT Id FROM Account WHERE External_Id__c = 'E-2'`);
  // Delete one through the target itself, so an update of it meets ENTITY_IS_DELETED.
  const del = writeConfig(dir, h, { streams: { d: { object: 'Account', operation: 'delete' } } }, 'del.json');
  t.equal((await runTarget(del, [schema('d', { Id: { type: 'string' } }), record('d', { Id: deleted!.Id })])).code, 0);
  const [existing] = await query(h, `SELECT Id FROM Account WHERE External_Id__c = 'E-1'`);

  const cfg = writeConfig(dir, h, {
    streams: {
      ups: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c', field_map: { ext: 'External_Id__c', rev: 'AnnualRevenue', parent: 'ParentId' } },
      upd: { object: 'Account', operation: 'update', field_map: { id: 'Id' } },
    },
  });
  const r = await runTarget(cfg, [
    schema('ups', { ext: { type: 'string' }, Name: { type: 'string' }, rev: { type: ['number', 'null'] }, parent: { type: ['string', 'null'] } }),
    record('ups', { ext: 'N-1', Name: 'fine', rev: 10 }),
    record('ups', { ext: 'N-2', Name: 'negative', rev: -5 }),
    record('ups', { ext: 'N-3', Name: 'dup a' }),
    record('ups', { ext: 'N-3', Name: 'dup b' }),
    record('ups', { ext: 'N-4', Name: 'bad parent id', parent: 'not-an-id' }),
    schema('upd', { id: { type: 'string' }, Name: { type: 'string' } }),
    record('upd', { id: existing!.Id, Name: 'updated' }),
    record('upd', { id: deleted!.Id, Name: 'gone' }),
    record('upd', { id: '001000000000000AAA', Name: 'never existed' }),
    state({ s: 1 }),
  ]);
  t.equal(r.code, 3, r.stderr);
  t.same(r.states, [{ s: 1 }], 'every row accounted for');
  const failed = (stream: string) =>
    readFileSync(join(dir, 'failed', `${stream}.run-2.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { error: string; record: Record<string, string> });
  const ups = failed('ups');
  const code = (e: string) => e.split(':')[0];
  t.same(ups.map((f) => [f.record.Name, code(f.error)]).sort(), [
    ['bad parent id', 'MALFORMED_ID'],
    ['dup a', 'DUPLICATE_VALUE'],
    ['dup b', 'DUPLICATE_VALUE'],
    ['negative', 'FIELD_CUSTOM_VALIDATION_EXCEPTION'],
  ]);
  t.match(ups.find((f) => f.record.Name === 'negative')!.error, /Annual revenue cannot be negative/);
  const upd = failed('upd');
  t.same(upd.map((f) => [f.record.Name, code(f.error)]).sort(), [
    ['gone', 'ENTITY_IS_DELETED'],
    ['never existed', 'INVALID_CROSS_REFERENCE_KEY'],
  ]);
  t.match(r.stderr, /ups -> Account \(upsert\): read 5, loaded 1, failed 4/);
  t.match(r.stderr, /upd -> Account \(update\): read 3, loaded 1, failed 2/);
  t.same((await query(h, `SELECT Name FROM Account WHERE External_Id__c LIKE 'N-%'`)).map((a) => a.Name), ['fine']);
  t.same((await query(h, `SELECT Name FROM Account WHERE External_Id__c = 'E-1'`)).map((a) => a.Name), ['updated']);
});
