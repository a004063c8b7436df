// Which row errors send a row to another job (transient) and which go to the failed-rows output (permanent),
// read from sf__Error values as Salesforce writes them.
import t from 'tap';
import { isTransientRowError } from '../../src/target/chunk-job.js';

const CASES: readonly (readonly [string, boolean])[] = [
  ['UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--', true],
  ['API_TEMPORARILY_UNAVAILABLE:API is temporarily unavailable, please try again later:--', true],
  ['REQUEST_RUNNING_TOO_LONG:Your request was running for too long, and has been stopped.:--', true],
  ['QUERY_TIMEOUT:Your query request was running for too long.:--', true],
  ['SERVER_UNAVAILABLE:Server temporarily unavailable:--', true],
  ['REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --', false],
  ['FIELD_CUSTOM_VALIDATION_EXCEPTION:Annual revenue cannot be negative:AnnualRevenue --', false],
  ['DUPLICATE_VALUE:duplicate value found: External_Id__c duplicates value on record with id: 001000000000001AAA:--', false],
  ['API_TEMPORARILY_UNAVAILABLE_SOON:not a real code:--', false],
];

t.test('lock, timeout and availability errors are transient; errors about the row itself are permanent', async (t) => {
  for (const [error, transient] of CASES) t.equal(isTransientRowError(error), transient, error);
});
