// The target's five operations through the real binary, checked in the org through the emulator's admin API.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { jobCreates, query, record, runTarget, schema, state, workDir, writeConfig } from './target-harness.js';

const ACCOUNT = { External_Id__c: { type: 'string' }, Name: { type: 'string' }, AnnualRevenue: { type: ['number', 'null'] }, Industry: { type: ['string', 'null'] } };

t.test('insert, then upsert by external id, then update by Id: the org holds exactly what was sent', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const insert = writeConfig(dir, h, { streams: { acc: { object: 'Account', operation: 'insert' } } }, 'insert.json');
  const rows = Array.from({ length: 50 }, (_, i) => record('acc', { External_Id__c: `T-${i}`, Name: `Name ${i}`, AnnualRevenue: i * 1000, Industry: null }));
  const r1 = await runTarget(insert, [schema('acc', ACCOUNT), ...rows, state({ bookmarks: { acc: 50 } })]);
  t.equal(r1.code, 0, r1.stderr);
  t.same(r1.states, [{ bookmarks: { acc: 50 } }], 'the STATE value, once, as the only stdout line');
  t.equal((await query(h, `SELECT Id FROM Account WHERE External_Id__c LIKE 'T-%'`)).length, 50);

  const upsert = writeConfig(dir, h, { streams: { acc: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' } } }, 'upsert.json');
  const changed = Array.from({ length: 60 }, (_, i) => record('acc', { External_Id__c: `T-${i}`, Name: `Renamed ${i}` }));
  const r2 = await runTarget(upsert, [schema('acc', { External_Id__c: { type: 'string' }, Name: { type: 'string' } }), ...changed]);
  t.equal(r2.code, 0, r2.stderr);
  const after = await query(h, `SELECT External_Id__c, Name, AnnualRevenue FROM Account WHERE External_Id__c LIKE 'T-%'`);
  t.equal(after.length, 60, '50 updated, 10 inserted');
  t.ok(after.every((a) => a.Name === `Renamed ${a.External_Id__c!.slice(2)}`));
  t.equal(Number(after.find((a) => a.External_Id__c === 'T-7')!.AnnualRevenue), 7000, 'a property not sent is left untouched');

  const ids = await query(h, `SELECT Id, External_Id__c FROM Account WHERE External_Id__c LIKE 'T-%'`);
  const update = writeConfig(dir, h, { streams: { upd: { object: 'Account', operation: 'update', field_map: { sf_id: 'Id', revenue: 'AnnualRevenue' } } }, null_handling: '#N/A' }, 'update.json');
  const r3 = await runTarget(update, [
    schema('upd', { sf_id: { type: 'string' }, revenue: { type: ['number', 'null'] } }),
    ...ids.map((a) => record('upd', { sf_id: a.Id, revenue: a.External_Id__c === 'T-3' ? null : 42 })),
  ]);
  t.equal(r3.code, 0, r3.stderr);
  const updated = await query(h, `SELECT External_Id__c, AnnualRevenue FROM Account WHERE External_Id__c LIKE 'T-%'`);
  t.equal(updated.filter((a) => Number(a.AnnualRevenue) === 42).length, 59);
  t.equal(updated.find((a) => a.External_Id__c === 'T-3')!.AnnualRevenue, '', 'null with null_handling "#N/A" clears the field');
  t.equal((await jobCreates(h)).length, 3, 'one job per run');
});

t.test('delete moves rows to the recycle bin; hardDelete removes them for good', async (t) => {
  const h = await withEmulator(t, { seed: { settings: { hardDeleteAllowed: true } } });
  const dir = workDir(t);
  const insert = writeConfig(dir, h, { streams: { acc: { object: 'Account' } } }, 'insert.json');
  await runTarget(insert, [schema('acc', { Name: { type: 'string' } }), ...Array.from({ length: 10 }, (_, i) => record('acc', { Name: `D${i}` }))]);
  const ids = (await query(h, 'SELECT Id FROM Account')).map((a) => a.Id!);
  t.equal(ids.length, 10);
  const del = writeConfig(dir, h, { streams: { gone: { object: 'Account', operation: 'delete' }, purge: { object: 'Account', operation: 'hardDelete' } } }, 'delete.json');
  const r = await runTarget(del, [
    schema('gone', { Id: { type: 'string' } }),
    schema('purge', { Id: { type: 'string' }, Name: { type: 'string' } }),
    ...ids.slice(0, 4).map((Id) => record('gone', { Id })),
    ...ids.slice(4).map((Id) => record('purge', { Id, Name: 'ignored: a delete sends ids only' })),
  ]);
  t.equal(r.code, 0, r.stderr);
  t.same((await h.admin('/counts')).Account, { live: 0, deleted: 4 }, 'four soft-deleted, six gone for good');
});

t.test('hardDelete without the permission: the job is refused, the run fails naming it, nothing is lost', async (t) => {
  const h = await withEmulator(t, { seed: { settings: { hardDeleteAllowed: false }, records: { Account: [{ Name: 'Keep me' }] } } });
  const dir = workDir(t);
  const [acc] = await query(h, 'SELECT Id FROM Account');
  const cfg = writeConfig(dir, h, { streams: { purge: { object: 'Account', operation: 'hardDelete' } } });
  const r = await runTarget(cfg, [schema('purge', { Id: { type: 'string' } }), record('purge', { Id: acc!.Id }), state({ done: true })]);
  t.equal(r.code, 1, 'a job failure exits 1');
  t.match(r.stderr, /hardDelete/);
  t.same(r.states, [], 'no STATE: the row is not accounted for');
  t.equal((await h.admin('/counts')).Account.live, 1);
});

t.test('Salesforce row errors land in the failed-rows CSV and JSONL (mode 0600) with sf__Error and the original record', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { c: { object: 'Contact', field_map: { account: 'Account.External_Id__c' } } } });
  const r = await runTarget(cfg, [
    schema('c', { LastName: { type: 'string' }, Email: { type: 'string' }, account: { type: 'string' } }),
    record('c', { LastName: 'Good', Email: 'good@example.com' }),
    record('c', { LastName: 'BadEmail', Email: 'not-an-email' }),
    record('c', { LastName: 'NoParent', Email: 'np@example.com', account: 'NOPE-1' }),
    state({ s: 1 }),
  ]);
  t.equal(r.code, 3, 'rows failed permanently: exit 3');
  t.same(r.states, [{ s: 1 }], 'failed rows are accounted for, so STATE passes');
  const files = readFileSync(join(dir, 'failed', 'c.run-1.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { error: string; record: { LastName: string } });
  t.same(files.map((f) => f.record.LastName).sort(), ['BadEmail', 'NoParent']);
  t.match(files.find((f) => f.record.LastName === 'BadEmail')!.error, /^INVALID_EMAIL_ADDRESS/);
  t.match(files.find((f) => f.record.LastName === 'NoParent')!.error, /^INVALID_FIELD:Foreign key external ID: NOPE-1 not found/);
  const { statSync } = await import('node:fs');
  t.equal(statSync(join(dir, 'failed', 'c.run-1.csv')).mode & 0o777, 0o600);
  t.equal(statSync(join(dir, 'failed', 'c.run-1.jsonl')).mode & 0o777, 0o600);
  t.match(readFileSync(join(dir, 'failed', 'c.run-1.csv'), 'utf8'), /^sf__Error,LastName,Email,account\n/);
  t.equal((await h.admin('/counts')).Contact.live, 1);
});

t.test('unmapped_streams "by_name" loads a stream into the sObject of its name with default_operation', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { unmapped_streams: 'by_name', default_operation: 'upsert', streams: {} });
  const bad = await runTarget(cfg, [schema('Account', { External_Id__c: { type: 'string' }, Name: { type: 'string' } })]);
  t.equal(bad.code, 2, 'an upsert needs an external id field, and by_name has none to give');
  const cfg2 = writeConfig(dir, h, { unmapped_streams: 'by_name', default_operation: 'insert', streams: {} }, 'insert.json');
  const r = await runTarget(cfg2, [schema('Account', { Name: { type: 'string' } }), record('Account', { Name: 'by name' })]);
  t.equal(r.code, 0, r.stderr);
  t.same((await query(h, 'SELECT Name FROM Account')).map((a) => a.Name), ['by name']);
});
