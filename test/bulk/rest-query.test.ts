// The REST query resource for small lookups: typed answer without the `attributes` envelope, queryAll sees
// deleted rows, and a transient fault is retried by the HTTP layer (checked in the emulator's request log).
import t from 'tap';
import { clientRequests, connect, startEmu } from '../helpers/emulator.js';

t.test('restQuery: the earliest timestamp with one GET, queryAll, and retries', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu, { http_max_attempts: 3 });
  t.teardown(() => client.close());
  const stamps = ['2021-03-04T05:06:07.000Z', '2019-01-02T03:04:05.000Z', '2024-06-07T08:09:10.000Z'];
  await emu.admin('POST', '/seed', {
    base: 'empty',
    records: { Account: stamps.map((s, i) => ({ Name: `R${i}`, CreatedDate: s, LastModifiedDate: s, SystemModstamp: s, ...(i === 1 ? { IsDeleted: true } : {}) })) },
  });
  const soql = 'SELECT SystemModstamp FROM Account ORDER BY SystemModstamp ASC LIMIT 1';

  const since = await emu.lastSeq();
  const live = await client.restQuery(soql);
  t.same(live, { totalSize: 1, done: true, records: [{ SystemModstamp: '2021-03-04T05:06:07.000+0000' }] }, 'the deleted row is not seen by query');
  const calls = clientRequests(await emu.requests(since));
  t.equal(calls.length, 1, 'one request');
  t.match(calls[0]!.path, /^\/services\/data\/v\d+\.0\/query$/);
  t.notOk(calls.some((c) => c.path.includes('/jobs/')), 'no Bulk job');

  const all = await client.restQuery(soql, { all: true });
  t.equal(all.records[0]!.SystemModstamp, '2019-01-02T03:04:05.000+0000', 'queryAll sees the deleted row');

  const before = await emu.lastSeq();
  await emu.faults({ rules: [{ kind: 'http503', method: 'GET', path: '/query$', count: 1 }] });
  const retried = await client.restQuery(soql);
  t.same(retried, live, 'a 503 is retried');
  const sent = clientRequests(await emu.requests(before)).filter((r) => r.path.endsWith('/query'));
  t.same(sent.map((r) => r.status), [503, 200], 'seen by the server: the fault, then the answer');
});
