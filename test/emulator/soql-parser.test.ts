// What Bulk API 2.0 accepts at job create, and what it refuses with which errorCode and text.
import t from 'tap';
import { compileQuery } from '../../src/emulator/query/index.js';
import { SoqlError } from '../../src/emulator/soql/index.js';
import { fixtureStore } from './soql-fixture.js';

const store = fixtureStore();

function refusal(soql: string): { errorCode: string; message: string } {
  try {
    compileQuery(store, soql);
  } catch (e) {
    if (e instanceof SoqlError) return { errorCode: e.errorCode, message: e.message };
    throw e;
  }
  throw new Error(`accepted: ${soql}`);
}

t.test('accepts the Bulk 2.0 subset and names columns as queried, in canonical case', async (t) => {
  const cases: [string, string[]][] = [
    ['SELECT Id, Name FROM Account', ['Id', 'Name']],
    ['select id, NAME from ACCOUNT', ['Id', 'Name']],
    ['SELECT LastName, Account.Name, account.owner.name FROM Contact', ['LastName', 'Account.Name', 'Account.Owner.Name']],
    ['SELECT Billing_Account__r.Name FROM Contact', ['Billing_Account__r.Name']],
    ['SELECT Subject, Owner.Name FROM Case', ['Subject', 'Owner.Name']],
    ['SELECT c.LastName, c.Account.Name FROM Contact c', ['LastName', 'Account.Name']],
    ['SELECT Id FROM Account WHERE Name = \'x\' ORDER BY Name DESC NULLS LAST, Id LIMIT 10', ['Id']],
    ['SELECT Id FROM Account WHERE (Name = \'a\' OR Name = \'b\') AND IsPartner = true', ['Id']],
    ['SELECT Id FROM Account WHERE NOT Name LIKE \'a%\'', ['Id']],
    ['SELECT Id FROM Account WHERE Industry NOT IN (\'Energy\', null) AND AnnualRevenue >= 1.5e3', ['Id']],
    ['SELECT Id FROM Account WHERE CreatedDate > 2026-01-31T10:00:00Z AND CreatedDate < 2026-02-01T10:00:00.000+01:00', ['Id']],
    ['SELECT Id FROM Account WHERE LastActivityDate = 2026-01-31 OR LastActivityDate = LAST_N_DAYS:30', ['Id']],
    ['SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = 2026', ['Id']],
    ['SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE IsPartner = true)', ['Id']],
    ['SELECT Id FROM Account WHERE Tags__c INCLUDES (\'a;b\', \'c\')', ['Id']],
    ['SELECT Id FROM Account WITH SECURITY_ENFORCED', ['Id']],
    ['SELECT Id,\n  Name\nFROM Account\nWHERE Name != \'it\\\'s\'', ['Id', 'Name']],
  ];
  for (const [soql, columns] of cases) {
    const q = compileQuery(store, soql);
    t.same(q.columns, columns, soql);
  }
  t.equal(compileQuery(store, 'select id from contact').object.name, 'Contact', 'object resolves to its canonical name');
});

t.test('FIELDS() expands to describe order; compound fields in it are refused', async (t) => {
  t.same(compileQuery(store, 'SELECT FIELDS(STANDARD) FROM Case').columns, ['Id', 'IsDeleted', 'CreatedDate', 'SystemModstamp', 'Subject', 'Status', 'OwnerId', 'AccountId']);
  t.same(refusal('SELECT FIELDS(ALL) FROM Account LIMIT 200'), { errorCode: 'API_ERROR', message: 'Selecting compound data not supported in Bulk Query' });
});

t.test('unknown object: INVALID_TYPE with the positioned sObject text', async (t) => {
  t.same(refusal('SELECT Id FROM Foo'), {
    errorCode: 'INVALID_TYPE',
    message:
      "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. If you are " +
      "attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your " +
      'WSDL or the describe call for the appropriate names.',
  });
  // Salesforce's captured excerpt for this shape of query shows the whole line (Row:1:Column:37).
  const m = refusal("SELECT Id, Name, AccountNumber FROM AccountOpps WHERE Name like 'okToDelete%'").message;
  t.ok(m.startsWith("\nSELECT Id, Name, AccountNumber FROM AccountOpps WHERE Name like 'okToDelete%'\n" + ' '.repeat(36) + '^\nERROR at Row:1:Column:37\n'));
});

t.test('unknown field: INVALID_FIELD "No such column" with ERROR at Row:Column', async (t) => {
  t.same(refusal('Select Id, Status, Body from Case'), {
    errorCode: 'INVALID_FIELD',
    message:
      "\nSelect Id, Status, Body from Case\n                   ^\nERROR at Row:1:Column:20\nNo such column 'Body' on entity " +
      "'Case'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. " +
      'Please reference your WSDL or the describe call for the appropriate names.',
  });
  const parent = refusal('SELECT Account.Nope FROM Contact');
  t.equal(parent.errorCode, 'INVALID_FIELD');
  t.match(parent.message, /ERROR at Row:1:Column:8\nNo such column 'Nope' on entity 'Account'\./);
  const where = refusal('SELECT Id FROM Account\nWHERE Nope__c = 1');
  t.match(where.message, /^\nWHERE Nope__c = 1\n {6}\^\nERROR at Row:2:Column:7\nNo such column 'Nope__c'/);
});

t.test('unknown relationship: INVALID_FIELD "Didn\'t understand relationship"', async (t) => {
  const r = refusal('SELECT Acount.Name FROM Contact');
  t.equal(r.errorCode, 'INVALID_FIELD');
  t.match(r.message, /\nERROR at Row:1:Column:8\nDidn't understand relationship 'Acount' in field path\. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name\./);
  t.match(refusal('SELECT Name.Foo FROM Account').message, /Didn't understand relationship 'Name'/, 'a plain field is not a relationship');
});

t.test('syntax errors: MALFORMED_QUERY "unexpected token"', async (t) => {
  t.same(refusal('SELECT Id FRM Account'), {
    errorCode: 'MALFORMED_QUERY',
    message: "\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FRM'",
  });
  t.match(refusal('SELECT Id, FROM Account').message, /ERROR at Row:1:Column:12\nunexpected token: 'FROM'$/, 'trailing comma');
  t.match(refusal('SELECT Id FROM Account WHERE').message, /unexpected token: '<EOF>'$/);
  t.match(refusal('SELECT Id FROM Account LIMIT x').message, /unexpected token: 'x'$/);
  t.match(refusal("SELECT Id FROM Account WHERE Name = 'open").message, /unexpected token: ''open'$/);
  t.equal(refusal('').errorCode, 'MALFORMED_QUERY');
  t.match(refusal('SELECT Id FROM Account WHERE Name = :name').message, /Bind variables only allowed in Apex code$/);
});

t.test('mixing AND and OR needs parentheses, as in SOQL', async (t) => {
  // Captured from Salesforce for a query of this shape: "MALFORMED_QUERY: '0014000000p6XlS' AND
  // LastName LIKE 'test' OR email LIKE 'test' ERROR at Row:3:Column:61 unexpected token: OR".
  const line3 = "WHERE AccountId = '0014000000p6XlS' AND LastName LIKE 'test' OR email LIKE 'test'";
  const r = refusal(`SELECT Id, Email, LastName\nFROM Contact\n${line3}`);
  t.equal(r.errorCode, 'MALFORMED_QUERY');
  const or = line3.indexOf(' OR ') + 1;
  const excerpt = line3.slice(line3.indexOf('AND'));
  t.equal(r.message, `\n${excerpt}\n${' '.repeat(or - line3.indexOf('AND'))}^\nERROR at Row:3:Column:${or + 1}\nunexpected token: 'OR'`);
  t.match(refusal("SELECT Id FROM Account WHERE Name = 'a' AND NOT (Name = 'b')").message, /unexpected token: 'NOT'$/, 'NOT only opens a group');
  t.ok(compileQuery(store, "SELECT Id FROM Account WHERE Name = 'a' AND (NOT Name = 'b')"), 'NOT inside parentheses is fine');
});

t.test('Bulk API 2.0 refusals: API_ERROR with Salesforce text', async (t) => {
  const aggregate = { errorCode: 'API_ERROR', message: 'Aggregate Relationships not supported in Bulk V2 Query with CSV content type' };
  t.same(refusal('SELECT Id, (SELECT Id FROM Contacts) FROM Account'), aggregate, 'parent-to-child subquery');
  t.same(refusal('SELECT COUNT() FROM Account'), aggregate, 'COUNT()');
  t.same(refusal('SELECT SUM(AnnualRevenue) total FROM Account'), aggregate, 'SUM');
  t.same(refusal('SELECT MAX(NumberOfEmployees) FROM Account'), aggregate, 'MAX');
  t.same(refusal('SELECT Industry FROM Account GROUP BY Industry'), aggregate, 'GROUP BY');
  t.same(refusal('SELECT Industry FROM Account GROUP BY Industry HAVING COUNT(Id) > 1'), aggregate, 'HAVING');
  t.same(refusal('SELECT Id FROM Account LIMIT 10 OFFSET 5'), { errorCode: 'API_ERROR', message: 'OFFSET clause not supported in Bulk V2 Query with CSV content type' });
  t.same(refusal('SELECT TYPEOF Owner WHEN User THEN Name END FROM Case'), { errorCode: 'API_ERROR', message: 'TYPEOF clause not supported in Bulk V2 Query with CSV content type' });
  t.same(refusal('SELECT Id, BillingAddress FROM Account'), { errorCode: 'API_ERROR', message: 'Selecting compound data not supported in Bulk Query' });
  t.same(refusal('SELECT Id, Logo__c FROM Account'), { errorCode: 'API_ERROR', message: 'Blob field not supported in Bulk V2 Query with CSV content type' });
  t.ok(compileQuery(store, 'SELECT BillingCity, BillingLatitude FROM Account'), 'components of a compound field are fine');
});

t.test('field-level checks', async (t) => {
  t.same(refusal('SELECT Id, Name, id FROM Account'), { errorCode: 'INVALID_FIELD', message: 'duplicate field selected: Id' });
  t.same(refusal("SELECT Id FROM Account WHERE Description = 'x'"), { errorCode: 'INVALID_FIELD', message: "field 'Description' can not be filtered in query call" });
  t.same(refusal('SELECT Id FROM Account ORDER BY Description'), { errorCode: 'INVALID_FIELD', message: "field 'Description' can not be sorted in a query call" });
  const quoted = refusal("SELECT Id FROM Account WHERE CreatedDate > '2020-01-01'");
  t.equal(quoted.errorCode, 'INVALID_FIELD');
  t.match(quoted.message, /Column:44\nvalue of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes$/);
  t.match(refusal('SELECT Id FROM Account WHERE CreatedDate > 2020-01-01').message, /must be of type dateTime and should not be enclosed in quotes$/);
  t.match(refusal("SELECT Id FROM Account WHERE LastActivityDate = '2020-01-01'").message, /field 'LastActivityDate' must be of type date and should not be enclosed in quotes$/);
  t.match(refusal("SELECT Id FROM Account WHERE IsPartner = 'true'").message, /must be of type boolean and should not be enclosed in quotes$/);
  t.match(refusal("SELECT Id FROM Account WHERE AnnualRevenue > '5'").message, /must be of type double and should not be enclosed in quotes$/);
  t.match(refusal('SELECT Id FROM Account WHERE Name = 5').message, /field 'Name' must be of type string and should be enclosed in quotes$/);
  const badId = refusal("SELECT Id FROM Account WHERE Id = 'abc'");
  t.equal(badId.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
  t.match(badId.message, /\ninvalid ID field: abc$/);
  t.match(refusal('SELECT Id FROM Account WHERE LastActivityDate = 2026-02-30').message, /unexpected token: '2026-02-30'$/, 'impossible date');
});

t.test('a relationship whose parent object the org does not have is not understood', async (t) => {
  t.match(refusal('SELECT RecordType.Name FROM Account').message, /Didn't understand relationship 'RecordType'/);
});
