import t from 'tap';
import { batchesFor, bulkAllowance, parseLimitInfo } from '../../src/bulk/org/limits.js';

t.test('Sforce-Limit-Info is parsed in its documented forms', async (t) => {
  t.same(parseLimitInfo('api-usage=18/5000'), { apiUsage: { used: 18, max: 5000, remaining: 4982 } });
  t.same(parseLimitInfo('api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)'), {
    apiUsage: { used: 25, max: 5000, remaining: 4975 },
    perAppApiUsage: { used: 17, max: 250, remaining: 233, appName: 'sample-connected-app' },
  });
  t.same(parseLimitInfo('api-usage=110018/100000; api-bursts=1/750'), {
    apiUsage: { used: 110018, max: 100000, remaining: 0 },
    apiBursts: { used: 1, max: 750, remaining: 749 },
  });
  t.equal(parseLimitInfo(undefined), undefined);
  t.equal(parseLimitInfo(''), undefined);
  t.equal(parseLimitInfo('something=else'), undefined);
  t.same(parseLimitInfo(['api-usage=1/2']), { apiUsage: { used: 1, max: 2, remaining: 1 } });
});

t.test('the /limits reply is summarized as the Bulk allowances', async (t) => {
  const a = bulkAllowance({
    DailyApiRequests: { Max: 15000, Remaining: 14998 },
    DailyBulkApiBatches: { Max: 15000, Remaining: 14000 },
    DailyBulkV2QueryJobs: { Max: 10000, Remaining: 9990 },
    DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976000 },
    DataStorageMB: { Max: 5, Remaining: 5 },
  });
  t.same(a, {
    apiRequests: { max: 15000, remaining: 14998, used: 2 },
    bulkApiBatches: { max: 15000, remaining: 14000, used: 1000 },
    bulkV2QueryJobs: { max: 10000, remaining: 9990, used: 10 },
    bulkV2QueryFileStorageMB: { max: 976562, remaining: 976000, used: 562 },
  });
  t.same(bulkAllowance({}), {});
  t.equal(batchesFor(0), 0);
  t.equal(batchesFor(10_000), 1);
  t.equal(batchesFor(10_001), 2);
});
