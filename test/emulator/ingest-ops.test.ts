// The five operations, upsert matching, duplicates inside a transaction, and the result files.
import t from 'tap';
import { to18 } from '../../src/emulator/ids.js';
import { CHUNK_SIZE } from '../../src/emulator/ingest/index.js';
import { dataRows, makeEnv, makeStore, onlyError, readCsv, runJob, spec } from './ingest-helpers.js';

async function seedAccounts(n: number) {
  const store = makeStore();
  const env = makeEnv(store);
  const lines = ['Name,External_Id__c'];
  for (let i = 0; i < n; i++) lines.push(`Acc ${i},E${i}`);
  const { run } = await runJob(env, spec('Account', 'insert'), lines.join('\n') + '\n');
  const ids = dataRows(run.successfulResults()).map((r) => r[0]);
  return { store, env, ids };
}

t.test('insert: results echo the header and every cell, quoted', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const csv = 'Name,Description,AnnualRevenue\nAcme,"He said ""hi"", then left",912260031\nBad,,abc\n';
  const { run, outcome } = await runJob(env, spec('Account', 'insert'), csv);
  t.same(outcome, { state: 'JobComplete' });
  const ok = run.successfulResults().split('\n');
  t.equal(ok[0], '"sf__Id","sf__Created",Name,Description,AnnualRevenue');
  t.match(ok[1], /^"001\w{15}","true","Acme","He said ""hi"", then left","912260031"$/);
  const bad = run.failedResults().split('\n');
  t.equal(bad[0], '"sf__Id","sf__Error",Name,Description,AnnualRevenue');
  t.equal(bad[1], `"","INVALID_FIELD:Failed to deserialize field at col 3. Due to, 'abc' is not a valid value for the type xsd:double:AnnualRevenue --","Bad","","abc"`);
  t.equal(run.unprocessedRecords(), 'Name,Description,AnnualRevenue\n', 'empty set: just the header');
  t.same(run.resultCounts(), { successful: 1, failed: 1, unprocessed: 0 });
});

t.test('update: unknown, deleted, malformed and missing ids', async (t) => {
  const { store, env, ids } = await seedAccounts(3);
  await runJob(env, spec('Account', 'delete'), `Id\n${ids[2]}\n`);
  const csv = `Id,Name\n${ids[0]},Renamed\n${ids[2]},Ghost\n0015g00000zzzzz,Nobody\nabc,Bad\n,NoId\n`;
  const { run } = await runJob(env, spec('Account', 'update'), csv);
  t.equal(store.table('Account')!.get(ids[0])!.Name, 'Renamed');
  const failed = dataRows(run.failedResults());
  t.same(
    failed.map((r) => [r[0], r[1]]),
    [
      [ids[2], 'ENTITY_IS_DELETED:entity is deleted:--'],
      [to18('0015g00000zzzzz'), 'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--'],
      ['abc', 'MALFORMED_ID:Account ID: id value of incorrect type: abc:Id --'],
      ['', 'MISSING_ARGUMENT:Id not specified in an update call:--'],
    ],
  );
  const noIdColumn = await runJob(env, spec('Account', 'update'), 'Name\nX\n');
  t.equal(onlyError(noIdColumn.run), 'MISSING_ARGUMENT:Id not specified in an update call:--');
  const contactId = await runJob(env, spec('Contact', 'insert'), 'LastName\nC\n');
  const cid = dataRows(contactId.run.successfulResults())[0][0];
  const wrongType = await runJob(env, spec('Account', 'update'), `Id,Name\n${cid},X\n`);
  t.equal(onlyError(wrongType.run), `MALFORMED_ID:Account ID: id value of incorrect type: ${cid}:Id --`);
});

t.test('upsert by external id: insert, update, blank key, duplicates inside one transaction', async (t) => {
  const { store, env, ids } = await seedAccounts(2);
  const csv = 'External_Id__c,Name\nE0,Updated 0\ne1,Updated 1\nNEW1,Fresh\n,Blank\nDUP,First\nDUP,Second\n';
  const { run } = await runJob(env, spec('Account', 'upsert', { externalIdFieldName: 'External_Id__c' }), csv);
  const ok = dataRows(run.successfulResults());
  t.same(ok.map((r) => [r[0], r[1], r[3]]), [
    [ids[0], 'false', 'Updated 0'],
    [ids[1], 'false', 'Updated 1'],
    [ok[2][0], 'true', 'Fresh'],
  ]);
  t.equal(store.table('Account')!.get(ids[1])!.External_Id__c, 'E1', 'the matching key is not rewritten');
  t.same(dataRows(run.failedResults()).map((r) => [r[0], r[1]]), [
    ['', 'MISSING_ARGUMENT:External_Id__c not specified:--'],
    ['', 'DUPLICATE_VALUE:Duplicate external id specified: DUP:External_Id__c --'],
    ['', 'DUPLICATE_VALUE:Duplicate external id specified: DUP:External_Id__c --'],
  ]);
  t.equal(store.table('Account')!.findBy('External_Id__c', 'DUP').length, 0, 'no duplicate was written');
});

t.test('upsert: the same key in two transactions inserts once, then updates', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const lines = ['External_Id__c,Name'];
  lines.push('K,first');
  for (let i = 1; i < CHUNK_SIZE; i++) lines.push(`F${i},filler`);
  lines.push('K,second');
  const { run } = await runJob(env, spec('Account', 'upsert', { externalIdFieldName: 'External_Id__c' }), lines.join('\n') + '\n');
  t.equal(run.progress.numberRecordsFailed, 0);
  const rows = dataRows(run.successfulResults());
  const k = rows.filter((r) => r[2] === 'K');
  t.same(k.map((r) => r[1]), ['true', 'false']);
  t.equal(k[0][0], k[1][0]);
  t.equal(store.table('Account')!.get(k[0][0])!.Name, 'second');
});

t.test('upsert: a key matching several records fails with DUPLICATE_EXTERNAL_ID', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const seeded = await runJob(env, spec('Contact', 'insert'), 'LastName,Email\nA,dup@example.com\nB,DUP@example.com\n');
  const ids = dataRows(seeded.run.successfulResults()).map((r) => r[0]);
  const { run } = await runJob(env, spec('Contact', 'upsert', { externalIdFieldName: 'Email' }), 'Email,LastName\ndup@example.com,C\n');
  t.equal(onlyError(run), `DUPLICATE_EXTERNAL_ID:Email: more than one record found for external id field: [${ids.join(', ')}]:Email --`);
});

t.test('upsert by Id: blank Id inserts, a known Id updates', async (t) => {
  const { store, env, ids } = await seedAccounts(1);
  const { run } = await runJob(env, spec('Account', 'upsert', { externalIdFieldName: 'Id' }), `Id,Name\n${ids[0]},Changed\n,Brand new\n`);
  t.same(dataRows(run.successfulResults()).map((r) => r[1]), ['false', 'true']);
  t.equal(store.table('Account')!.get(ids[0])!.Name, 'Changed');
});

t.test('delete and hardDelete', async (t) => {
  const { store, env, ids } = await seedAccounts(4);
  const del = await runJob(env, spec('Account', 'delete'), `Id\n${ids[0]}\n${ids[0].slice(0, 15)}1\n`);
  t.equal(store.table('Account')!.get(ids[0])!.IsDeleted, true, 'soft-deleted (kept for queryAll)');
  t.same(dataRows(del.run.successfulResults())[0].slice(0, 2), [ids[0], 'false']);
  t.equal(dataRows(del.run.failedResults())[0][1], 'MALFORMED_ID:Account ID: id value of incorrect type: ' + ids[0].slice(0, 15) + '1:Id --');
  const again = await runJob(env, spec('Account', 'delete'), `Id\n${ids[0]}\n`);
  t.equal(onlyError(again.run), 'ENTITY_IS_DELETED:entity is deleted:--');
  const hard = await runJob(env, spec('Account', 'hardDelete'), `Id\n${ids[1]}\n${ids[2]}\n`);
  t.same(hard.outcome, { state: 'JobComplete' });
  t.equal(store.table('Account')!.get(ids[1]), undefined, 'gone for good');
  t.equal(hard.run.resultCounts().successful, 2);
  const dupIds = await runJob(env, spec('Account', 'delete'), `Id\n${ids[3]}\n${ids[3]}\n`);
  t.same(dataRows(dupIds.run.failedResults()).map((r) => r[1]), [
    `DUPLICATE_VALUE:Duplicate id specified: ${ids[3]}:--`,
    `DUPLICATE_VALUE:Duplicate id specified: ${ids[3]}:--`,
  ]);
});

t.test('results keep the job delimiter and line ending; each row lands in exactly one set', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const csv = 'Name|Description\r\nA|"x|y"\r\n|missing name\r\nC|z\r\n';
  const { run } = await runJob(env, spec('Account', 'insert', { columnDelimiter: 'PIPE', lineEnding: 'CRLF' }), csv);
  const ok = run.successfulResults();
  t.match(ok, /^"sf__Id"\|"sf__Created"\|Name\|Description\r\n/);
  t.same(readCsv(ok, '|').slice(1).map((r) => r.slice(2)), [['A', 'x|y'], ['C', 'z']]);
  t.same(readCsv(run.failedResults(), '|')[1].slice(1), ['REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --', '', 'missing name']);
  const c = run.resultCounts();
  t.equal(c.successful + c.failed + c.unprocessed, 3);
  t.equal(run.progress.numberRecordsProcessed, 3);
  t.equal(run.progress.numberRecordsFailed, 1);
});
