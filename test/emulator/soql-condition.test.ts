// compileCondition: the WHERE-style conditions of custom validation rules, over a record's own fields.
import t from 'tap';
import { compileCondition, SoqlError } from '../../src/emulator/soql/index.js';
import { accountType, field, sobject } from './soql-fixture.js';

const invoice = sobject('Invoice__c', 'a0B', [
  field('Id', 'id'),
  field('Name', 'string'),
  field('Status__c', 'picklist'),
  field('Paid_At__c', 'datetime'),
  field('Due__c', 'date'),
  field('Amount__c', 'currency'),
  field('Approved__c', 'boolean'),
]);

t.test('validation rules from the seed', async (t) => {
  const negative = compileCondition(accountType, 'AnnualRevenue < 0');
  t.equal(negative({ AnnualRevenue: -5 }), true);
  t.equal(negative({ AnnualRevenue: 5 }), false);
  t.equal(negative({ AnnualRevenue: null }), false, 'null is not less than 0');
  t.equal(negative({}), false, 'a missing property reads as null');

  const paidWithoutDate = compileCondition(invoice, "Status__c = 'Paid' AND Paid_At__c = null");
  t.equal(paidWithoutDate({ Status__c: 'Paid', Paid_At__c: null }), true);
  t.equal(paidWithoutDate({ Status__c: 'paid' }), true, 'picklist text compares case-insensitively');
  t.equal(paidWithoutDate({ Status__c: 'Paid', Paid_At__c: Date.UTC(2026, 0, 1) }), false);
  t.equal(paidWithoutDate({ Status__c: 'Draft', Paid_At__c: null }), false);
});

t.test('operators and literals', async (t) => {
  const c = (expr: string) => compileCondition(invoice, expr);
  t.equal(c("Status__c != 'Paid'")({ Status__c: null }), true, '!= is true for null');
  t.equal(c("Status__c IN ('Paid', 'Void')")({ Status__c: 'void' }), true);
  t.equal(c("Status__c NOT IN ('Paid', 'Void')")({ Status__c: 'Draft' }), true);
  t.equal(c("Name LIKE 'INV-%'")({ Name: 'inv-0001' }), true);
  t.equal(c("Name LIKE 'INV-%'")({ Name: null }), false);
  t.equal(c('Amount__c >= 10.5 AND Amount__c <= 20')({ Amount__c: 10.5 }), true);
  t.equal(c('Due__c < 2026-01-31')({ Due__c: '2026-01-30' }), true);
  t.equal(c('Paid_At__c > 2026-01-31T00:00:00Z')({ Paid_At__c: Date.UTC(2026, 0, 31, 0, 0, 1) }), true);
  t.equal(c('Approved__c = false OR Amount__c > 100')({ Approved__c: true, Amount__c: 50 }), false);
  t.equal(c('NOT (Approved__c = true)')({ Approved__c: false }), true);
  t.equal(c('Due__c = TODAY')({ Due__c: new Date().toISOString().slice(0, 10) }), true, 'relative date literals');
  t.equal(c("(Status__c = 'Paid' OR Status__c = 'Void') AND Amount__c = null")({ Status__c: 'Void' }), true);
});

t.test('bad conditions throw SoqlError with Salesforce codes', async (t) => {
  const code = (expr: string): string => {
    try {
      compileCondition(invoice, expr);
    } catch (e) {
      if (e instanceof SoqlError) return e.errorCode;
      throw e;
    }
    return 'accepted';
  };
  t.equal(code('Nope__c = 1'), 'INVALID_FIELD');
  t.equal(code("Status__c = 'a' AND Name = 'b' OR Name = 'c'"), 'MALFORMED_QUERY');
  t.equal(code('Amount__c <'), 'MALFORMED_QUERY');
  t.equal(code("Amount__c > '1'"), 'INVALID_FIELD');
  t.equal(code("Owner.Name = 'x'"), 'INVALID_FIELD', 'no relationships: only the record\'s own fields');
  t.equal(code("Status__c = 'Paid' LIMIT 1"), 'MALFORMED_QUERY', 'a condition, not a query');
  t.equal(code("Description = null"), 'INVALID_FIELD', 'unknown on Invoice__c');
  t.equal(compileCondition(accountType, "Description = null")({}), true, 'a rule may read a long text area, which a query cannot filter on');
});
