// Bad input and bad config: one clear error naming the line or the key, a non-zero exit, nothing lost.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { query, record, runTarget, schema, state, workDir, writeConfig } from './target-harness.js';

t.test('a line that is not JSON stops the run with its line number; jobs already sent are finished and their STATE written', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, max_records_per_job: 3 });
  const r = await runTarget(cfg, [
    schema('acc', { Name: { type: 'string' } }),
    record('acc', { Name: 'a' }), record('acc', { Name: 'b' }), record('acc', { Name: 'c' }),
    state({ after: 3 }),
    record('acc', { Name: 'd' }),
    '{"type": "RECORD", "stream": "acc", "record": {"Name": "e"',
    record('acc', { Name: 'f' }),
  ]);
  t.equal(r.code, 2);
  t.match(r.stderr, /input line 7: not JSON/);
  t.same(r.states, [{ after: 3 }], 'the full chunk before the bad line was loaded, and its STATE written');
  t.same((await query(h, 'SELECT Name FROM Account')).map((a) => a.Name).sort(), ['a', 'b', 'c']);
});

t.test('a RECORD before its SCHEMA, and a message missing a required key, name the line', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } } });
  const r1 = await runTarget(cfg, [record('acc', { Name: 'x' })]);
  t.equal(r1.code, 2);
  t.match(r1.stderr, /input line 1: RECORD of stream "acc" before its SCHEMA/);
  const r2 = await runTarget(cfg, [schema('acc', { Name: { type: 'string' } }), '{"type":"record","stream":"acc"}']);
  t.equal(r2.code, 2);
  t.match(r2.stderr, /input line 2: RECORD of stream "acc" without a "record" object/);
  const r3 = await runTarget(cfg, [schema('acc', { Name: { type: 'string' } }), '{"type":"STATE"}']);
  t.equal(r3.code, 2);
  t.match(r3.stderr, /input line 2: STATE message without a "value"/);
});

t.test('config errors name the key, before anything is read or sent', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const bad = async (extra: Record<string, unknown>, pattern: RegExp): Promise<void> => {
    const r = await runTarget(writeConfig(dir, h, extra, 'bad.json'), [schema('acc', { Name: { type: 'string' }, Revenue: { type: 'number' } })]);
    t.equal(r.code, 2, pattern.source);
    t.match(r.stderr, pattern);
  };
  await bad({ streams: { acc: { object: 'Account', operation: 'merge' } } }, /config key "streams\.acc\.operation" must be one of/);
  await bad({ max_parralel_jobs: 2 }, /unknown config key "max_parralel_jobs"/);
  await bad({ streams: { acc: { object: 'Account', operation: 'upsert' } } }, /streams\.acc\.external_id_field/);
  await bad({ streams: { acc: { object: 'Acount' } } }, /did you mean `Account`\?/);
  await bad({ streams: { acc: { object: 'Account', field_map: { Revenue: 'Annual Revenue' } } } }, /Account has no field "Annual Revenue" \(did you mean `AnnualRevenue`\?\)/);
  await bad({ streams: { acc: { object: 'Account', field_map: { Revenue: 'CreatedDate' } } } }, /Account\.CreatedDate is not createable/);
  await bad({ streams: { acc: { object: 'Account', operation: 'upsert', external_id_field: 'Name', field_map: { Revenue: 'AnnualRevenue' } } } }, /Account\.Name is not an external id field/);
  await bad({ streams: { acc: { object: 'Contact', field_map: { Name: 'LastName', Revenue: 'Acount.External_Id__c' } } } }, /Contact has no relationship "Acount" \(did you mean `Account`\?\)/);
  await bad({ streams: { acc: { object: 'Contact', field_map: { Name: 'LastName', Revenue: 'Account.Name' } } } }, /property "Revenue": Account\.Name is neither an external id nor an idLookup field, so it cannot identify the Account of a row/);
  await bad({ streams: {}, unmapped_streams: 'fail' }, /stream "acc" has no entry in config key "streams"/);
  t.equal((await h.admin('/jobs')).length, 0, 'no job was created by any of them');
});

t.test('schema-invalid rows and check-before-you-spend rows go to the failed-rows output, never to Salesforce', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { opp: { object: 'Opportunity', operation: 'insert' }, acc: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c' } } });
  const r = await runTarget(cfg, [
    schema('opp', { Name: { type: 'string' }, StageName: { type: 'string' }, CloseDate: { type: 'string' }, Amount: { type: ['number', 'string'] }, ForecastCategoryName: { type: 'string' } }),
    record('opp', { Name: 'ok', StageName: 'Prospecting', CloseDate: '2025-01-31', Amount: 10 }),
    record('opp', { Name: 'no stage', CloseDate: '2025-01-31' }),
    record('opp', { Name: 'bad forecast category', StageName: 'Prospecting', CloseDate: '2025-01-31', ForecastCategoryName: 'Nope' }),
    record('opp', { Name: 'bad date', StageName: 'Prospecting', CloseDate: '31/01/2025' }),
    record('opp', { Name: 'bad amount', StageName: 'Prospecting', CloseDate: '2025-01-31', Amount: 'lots' }),
    record('opp', { Name: 'x'.repeat(121), StageName: 'Prospecting', CloseDate: '2025-01-31' }),
    record('opp', { Name: 42, StageName: 'Prospecting', CloseDate: '2025-01-31' }),
    schema('acc', { External_Id__c: { type: ['string', 'null'] }, Name: { type: 'string' } }),
    record('acc', { External_Id__c: null, Name: 'no key' }),
  ]);
  t.equal(r.code, 3);
  const codes = /opp -> Opportunity \(insert\): read 7, loaded 1, failed 6 \(([^)]*)\), 6 of them before upload/.exec(r.stderr);
  t.ok(codes, r.stderr);
  t.match(codes?.[1], /REQUIRED_FIELD_MISSING 1/);
  t.match(codes?.[1], /INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST 1/);
  t.match(codes?.[1], /INVALID_FIELD 2/);
  t.match(codes?.[1], /STRING_TOO_LONG 1/);
  t.match(codes?.[1], /INVALID_RECORD 1/);
  t.match(r.stderr, /acc -> Account \(upsert\): read 1, loaded 0, failed 1 \(MISSING_ARGUMENT 1\)/);
  const uploads = (await h.admin<{ method: string; records?: number }[]>('/requests')).filter((q) => q.method === 'PUT');
  t.same(uploads.map((q) => q.records), [1], 'only the good row was uploaded');
});

t.test('refused credentials: a clear error, exit 2, and the secret appears nowhere in the output', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = workDir(t);
  const cfg = writeConfig(dir, h, { streams: { acc: { object: 'Account' } }, client_secret: 'sup3r-s3cret-value' });
  const r = await runTarget(cfg, [schema('acc', { Name: { type: 'string' } }), record('acc', { Name: 'x' }), state({ s: 1 })]);
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, /client|credential|auth/i);
  t.notMatch(r.stdout + r.stderr, /sup3r-s3cret-value/);
  t.same(r.states, []);
});
