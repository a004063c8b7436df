// Validation rules are enforced or refused, never silently skipped: a rule that does not compile is rejected
// when the seed loads (naming the rule and the object), and an org that holds one anyway fails the job.
import t from 'tap';
import { validateSeed } from '../../src/emulator/org/seed.js';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';
import { makeEnv, makeStore, runJob, spec } from './ingest-helpers.js';

const badRule = { name: 'Revenue_Typo', errorWhen: 'AnualRevenue < 0', errorMessage: 'never' };

async function insertOverHttp(h: Harness, csv: string): Promise<{ info: any; failed: string[][] }> {
  const job = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) });
  await h.call(`jobs/ingest/${job.body.id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv });
  await h.json(`jobs/ingest/${job.body.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  const info = await h.waitFor(`jobs/ingest/${job.body.id}`);
  const failed = csvRows(await (await h.call(`jobs/ingest/${job.body.id}/failedResults`)).text()).slice(1);
  return { info, failed };
}

t.test('a seed whose rule does not compile is refused, naming the rule, the object and the reason', async (t) => {
  t.same(validateSeed({ validationRules: { Account: [badRule, { ...badRule, name: 'Off', active: false }] } }), [
    `/validationRules/Account/0/errorWhen: validation rule "Revenue_Typo" on Account does not compile: No such column 'AnualRevenue' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names. (column 1)`,
    `/validationRules/Account/1/errorWhen: validation rule "Off" on Account does not compile: No such column 'AnualRevenue' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names. (column 1)`,
  ], 'inactive rules are checked too: Salesforce does not save a rule that does not compile');
  await t.rejects(withEmulator(t, { seed: { base: 'demo', validationRules: { Account: [badRule] } } }), {
    name: 'SeedError',
    message: /validation rule "Revenue_Typo" on Account does not compile/,
  }, 'the emulator does not start with it');
});

t.test('POST /__emulator/seed with a rule that does not compile: 400 INVALID_SEED, and the org keeps its rules', async (t) => {
  const h = await withEmulator(t, { seed: 'demo' });
  const res = await fetch(`${h.url}/__emulator/seed`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ base: 'empty', validationRules: { Account: [badRule] } }),
  });
  t.equal(res.status, 400);
  const body = (await res.json()) as { errorCode: string; message: string }[];
  t.equal(body[0].errorCode, 'INVALID_SEED');
  t.match(body[0].message, /\/validationRules\/Account\/0\/errorWhen: validation rule "Revenue_Typo" on Account does not compile: No such column 'AnualRevenue'/);
  const { info, failed } = await insertOverHttp(h, 'Name,AnnualRevenue\nFine,1\nNegative,-1\n');
  t.equal(info.state, 'JobComplete');
  t.same(failed.map((r) => r[1]), ['FIELD_CUSTOM_VALIDATION_EXCEPTION:Annual revenue cannot be negative:AnnualRevenue --'], "the demo org's rule still fires");
});

t.test('a seed rule over HTTP fails the rows it matches', async (t) => {
  const h = await withEmulator(t, {
    seed: { base: 'empty', validationRules: { Account: [{ name: 'No_Test', errorWhen: "Name LIKE 'Test%'", errorMessage: 'No test accounts', errorField: 'Name' }] } },
  });
  const { info, failed } = await insertOverHttp(h, 'Name\nReal\nTest 1\n');
  t.equal(info.numberRecordsProcessed, 2);
  t.equal(info.numberRecordsFailed, 1);
  t.same(failed, [['', 'FIELD_CUSTOM_VALIDATION_EXCEPTION:No test accounts:Name --', 'Test 1']]);
});

t.test('an org built without a seed that holds a rule that does not compile fails the job, writing nothing', async (t) => {
  const store = makeStore({ validationRules: { Account: [{ ...badRule, active: true }] } });
  const before = store.table('Account')!.count(true);
  const { run, outcome } = await runJob(makeEnv(store), spec('Account', 'insert'), 'Name\nA\n');
  t.same(outcome, { state: 'Failed', errorMessage: `Unknown : validation rule "Revenue_Typo" on Account does not compile: No such column 'AnualRevenue' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names. (column 1)` });
  t.equal(store.table('Account')!.count(true), before, 'no row written');
  t.equal(run.progress.numberRecordsProcessed, 0);
  // a delete job does not evaluate rules, so it is not blocked by one
  const del = await runJob(makeEnv(store), spec('Account', 'delete'), 'Id\n001000000000000AAA\n');
  t.equal(del.outcome.state, 'JobComplete');
});

t.test('an update is checked as the row it would save: stored fields the CSV does not send (CreatedDate) included', async (t) => {
  const h = await withEmulator(t, {
    seed: { base: 'empty', validationRules: { Account: [{ name: 'Old_Names_Stay', errorWhen: "CreatedDate != null AND Name = 'Renamed'", errorMessage: 'Created accounts keep their name', errorField: 'Name' }] } },
  });
  const { failed: none } = await insertOverHttp(h, 'Name\nRenamed\nOriginal\n');
  t.same(none, [], 'on insert CreatedDate is not set yet: the rule does not fire');
  const { csv } = await h.admin<{ csv: string }>('/query', { method: 'POST', body: JSON.stringify({ soql: "SELECT Id, CreatedDate FROM Account WHERE Name = 'Original'" }) });
  const [, [id, created]] = csvRows(csv) as [string[], [string, string]];
  t.match(created, /^\d{4}-\d\d-\d\dT/, 'the stored row has its CreatedDate');
  const row = { Id: id };
  const job = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'update' }) });
  await h.call(`jobs/ingest/${job.body.id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: `Id,Name\n${row.Id},Renamed\n` });
  await h.json(`jobs/ingest/${job.body.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  t.equal((await h.waitFor(`jobs/ingest/${job.body.id}`)).numberRecordsFailed, 1);
  const failed = csvRows(await (await h.call(`jobs/ingest/${job.body.id}/failedResults`)).text()).slice(1);
  t.same(failed.map((r) => r[1]), ['FIELD_CUSTOM_VALIDATION_EXCEPTION:Created accounts keep their name:Name --']);
});
