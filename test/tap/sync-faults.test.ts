// A flaky org never costs a row: 503s, resets before an answer and a body cut mid-page are retried by the
// client, and the tap still writes every row exactly once, in order.
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { connection, discoverCatalog, orgRows, records, runTap, selectStreams, writeJson } from './tap-harness.js';

t.test('faults on job, listing and page requests: every row once, in order', async (t) => {
  const h = await withEmulator(t, { limits: { defaultPageRecords: 40 } });
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Contact']));
  await h.admin('/faults', {
    method: 'POST',
    body: JSON.stringify({
      seed: 7,
      rules: [
        // At most 5 in all: one request can never meet 6 (the attempts allowed), whatever order parallel pages draw in.
        { kind: 'http503', path: '/jobs/query', rate: 0.3, count: 5, retryAfterSeconds: 0 },
        { kind: 'connectionReset', path: '/results$', method: 'GET', skip: 2, count: 1 },
        { kind: 'resetMidResponse', path: '/results$', method: 'GET', skip: 4, count: 1 },
      ],
    }),
  });
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { max_parallel_pages: 3 })), '--catalog', catalog]);
  t.equal(run.code, 0, run.stderr);
  const log = await h.admin<any[]>('/requests');
  t.ok(log.some((e) => e.fault === 'http503'), '503s were served');
  t.ok(log.some((e) => e.fault === 'resetMidResponse'), 'a page body was cut');
  await h.admin('/faults', { method: 'DELETE' });
  const org = await orgRows(h, 'SELECT Id FROM Contact ORDER BY SystemModstamp ASC, Id ASC');
  t.same(records(run.lines).map((r) => r.record.Id), org.map((r) => r.Id), 'every row once, in order');
});
