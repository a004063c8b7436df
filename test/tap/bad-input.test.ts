// Each bad input gets one clear message naming what to fix, a non-zero exit, and nothing on stdout that a
// target could mistake for progress. Quotas stop a run cleanly with a STATE to resume from.
import { spawn } from 'node:child_process';
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { TAP_CLI, connection, discoverCatalog, lastState, orgRows, records, runTap, selectStreams, writeJson } from './tap-harness.js';

t.test('bad inputs', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const discovered = await discoverCatalog(dir, h.url);
  const good = writeJson(dir, 'good.json', selectStreams(discovered, ['Account']));
  const cfg = writeJson(dir, 'c.json', connection(h.url));
  const cases: [string, string[], RegExp, number][] = [
    ['a catalog that is not a catalog', ['--config', cfg, '--catalog', writeJson(dir, 'x.json', { tables: [] })], /the catalog \S+ is not a Singer catalog: \(root\) misses "streams"/, 2],
    ['a catalog that is not JSON', ['--config', cfg, '--catalog', writeJson(dir, 'x2.json', '{"streams": [')], /the catalog \S+ is not valid JSON/, 2],
    ['a stream the org does not describe', ['--config', cfg, '--catalog', writeJson(dir, 'x3.json', (() => { const c = selectStreams(discovered, ['Account']); c.streams[0].tap_stream_id = 'Acount'; return c; })())], /catalog stream "Acount" is not an sObject the org describes/, 2],
    ['a field describe does not know', ['--config', cfg, '--catalog', writeJson(dir, 'x4.json', (() => { const c = selectStreams(discovered, ['Account']); c.streams[0].metadata.push({ breadcrumb: ['properties', 'Revenue__c'], metadata: { inclusion: 'available', selected: true } }); return c; })())], /selects field "Revenue__c", which the org's describe of Account does not have/, 2],
    ['SOQL text in place of a field name', ['--config', cfg, '--catalog', writeJson(dir, 'x6.json', (() => { const c = selectStreams(discovered, ['Account']); c.streams[0].metadata.push({ breadcrumb: ['properties', 'Name FROM User --'], metadata: { selected: true } }); return c; })())], /selects field "Name FROM User --", which the org's describe of Account does not have/, 2],
    ['a replication key that is not valid', ['--config', cfg, '--catalog', writeJson(dir, 'x5.json', selectStreams(discovered, ['Account'], { Account: { method: 'INCREMENTAL', key: 'Name' } }))], /replication-key "Name" is not one of its valid replication keys \(SystemModstamp, LastModifiedDate, CreatedDate\)/, 2],
    ['a state file that does not parse', ['--config', cfg, '--catalog', good, '--state', writeJson(dir, 's.json', '{"bookmarks": {')], /the state file \S+ is not valid JSON/, 2],
    ['a state of the wrong shape', ['--config', cfg, '--catalog', good, '--state', writeJson(dir, 's2.json', { bookmarks: { Account: { replication_key_value: 'yesterday' } } })], /bookmarks\.Account\.replication_key_value must be an ISO 8601 instant/, 2],
    ['a misspelt config key', ['--config', writeJson(dir, 'c2.json', connection(h.url, { start_dat: '2024-01-01' })), '--catalog', good], /unknown config key "start_dat"/, 2],
    ['a config value of the wrong type', ['--config', writeJson(dir, 'c3.json', connection(h.url, { window_size_days: 'thirty' })), '--catalog', good], /config key "window_size_days" must be integer/, 2],
    ['end_date before start_date', ['--config', writeJson(dir, 'c4.json', connection(h.url, { start_date: '2025-02-01', end_date: '2025-01-01' })), '--catalog', good], /config key "end_date" \(2025-01-01\) must be after "start_date"/, 2],
    ['a missing connection key', ['--config', writeJson(dir, 'c5.json', { auth_flow: 'client_credentials', login_url: h.url, client_id: 'emulator-client' }), '--catalog', good], /client_secret/, 2],
    ['no --config', ['--catalog', good], /missing --config FILE/, 2],
  ];
  // The runs are independent: run them side by side, check them in order.
  const runs = await Promise.all(cases.map(([, args]) => runTap(args)));
  for (const [i, [what, , message, code]] of cases.entries()) {
    const run = runs[i]!;
    t.equal(run.code, code, `${what}: exit ${code}`);
    t.match(run.stderr, message, `${what}: the message names it`);
    t.equal(run.lines.length, 0, `${what}: nothing on stdout`);
    t.equal(run.stderr.trim().split('\n').filter((l) => !l.startsWith('INFO')).length, 1, `${what}: one message`);
  }
});

t.test('an expired session that cannot be refreshed', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const good = writeJson(dir, 'good.json', selectStreams(await discoverCatalog(dir, h.url), ['Account']));
  const token = await h.newToken();
  await h.admin('/sessions/expire', { method: 'POST' });
  const run = await runTap(['--config', writeJson(dir, 'c.json', { auth_flow: 'access_token', access_token: token, instance_url: h.url }), '--catalog', good]);
  t.equal(run.code, 1);
  t.match(run.stderr, /the access token is expired or invalid, and auth_flow "access_token" cannot obtain a new one/);
  t.notMatch(run.stderr, new RegExp(token.replace(/[!.]/g, '\\$&')), 'the token is never printed');
  t.equal(records(run.lines).length, 0);
});

t.test('quotas: a run that would exhaust the daily query jobs stops cleanly between windows, resumable', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Account']));
  const seeded = await h.admin<any>('/seed', { method: 'POST', body: JSON.stringify({ base: 'demo', settings: { allocations: { dailyBulkV2QueryJobs: 3 } } }) });
  t.equal(seeded.ok, true);
  const cfg = writeJson(dir, 'c.json', connection(h.url, { start_date: '2024-06-01', window_size_days: 120, quota_reserve_percent: 0 }));
  const run = await runTap(['--config', cfg, '--catalog', catalog]);
  t.equal(run.code, 4, 'exit code QUOTA_LOW');
  t.match(run.stderr, /stopping before the org runs out: 0 of 3 daily Bulk API 2\.0 query jobs are left/);
  const state = lastState(run.lines);
  t.notOk(state.bookmarks.Account.in_flight, 'stopped between windows');
  // Windows without rows cost no job (a REST lookup passes them over): the three jobs went to the first three
  // 120-day windows that hold rows, and the bookmark is the end of the third.
  const start = Date.parse('2024-06-01T00:00:00Z');
  const size = 120 * 86_400_000;
  const org = await orgRows(h, 'SELECT SystemModstamp FROM Account');
  const cells = [...new Set(org.map((r) => Math.floor((Date.parse(r.SystemModstamp!) - start) / size)).filter((c) => c >= 0))].sort((a, b) => a - b);
  t.ok(cells.length > 3, 'the demo org has more than three windows with rows');
  t.equal(state.bookmarks.Account.replication_key_value, new Date(start + (cells[2]! + 1) * size).toISOString(), 'the bookmark holds the three windows with rows written');
  t.match(run.stderr, /summary: Account: quota_low; \d+ rows/);

  const before = await runTap(['--config', cfg, '--catalog', catalog, '--state', writeJson(dir, 's.json', state)]);
  t.equal(before.code, 4, 'before starting: still no query jobs left');
  t.equal(records(before.lines).length, 0);
});

t.test('a reader that goes away (EPIPE) ends the run at once, not stream after stream', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = writeJson(dir, 'cat.json', selectStreams(await discoverCatalog(dir, h.url), ['Account', 'Contact', 'Lead']));
  await h.admin('/requests', { method: 'DELETE' });
  const child = spawn(process.execPath, [TAP_CLI, '--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', catalog], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise((r) => child.on('close', r));
  t.equal(code, 1);
  t.match(err, /the reader of stdout went away \(EPIPE\)/);
  const log = await h.admin<any[]>('/requests');
  t.equal(log.filter((e) => e.method === 'POST' && /\/jobs\/query$/.test(e.path)).length, 1, 'no job for the streams after it');
});
