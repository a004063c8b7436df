// Whole-job failures: line endings, CSV syntax, header validation, permissions. The job fails before any
// row is processed (numberRecordsProcessed 0) and every readable row is reported as unprocessed.
import t, { type Test } from 'tap';
import { checkJobSpec, IngestRun, precheckUpload, type IngestJobSpec } from '../../src/emulator/ingest/index.js';
import { dataRows, makeEnv, makeStore, runJob, spec } from './ingest-helpers.js';

async function failsWith(t: Test, s: IngestJobSpec, csv: string | Buffer, message: string, opts: { unprocessed?: number; hardDeleteAllowed?: boolean } = {}) {
  const store = makeStore();
  const env = makeEnv(store, { hardDeleteAllowed: opts.hardDeleteAllowed ?? true });
  const { run, outcome } = await runJob(env, s, csv);
  t.same(outcome, { state: 'Failed', errorMessage: message }, message);
  t.equal(run.progress.numberRecordsProcessed, 0);
  t.equal(run.progress.numberRecordsFailed, 0);
  if (opts.unprocessed !== undefined) t.equal(dataRows(run.unprocessedRecords()).length, opts.unprocessed, 'rows reported unprocessed');
  t.equal(dataRows(run.successfulResults()).length + dataRows(run.failedResults()).length, 0);
  t.equal(store.table(s.object)?.count() ?? 0, 0, 'nothing written');
  return run;
}

t.test('line endings must match the job (checked on the raw bytes)', async (t) => {
  await failsWith(t, spec('Account', 'insert'), 'Name\r\nAcme\r\n', 'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF');
  await failsWith(t, spec('Account', 'insert', { lineEnding: 'CRLF' }), 'Name\nAcme\n', 'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF');
  await failsWith(
    t,
    spec('Account', 'insert', { lineEnding: 'CRLF' }),
    'Name,Description\r\nAcme,"two\nlines"\r\n',
    'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF',
  );
  // a CR alone is data in an LF job
  const store = makeStore();
  const env = makeEnv(store);
  const { run, outcome } = await runJob(env, spec('Account', 'insert'), 'Name,Description\nAcme,a\rb\n');
  t.same(outcome, { state: 'JobComplete' });
  const id = dataRows(run.successfulResults())[0][0];
  t.equal(store.table('Account')!.get(id)!.Description, 'a\rb');
});

t.test('CSV syntax errors fail the job', async (t) => {
  const unescaped = 'InvalidBatch : Failed to parse CSV. Found unescaped quote. A value with quote should be within a quote';
  await failsWith(t, spec('Account', 'insert'), 'Name\nAc"me\n', unescaped);
  await failsWith(t, spec('Account', 'insert'), 'Name,Site\n"Acme"x,y\n', unescaped);
  await failsWith(t, spec('Account', 'insert'), 'Name\n"Acme\n', 'InvalidBatch : Failed to parse CSV. EOF reached before closing an opened quote');
  await failsWith(t, spec('Account', 'insert'), 'Name,Site\nAcme\n', 'InvalidBatch : Failed to parse CSV. Row 1 has 1 columns but the header has 2');
  // a UTF-8 BOM is not stripped: before a quoted header cell it is an unescaped quote (as on Salesforce)
  await failsWith(t, spec('Account', 'insert'), Buffer.from('\ufeff"Name"\nAcme\n'), unescaped);
  await failsWith(t, spec('Account', 'insert'), Buffer.from('\ufeffName\nAcme\n'), 'InvalidBatch : Field name not found : \ufeffName', { unprocessed: 1 });
});

t.test('delimiters, quoting and empty lines', async (t) => {
  for (const [columnDelimiter, d] of [['TAB', '\t'], ['SEMICOLON', ';'], ['CARET', '^'], ['BACKQUOTE', '`'], ['PIPE', '|'], ['COMMA', ',']] as const) {
    const store = makeStore();
    const env = makeEnv(store);
    const csv = `Name${d}Description\n"A${d}B"${d}"say ""x"""\n\nC${d}\n`;
    const { run, outcome } = await runJob(env, spec('Account', 'insert', { columnDelimiter }), csv);
    t.same(outcome, { state: 'JobComplete' }, columnDelimiter);
    t.equal(run.progress.numberRecordsProcessed, 2, `${columnDelimiter}: the empty line is skipped`);
    const names = [...store.table('Account')!.scan(false)].map((r) => [r.Name, r.Description ?? null]);
    t.same(names, [[`A${d}B`, 'say "x"'], ['C', null]]);
  }
});

t.test('header validation', async (t) => {
  const all = 2;
  await failsWith(t, spec('Account', 'insert'), 'Account Name,Phone\nAcme,1\nB,2\n', 'InvalidBatch : Field name not found : Account Name', { unprocessed: all });
  await failsWith(t, spec('Account', 'insert'), 'Name,Nope__c\nAcme,1\nB,2\n', 'InvalidBatch : Field name not found : Nope__c', { unprocessed: all });
  await failsWith(t, spec('Account', 'delete'), 'Id,Name\n001,x\n002,y\n', "InvalidBatch : The 'delete' batch must contain only ids.", { unprocessed: all });
  await failsWith(t, spec('Account', 'hardDelete'), 'Name\nx\n', "InvalidBatch : The 'delete' batch must contain only ids.");
  await failsWith(t, spec('Contact', 'insert'), 'LastName,Account.Name\nA,x\n', 'InvalidBatch : Name is not an External ID or indexed field for Account');
  await failsWith(t, spec('Contact', 'insert'), 'LastName,Account.Nope__c\nA,x\n', 'InvalidBatch : Field name not found : Account.Nope__c');
  await failsWith(t, spec('Contact', 'insert'), 'LastName,Acme.External_Id__c\nA,x\n', 'InvalidBatch : Unable to find relationship: Acme');
  await failsWith(t, spec('Invoice__c', 'insert'), 'Account:Account__r.External_Id__c\nx\n', 'InvalidBatch : type is not needed for non polymorphic foreign key references: Account__r');
  await failsWith(t, spec('Invoice__c', 'insert'), 'Account__r:Account.External_Id__c\nx\n', 'InvalidBatch : Unable to find relationship: Account');
  await failsWith(t, spec('Invoice__c', 'insert'), 'Owner:User:Username\nx\n', 'InvalidBatch : Field name not found : Owner:User:Username');
  await failsWith(t, spec('Invoice__c', 'insert'), 'Account__c,Owner.Username\nx,y\n', 'InvalidBatch : type is required for polymorphic foreign key references: Owner');
  await failsWith(t, spec('Account', 'insert'), 'Name,name\nx,y\n', 'InvalidBatch : Duplicate field name : name');
});

t.test('hardDelete needs the Bulk API Hard Delete permission', async (t) => {
  await failsWith(
    t,
    spec('Account', 'hardDelete'),
    'Id\n0015g00000A0000AAB\n',
    'FeatureNotEnabled : hardDelete operation requires special user profile permission, please contact your system administrator',
    { hardDeleteAllowed: false, unprocessed: 1 },
  );
  const store = makeStore();
  t.same(checkJobSpec(store, { object: 'Account', operation: 'hardDelete' }, false), {
    status: 400,
    errorCode: 'FEATURENOTENABLED',
    message: 'FeatureNotEnabled : hardDelete operation requires special user profile permission, please contact your system administrator',
  });
  t.equal(checkJobSpec(store, { object: 'Account', operation: 'hardDelete' }, true), undefined);
});

t.test('job-creation checks for the server', async (t) => {
  const store = makeStore();
  t.same(checkJobSpec(store, { object: 'Account', operation: 'upsert', externalIdFieldName: 'Website' }, true), {
    status: 400,
    errorCode: 'INVALIDJOB',
    message: 'InvalidJob : Field name provided, Website does not match an External ID, Salesforce Id, or indexed field for Account',
  });
  t.equal(checkJobSpec(store, { object: 'Account', operation: 'upsert', externalIdFieldName: 'External_Id__c' }, true), undefined);
  t.equal(checkJobSpec(store, { object: 'Account', operation: 'upsert', externalIdFieldName: 'Id' }, true), undefined);
  t.equal(checkJobSpec(store, { object: 'Nope__c', operation: 'insert' }, true)?.errorCode, 'INVALIDJOB');
  t.equal(precheckUpload(store, spec('Account', 'insert'), Buffer.from('Account Name\nx\n')), 'InvalidBatch : Field name not found : Account Name');
  t.equal(precheckUpload(store, spec('Account', 'insert'), Buffer.from('Name\nx\n')), undefined);
});

t.test('a header-only upload completes with nothing to do; start() is idempotent', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const run = new IngestRun(env, spec('Account', 'insert'), Buffer.from('Name\n'));
  const p = run.start();
  t.equal(run.start(), p);
  t.same(await p, { state: 'JobComplete' });
  t.equal(run.successfulResults(), '"sf__Id","sf__Created",Name\n');
  t.equal(run.failedResults(), '"sf__Id","sf__Error",Name\n');
  t.equal(run.unprocessedRecords(), 'Name\n');
});
