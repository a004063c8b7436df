// Which row errors send a row to another job (transient) and which go to the failed-rows output (permanent),
// read from sf__Error values as Salesforce writes them.
import t from 'tap';
import { isTransientRowError } from '../../src/target/chunk-job.js';

t.test('lock, timeout and availability errors are transient', async (t) => {
  for (const e of [
    'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
    'API_TEMPORARILY_UNAVAILABLE:API is temporarily unavailable, please try again later:--',
    'REQUEST_RUNNING_TOO_LONG:Your request was running for too long, and has been stopped.:--',
    'QUERY_TIMEOUT:Your query request was running for too long.:--',
    'SERVER_UNAVAILABLE:Server temporarily unavailable:--',
  ]) t.ok(isTransientRowError(e), e);
});

t.test('errors about the row itself are permanent', async (t) => {
  for (const e of [
    'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
    'FIELD_CUSTOM_VALIDATION_EXCEPTION:Annual revenue cannot be negative:AnnualRevenue --',
    'DUPLICATE_VALUE:duplicate value found: External_Id__c duplicates value on record with id: 001000000000001AAA:--',
    'API_TEMPORARILY_UNAVAILABLE_SOON:not a real code:--',
  ]) t.notOk(isTransientRowError(e), e);
});
