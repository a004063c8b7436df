// Resumable to the row. The tap is stopped at a known page by a proxy that holds every later results request
// (no sleeps), killed with SIGKILL, and re-run with its last STATE: it continues the same job from the next page
// (the emulator's request log shows no page read twice), or, when the job is gone, queries again from the last
// (SystemModstamp, Id) written, with no row twice, although every row shares one timestamp.
import t from 'tap';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { connection, discoverCatalog, gateProxy, orgRows, records, runTap, seedAccounts, selectStreams, startTap, states, writeJson } from './tap-harness.js';

const PAGE = 10;

async function setup(t: any) {
  const h = await withEmulator(t, { limits: { defaultPageRecords: PAGE } });
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Account']));
  const stamp = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;
  // 80 rows: 60 share one SystemModstamp, so a page boundary falls inside equal timestamps.
  await seedAccounts(h, [
    ...Array.from({ length: 60 }, (_, i) => ({ Name: `Same-${i}`, stamp })),
    ...Array.from({ length: 20 }, (_, i) => ({ Name: `Later-${i}`, stamp: stamp + (i + 1) * 1000 })),
  ]);
  const org = await orgRows(h, 'SELECT Id FROM Account ORDER BY SystemModstamp ASC, Id ASC');
  return { h, dir, catalog, org };
}

/** Runs the tap through a proxy that lets `pages` results requests through, kills it -9 once their STATE is out. */
async function killAfterPages(h: Harness, t: any, dir: string, catalog: string, pages: number, stream = 'Account') {
  const proxy = await gateProxy(t, h.url, { holdResultsAfter: pages });
  await h.admin('/requests', { method: 'DELETE' });
  const tap = startTap(['--config', writeJson(dir, 'proxy.json', connection(proxy.url, { max_parallel_pages: 2 })), '--catalog', catalog]);
  const state = await tap.waitFor((m) => m.type === 'STATE' && m.value.bookmarks[stream]?.in_flight?.job?.rows_before === pages * PAGE);
  tap.child.kill('SIGKILL');
  const end = await tap.exited;
  t.equal(end.signal, 'SIGKILL');
  t.equal(states(tap.lines).at(-1), state.value, 'the last STATE out is the one after page ' + pages);
  return { state: state.value, lines: tap.lines };
}

t.test('kill -9 mid-extract, then resume the same job from the next page', async (t) => {
  const { h, dir, catalog, org } = await setup(t);
  const killed = await killAfterPages(h, t, dir, catalog, 3);
  const firstIds = records(killed.lines).map((r) => r.record.Id);
  t.same(firstIds, org.slice(0, 30).map((r) => r.Id), 'three pages written before the kill');
  const jobId = killed.state.bookmarks.Account.in_flight.job.id;

  const resumed = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { max_parallel_pages: 2 })), '--catalog', catalog, '--state', writeJson(dir, 's.json', killed.state)]);
  t.equal(resumed.code, 0, resumed.stderr);
  t.match(resumed.stderr, new RegExp(`resuming query job ${jobId} at locator`));
  const all = [...firstIds, ...records(resumed.lines).map((r) => r.record.Id)];
  t.same(all, org.map((r) => r.Id), 'no gap, no row twice, in order');
  const log = await h.admin<any[]>('/requests');
  // The first run's job only: the stretch between the first run's signpost and the second's holds no row, so a
  // REST lookup passes it over without a job.
  t.equal(log.filter((e) => e.method === 'POST' && /\/jobs\/query$/.test(e.path)).length, 1, 'no second job for the window in flight');
  t.match(resumed.stderr, /window\(s\) passed over without a query job/);
  const pageReads = log.filter((e) => e.method === 'GET' && e.path.endsWith(`/jobs/query/${jobId}/results`)).map((e) => e.query);
  t.equal(pageReads.length, org.length / PAGE, 'every page read once across both runs');
  t.equal(new Set(pageReads).size, pageReads.length, 'no page read twice');
});

t.test('kill -9 mid-extract, job deleted meanwhile: query again after the last row, nothing twice', async (t) => {
  const { h, dir, catalog, org } = await setup(t);
  const killed = await killAfterPages(h, t, dir, catalog, 2);
  const firstIds = records(killed.lines).map((r) => r.record.Id);
  const f = killed.state.bookmarks.Account.in_flight;
  t.equal(f.last.id, firstIds.at(-1), 'the STATE holds the last Id written');
  const del = await h.call(`jobs/query/${f.job.id}`, { method: 'DELETE' });
  t.equal(del.status, 204, 'the job is gone');

  const resumed = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', catalog, '--state', writeJson(dir, 's.json', killed.state)]);
  t.equal(resumed.code, 0, resumed.stderr);
  t.match(resumed.stderr, /is gone \(deleted or expired\); querying again after the last row written/);
  const again = records(resumed.lines).map((r) => r.record.Id);
  t.same([...firstIds, ...again], org.map((r) => r.Id), 'no gap and no row twice, across 60 equal timestamps');
  t.equal(again.length, org.length - 20);
});

t.test('SIGTERM: a running query job is aborted, the STATE says where to resume, exit 130', async (t) => {
  const { h, dir, catalog, org } = await setup(t);
  await h.admin('/faults', { method: 'POST', body: JSON.stringify({ holdJobs: [{ state: 'InProgress', seconds: 120, jobType: 'query' }] }) });
  const tap = startTap(['--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', catalog]);
  const inFlight = await tap.waitFor((m) => m.type === 'STATE' && m.value.bookmarks.Account?.in_flight?.job);
  const jobId = inFlight.value.bookmarks.Account.in_flight.job.id;
  const jobs = await h.admin<any[]>('/jobs');
  t.ok(jobs.some((j) => j.id === jobId), 'the job exists');
  tap.child.kill('SIGTERM');
  const end = await tap.exited;
  t.equal(end.code, 130, end.stderr);
  const after = await h.admin<any[]>('/jobs');
  t.equal(after.find((j) => j.id === jobId)?.state, 'Aborted', 'the tap aborted the job it started');
  const last = states(tap.lines).at(-1);
  t.notOk(last.bookmarks.Account.in_flight.job, 'the aborted job is no longer in the STATE');
  t.ok(last.bookmarks.Account.in_flight.window, 'the window is still in flight');
  await h.admin('/faults', { method: 'DELETE' });
  const resumed = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', catalog, '--state', writeJson(dir, 's.json', last)]);
  t.equal(resumed.code, 0, resumed.stderr);
  t.same(records(resumed.lines).map((r) => r.record.Id), org.map((r) => r.Id));
});

t.test('SIGTERM while rows flow: the STATE resumes the same job at the next row', async (t) => {
  const { h, dir, catalog, org } = await setup(t);
  const proxy = await gateProxy(t, h.url, { holdResultsAfter: 1 });
  const tap = startTap(['--config', writeJson(dir, 'p.json', connection(proxy.url, { max_parallel_pages: 1 })), '--catalog', catalog]);
  await tap.waitFor((m) => m.type === 'STATE' && m.value.bookmarks.Account?.in_flight?.job?.rows_before === PAGE);
  tap.child.kill('SIGTERM');
  const end = await tap.exited;
  t.equal(end.code, 130, end.stderr);
  t.match(end.stderr, /SIGTERM: stopping after the last safe STATE/);
  const last = states(tap.lines).at(-1);
  t.ok(last.bookmarks.Account.in_flight.job, 'a finished job is kept for the next run');
  const firstIds = records(tap.lines).map((r) => r.record.Id);
  const resumed = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { max_parallel_pages: 1 })), '--catalog', catalog, '--state', writeJson(dir, 's.json', last)]);
  t.equal(resumed.code, 0, resumed.stderr);
  t.same([...firstIds, ...records(resumed.lines).map((r) => r.record.Id)], org.map((r) => r.Id), 'no gap, no row twice');
});

t.test('FULL_TABLE: kill -9, job deleted, resume after the last Id', async (t) => {
  const h = await withEmulator(t, { limits: { defaultPageRecords: PAGE } });
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Invoice__c'], { Invoice__c: { method: 'FULL_TABLE' } }));
  const org = await orgRows(h, 'SELECT Id FROM Invoice__c ORDER BY Id ASC');
  const killed = await killAfterPages(h, t, dir, catalog, 4, 'Invoice__c');
  const f = killed.state.bookmarks.Invoice__c.in_flight;
  t.same(f.window, { start: null, end: null });
  t.equal((await h.call(`jobs/query/${f.job.id}`, { method: 'DELETE' })).status, 204);
  const resumed = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', catalog, '--state', writeJson(dir, 's.json', killed.state)]);
  t.equal(resumed.code, 0, resumed.stderr);
  t.same([...records(killed.lines), ...records(resumed.lines)].map((r) => r.record.Id), org.map((r) => r.Id), 'every row once, in Id order');
});
