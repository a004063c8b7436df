// Row-level outcomes of the ingest engine: Salesforce's sf__Error texts, value coercion, #N/A, empty cells.
import t from 'tap';
import { dataRows, makeEnv, makeStore, NOW, onlyError, runJob, spec } from './ingest-helpers.js';

async function insertOne(object: string, csv: string, opts: Parameters<typeof makeStore>[0] = {}) {
  const store = makeStore(opts);
  const env = makeEnv(store);
  return { store, ...(await runJob(env, spec(object, 'insert'), csv)) };
}

t.test('deserialization errors name the 1-based column and the xsd type', async (t) => {
  const cases: [string, string, string][] = [
    ['Opportunity', 'Name,StageName,CloseDate\nBig deal,Prospecting,2003-04-987654321987654321\n',
      "INVALID_FIELD:Failed to deserialize field at col 3. Due to, '2003-04-987654321987654321' is not a valid value for the type xsd:date:CloseDate --"],
    ['Account', 'Name,NumberOfEmployees\nAcme,12.5\n',
      "INVALID_FIELD:Failed to deserialize field at col 2. Due to, '12.5' is not a valid value for the type xsd:int:NumberOfEmployees --"],
    ['Account', 'AnnualRevenue,Name\n1\u00a0000,Acme\n',
      "INVALID_FIELD:Failed to deserialize field at col 1. Due to, '1\u00a0000' is not a valid value for the type xsd:double:AnnualRevenue --"],
    ['Invoice__c', 'Paid__c,Account__c\nyes,001000000000000AAA\n',
      "INVALID_FIELD:Failed to deserialize field at col 1. Due to, 'yes' is not a valid value for the type xsd:boolean:Paid__c --"],
    ['Invoice__c', 'Account__c,Paid_At__c\n001000000000000AAA,2026-11-22 14:43:08\n',
      "INVALID_FIELD:Failed to deserialize field at col 2. Due to, '2026-11-22 14:43:08' is not a valid value for the type xsd:dateTime:Paid_At__c --"],
    ['Opportunity', 'Name,StageName,CloseDate\nDeal,Prospecting,6/15/19\n',
      "INVALID_FIELD:Failed to deserialize field at col 3. Due to, '6/15/19' is not a valid value for the type xsd:date:CloseDate --"],
    ['Opportunity', 'Name,StageName,CloseDate\nDeal,Prospecting,2026-02-30\n',
      "INVALID_FIELD:Failed to deserialize field at col 3. Due to, '2026-02-30' is not a valid value for the type xsd:date:CloseDate --"],
  ];
  for (const [object, csv, expected] of cases) {
    const { run, outcome } = await insertOne(object, csv);
    t.same(outcome, { state: 'JobComplete' });
    t.equal(onlyError(run), expected, expected.slice(0, 80));
    t.equal(run.progress.numberRecordsFailed, 1);
    t.equal(run.progress.numberRecordsProcessed, 1);
  }
});

t.test('values are coerced to the stored types', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const acc = await runJob(env, spec('Account', 'insert'), 'Name,External_Id__c\nParent,P1\n');
  const accId = acc.run.successfulResults().split('\n')[1].slice(1, 19);
  const csv = [
    'Account__c,Paid__c,Paid_At__c,Due_Date__c,Amount__c,Quantity__c,Notes__c',
    `${accId},TRUE,2026-11-22T14:43:08Z,2026-12-01,12.345,1e3,  spaced  `,
    `${accId},false,2026-11-22T16:43:08.123+02:00,2026-12-01,-0.5,7,"multi\nline"`,
    `${accId},1,2026-11-22T14:43:08+0000,,,,`,
  ].join('\n');
  const { run, outcome } = await runJob(env, spec('Invoice__c', 'insert'), csv);
  t.same(outcome, { state: 'JobComplete' });
  t.equal(run.progress.numberRecordsFailed, 0, run.failedResults());
  const ids = dataRows(run.successfulResults()).map((r) => r[0]);
  const table = store.table('Invoice__c')!;
  const [a, b, c] = ids.map((id) => table.get(id)!);
  t.equal(a.Paid__c, true);
  t.equal(a.Paid_At__c, Date.UTC(2026, 10, 22, 14, 43, 8));
  t.equal(a.Due_Date__c, '2026-12-01');
  t.equal(a.Amount__c, 12.35, 'rounded to the field scale (2)');
  t.equal(a.Quantity__c, 1000, 'scientific notation accepted for doubles');
  t.equal(a.Notes__c, '  spaced  ', 'values are not trimmed');
  t.equal(b.Paid__c, false);
  t.equal(b.Paid_At__c, Date.UTC(2026, 10, 22, 14, 43, 8, 123), 'offset +02:00 applied, millis kept');
  t.equal(b.Notes__c, 'multi\nline');
  t.equal(b.Amount__c, -0.5);
  t.equal(c.Paid__c, true, '1 is an xsd:boolean true');
  t.equal(c.Paid_At__c, Date.UTC(2026, 10, 22, 14, 43, 8), '+0000 accepted');
  t.equal(c.Amount__c ?? null, null, 'empty cell: no value');
  t.equal(a.CreatedDate, NOW, 'audit fields from the environment clock');
});

t.test('REQUIRED_FIELD_MISSING on insert and when #N/A clears a required field', async (t) => {
  const { run } = await insertOne('Opportunity', 'Name,StageName,CloseDate,Amount\nDeal,,,5\n');
  t.equal(onlyError(run), 'REQUIRED_FIELD_MISSING:Required fields are missing: [StageName, CloseDate]:StageName,CloseDate --');
  const store = makeStore();
  const env = makeEnv(store);
  const ins = await runJob(env, spec('Account', 'insert'), 'Name\nAcme\n');
  const id = dataRows(ins.run.successfulResults())[0][0];
  const upd = await runJob(env, spec('Account', 'update'), `Id,Name\n${id},#N/A\n`);
  t.equal(onlyError(upd.run), 'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --');
  t.equal(dataRows(upd.run.failedResults())[0][0], id, 'sf__Id carries the Id of a failed update');
});

t.test('#N/A sets null, empty leaves unchanged on update', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const ins = await runJob(env, spec('Account', 'insert'), 'Name,Phone,Website\nAcme,555-1234,acme.example.com\n');
  const id = dataRows(ins.run.successfulResults())[0][0];
  const upd = await runJob(env, spec('Account', 'update'), `Id,Phone,Website\n${id},#N/A,\n`);
  t.equal(upd.run.progress.numberRecordsFailed, 0, upd.run.failedResults());
  const row = store.table('Account')!.get(id)!;
  t.equal(row.Phone ?? null, null, '#N/A cleared Phone');
  t.equal(row.Website, 'acme.example.com', 'empty cell left Website unchanged');
  t.same(dataRows(upd.run.successfulResults())[0].slice(0, 2), [id, 'false'], 'sf__Created false for updates');
});

t.test('STRING_TOO_LONG, restricted picklist, email, numeric range', async (t) => {
  const long = 'x'.repeat(256);
  let r = await insertOne('Account', `Name\n${long}\n`);
  t.equal(onlyError(r.run), `STRING_TOO_LONG:Account Name: data value too large: ${long} (max length=255):Name --`);
  r = await insertOne('Account', 'Name,CleanStatus\nAcme,Sparkling\n');
  t.equal(onlyError(r.run), 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:Clean Status: bad value for restricted picklist field: Sparkling:CleanStatus --');
  r = await insertOne('Contact', 'LastName,Email\nSmith,not-an-email\n');
  t.equal(onlyError(r.run), 'INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --');
  r = await insertOne('Account', 'Name,NumberOfEmployees\nAcme,123456789\n');
  t.equal(onlyError(r.run), 'NUMBER_OUTSIDE_VALID_RANGE:Employees: value outside of valid range on numeric field: 123456789:NumberOfEmployees --');
  r = await insertOne('Account', 'Name,AnnualRevenue\nAcme,1e19\n');
  t.equal(onlyError(r.run), 'NUMBER_OUTSIDE_VALID_RANGE:Annual Revenue: value outside of valid range on numeric field: 1e19:AnnualRevenue --');
  r = await insertOne('Account', 'Name,Type\nAcme,Anything Goes\n');
  t.equal(r.run.progress.numberRecordsFailed, 0, 'an unrestricted picklist takes any value');
});

t.test('ids: malformed, wrong object type, missing parent, Id on insert', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const acc = await runJob(env, spec('Account', 'insert'), 'Name\nAcme\n');
  const accId = dataRows(acc.run.successfulResults())[0][0];
  const con = await runJob(env, spec('Contact', 'insert'), `LastName,AccountId\nA,xyz\nB,${accId.slice(0, 15)}\n`);
  const rows = dataRows(con.run.failedResults());
  t.equal(rows.length, 1);
  t.equal(rows[0][1], 'MALFORMED_ID:Account ID: id value of incorrect type: xyz:AccountId --');
  const conId = dataRows(con.run.successfulResults())[0][0];
  t.equal(store.table('Contact')!.get(conId)!.AccountId, accId, 'a 15-character id is stored in its 18-character form');

  const wrong = await runJob(env, spec('Contact', 'insert'), `LastName,AccountId\nC,${conId}\n`);
  t.equal(onlyError(wrong.run), `FIELD_INTEGRITY_EXCEPTION:Account ID: id value of incorrect type: ${conId}:AccountId --`);

  const missing = await runJob(env, spec('Contact', 'insert'), 'LastName,AccountId\nD,0015g00000ZZZZZAAA\n');
  t.match(onlyError(missing.run), /^(INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--|MALFORMED_ID:)/);
  const missing2 = await runJob(env, spec('Contact', 'insert'), `LastName,AccountId\nD,${accId.slice(0, 14)}Z\n`);
  t.equal(onlyError(missing2.run), 'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--');

  const withId = await runJob(env, spec('Account', 'insert'), `Id,Name\n${accId},Again\n`);
  t.equal(onlyError(withId.run), 'INVALID_FIELD_FOR_INSERT_UPDATE:cannot specify Id in an insert call:Id --');
});

t.test('INVALID_FIELD_FOR_INSERT_UPDATE for fields the operation cannot write', async (t) => {
  const r = await insertOne('Account', 'Name,CreatedDate,PhotoUrl\nAcme,2026-01-01T00:00:00Z,http://x\n');
  t.equal(
    onlyError(r.run),
    'INVALID_FIELD_FOR_INSERT_UPDATE:Unable to create/update fields: CreatedDate, PhotoUrl. Please check the security settings of this field and verify that it is read/write for your profile or permission set.:CreatedDate,PhotoUrl --',
  );
  const empty = await insertOne('Account', 'Name,CreatedDate\nAcme,\n');
  t.equal(empty.run.progress.numberRecordsFailed, 0, 'an empty cell writes nothing, so it is no error');
});

t.test('DUPLICATE_VALUE for a unique field', async (t) => {
  const r = await insertOne('Account', 'Name,External_Id__c\nA,K1\nB,k1\n');
  const rows = dataRows(r.run.failedResults());
  t.equal(rows.length, 1);
  const first = dataRows(r.run.successfulResults())[0][0];
  t.equal(rows[0][1], `DUPLICATE_VALUE:duplicate value found: External_Id__c duplicates value on record with id: ${first}:--`);
});

t.test('relationship columns resolve parents by external id / idLookup', async (t) => {
  const store = makeStore();
  const env = makeEnv(store);
  const acc = await runJob(env, spec('Account', 'insert'), 'Name,External_Id__c\nAcme,EXT-1\n');
  const accId = dataRows(acc.run.successfulResults())[0][0];
  const con = await runJob(env, spec('Contact', 'insert'), 'LastName,Email,Account.External_Id__c\nA,a@example.com,ext-1\nB,b@example.com,NOPE\nC,c@example.com,#N/A\n');
  const ok = dataRows(con.run.successfulResults());
  t.equal(ok.length, 2);
  t.equal(store.table('Contact')!.get(ok[0][0])!.AccountId, accId, 'matched case-insensitively');
  t.equal(store.table('Contact')!.get(ok[1][0])!.AccountId ?? null, null, '#N/A in a relationship column: no parent');
  t.equal(onlyError(con.run), 'INVALID_FIELD:Foreign key external ID: NOPE not found for field External_Id__c in entity Account:--');

  const inv = await runJob(env, spec('Invoice__c', 'insert'), `Account__r.External_Id__c,User:Owner.Username,Name\nEXT-1,${store.user.username},I-1\n`);
  t.equal(inv.run.progress.numberRecordsFailed, 0, inv.run.failedResults());
  const invRow = store.table('Invoice__c')!.get(dataRows(inv.run.successfulResults())[0][0])!;
  t.equal(invRow.Account__c, accId);
  t.equal(invRow.OwnerId, store.user.id, 'polymorphic Owner set through User:Owner.Username');

  // Contact.Email is idLookup (not unique): two contacts with one address make the key ambiguous
  await runJob(env, spec('Contact', 'insert'), 'LastName,Email\nX,same@example.com\nY,same@example.com\n');
  const child = await runJob(env, spec('Contact', 'insert'), 'LastName,ReportsTo.Email\nZ,same@example.com\n');
  t.match(onlyError(child.run), /^INVALID_FIELD:Foreign key external ID: same@example.com matches multiple records/);
});

t.test('FIELD_CUSTOM_VALIDATION_EXCEPTION from the seed rules, on the would-be row', async (t) => {
  const validationRules = {
    Account: [
      { name: 'NoNegativeRevenue', active: true, errorWhen: 'AnnualRevenue < 0', errorMessage: 'Annual revenue cannot be negative', errorField: 'AnnualRevenue' },
      { name: 'Inactive', active: false, errorWhen: "Name = 'Blocked'", errorMessage: 'never' },
      { name: 'NoTest', active: true, errorWhen: "Name = 'Test'", errorMessage: 'Test accounts are not allowed' },
    ],
  };
  const store = makeStore({ validationRules });
  const env = makeEnv(store);
  const r = await runJob(env, spec('Account', 'insert'), 'Name,AnnualRevenue\nGood,10\nBad,-5\nTest,1\nBlocked,1\n');
  const failed = dataRows(r.run.failedResults()).map((row) => row[1]);
  t.same(failed, [
    'FIELD_CUSTOM_VALIDATION_EXCEPTION:Annual revenue cannot be negative:AnnualRevenue --',
    'FIELD_CUSTOM_VALIDATION_EXCEPTION:Test accounts are not allowed:--',
  ], 'active rules fire; the inactive one does not');
  // update: the rule sees the stored values merged with the changes
  const goodId = dataRows(r.run.successfulResults())[0][0];
  const u = await runJob(env, spec('Account', 'update'), `Id,AnnualRevenue\n${goodId},-1\n`);
  t.equal(onlyError(u.run), 'FIELD_CUSTOM_VALIDATION_EXCEPTION:Annual revenue cannot be negative:AnnualRevenue --');
  const u2 = await runJob(env, spec('Account', 'update'), `Id,Phone\n${goodId},555\n`);
  t.equal(u2.run.progress.numberRecordsFailed, 0);
});
