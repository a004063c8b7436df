// Full extraction through the real binary: what the org holds arrives typed and complete, SCHEMA first,
// deleted rows through queryAll, many pages downloaded in parallel and delivered in order, counts checked.
import { spawn } from 'node:child_process';
import t from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { TAP_CLI, connection, differences, discoverCatalog, gateProxy, lastState, orgRows, records, runTap, selectStreams, writeJson } from './tap-harness.js';

t.test('a full run extracts every Account and Contact of the org, typed, with deleted rows', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Account', 'Contact']);
  const before = Date.now();
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { start_date: '2020-01-01', window_size_days: 3650 })), '--catalog', writeJson(dir, 'cat.json', catalog)]);
  const after = Date.now();
  t.equal(run.code, 0, run.stderr);
  for (const stream of ['Account', 'Contact']) {
    const schemaAt = run.lines.findIndex((m) => m.type === 'SCHEMA' && m.stream === stream);
    const firstRecord = run.lines.findIndex((m) => m.type === 'RECORD' && m.stream === stream);
    t.ok(schemaAt >= 0 && schemaAt < firstRecord, `${stream}: SCHEMA comes before its records`);
    t.same(run.lines[schemaAt].key_properties, ['Id']);
    t.same(run.lines[schemaAt].bookmark_properties, ['SystemModstamp']);
    const recs = records(run.lines, stream);
    // Every field the tap extracted, compared with what the org holds.
    const fields = Object.keys(run.lines[schemaAt].schema.properties);
    t.ok(fields.length > 40, `${stream}: all available fields selected (${fields.length})`);
    const org = await orgRows(h, `SELECT ${fields.join(', ')} FROM ${stream} ORDER BY SystemModstamp ASC, Id ASC`);
    t.equal(recs.length, org.length, `${stream}: as many records as the org has rows (deleted included)`);
    t.same(recs.map((r) => r.record.Id), org.map((r) => r.Id), `${stream}: the same rows, in (SystemModstamp, Id) order`);
    const diffs = recs.flatMap((r, i) => differences(Object.fromEntries(Object.keys(org[i]!).map((k) => [k, r.record[k]])), org[i]!));
    t.same(diffs.slice(0, 10), [], `${stream}: every value of every field as the org holds it`);
    t.ok(recs.every((r) => typeof r.time_extracted === 'string' && Date.parse(r.time_extracted) >= before - 1000), 'time_extracted on every RECORD');
    t.ok(recs.some((r) => r.record.IsDeleted === true), `${stream}: soft-deleted rows arrive through queryAll`);
  }
  const acc = records(run.lines, 'Account').map((r) => r.record);
  t.ok(acc.every((r) => typeof r.IsDeleted === 'boolean' && (r.NumberOfEmployees === null || Number.isInteger(r.NumberOfEmployees))), 'booleans and integers typed');
  t.ok(acc.some((r) => r.AnnualRevenue !== null && typeof r.AnnualRevenue === 'number'));
  t.ok(acc.some((r) => r.LastActivityDate === null) && acc.every((r) => r.Fax === null || typeof r.Fax === 'string'), 'empty cells are null');
  const state = lastState(run.lines);
  t.equal(state.currently_syncing, null);
  for (const s of ['Account', 'Contact']) {
    const b = state.bookmarks[s];
    t.equal(b.replication_key, 'SystemModstamp');
    t.ok(Date.parse(b.replication_key_value) >= before && Date.parse(b.replication_key_value) <= after, `${s}: the bookmark is the run's start (signpost)`);
    t.notOk(b.in_flight, 'nothing in flight after a complete run');
  }
  t.match(run.stderr, /summary: Account: complete; \d+ rows, 1 pages, 1 windows, 1 query jobs/);
  const jobs = await h.admin<any[]>('/jobs');
  t.same(jobs.filter((j) => j.object === 'Account' || j.object === 'Contact'), [], 'finished query jobs are deleted');
});

t.test('include_deleted false runs a query job and leaves deleted rows out', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Account']);
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { include_deleted: false })), '--catalog', writeJson(dir, 'cat.json', catalog)]);
  t.equal(run.code, 0, run.stderr);
  const live = await orgRows(h, 'SELECT Id FROM Account', false);
  t.equal(records(run.lines).length, live.length);
  t.ok(records(run.lines).every((r) => r.record.IsDeleted === false));
});

t.test('many result pages are downloaded in parallel and delivered in order', async (t) => {
  const h = await withEmulator(t, { limits: { defaultPageRecords: 13 } });
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Contact']);
  await h.admin('/requests', { method: 'DELETE' });
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url, { max_parallel_pages: 4 })), '--catalog', writeJson(dir, 'cat.json', catalog)]);
  t.equal(run.code, 0, run.stderr);
  const org = await orgRows(h, 'SELECT Id FROM Contact ORDER BY SystemModstamp ASC, Id ASC');
  t.same(records(run.lines).map((r) => r.record.Id), org.map((r) => r.Id), 'every row once, in order');
  const log = await h.admin<any[]>('/requests');
  const pages = log.filter((e) => e.method === 'GET' && /\/results$/.test(e.path));
  t.equal(pages.length, Math.ceil(org.length / 13), 'each page read once');
  t.equal(new Set(pages.map((p) => p.query)).size, pages.length, 'no page read twice');
  t.ok(log.some((e) => /\/resultPages$/.test(e.path)), 'pages listed through resultPages');
  const states = run.lines.filter((m) => m.type === 'STATE').map((m) => m.value.bookmarks.Contact?.in_flight?.job?.locator).filter((l) => l);
  t.ok(states.length >= pages.length - 2, 'a STATE with the next locator after each page');
});

t.test('a page whose row count differs from Sforce-NumberOfRecords stops the stream; no bookmark moves', async (t) => {
  const h = await withEmulator(t, { limits: { defaultPageRecords: 50 } });
  const proxy = await gateProxy(t, h.url, { miscountResult: 2 });
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Account']);
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(proxy.url, { max_parallel_pages: 1 })), '--catalog', writeJson(dir, 'cat.json', catalog)]);
  t.equal(run.code, 1, 'non-zero exit');
  t.match(run.stderr, /job 750\w+: page \S+ declared Sforce-NumberOfRecords 51: expected 51 rows, parsed 50/);
  const state = lastState(run.lines);
  t.notOk(state.bookmarks.Account.replication_key_value, 'the bookmark did not move');
  t.equal(state.bookmarks.Account.in_flight.job.locator !== null, true, 'the STATE still points into the job');
  t.match(run.stderr, /summary: Account: failed/);
});

t.test('FULL_TABLE re-extracts everything, ordered by Id', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Invoice__c'], { Invoice__c: { method: 'FULL_TABLE' } });
  const cfg = writeJson(dir, 'c.json', connection(h.url));
  const first = await runTap(['--config', cfg, '--catalog', writeJson(dir, 'cat.json', catalog)]);
  t.equal(first.code, 0, first.stderr);
  const second = await runTap(['--config', cfg, '--catalog', writeJson(dir, 'cat.json', catalog), '--state', writeJson(dir, 's.json', lastState(first.lines))]);
  const org = await orgRows(h, 'SELECT Id FROM Invoice__c ORDER BY Id ASC');
  t.same(records(first.lines).map((r) => r.record.Id), org.map((r) => r.Id));
  t.same(records(second.lines).map((r) => r.record.Id), org.map((r) => r.Id), 'the second run extracts everything again');
  const schema = first.lines.find((m) => m.type === 'SCHEMA');
  t.notOk(schema.bookmark_properties, 'no bookmark property for FULL_TABLE');
});

t.test('currently_syncing decides which stream goes first', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Account', 'Case', 'Contact']);
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', writeJson(dir, 'cat.json', catalog), '--state', writeJson(dir, 's.json', { currently_syncing: 'Case', bookmarks: {} })]);
  t.equal(run.code, 0, run.stderr);
  t.same(run.lines.filter((m) => m.type === 'SCHEMA').map((m) => m.stream), ['Case', 'Contact', 'Account'], 'the interrupted stream first, then the others in catalog order');
  t.equal(lastState(run.lines).currently_syncing, null);
});

t.test('selection rules: automatic always, explicit selected wins, then selected-by-default, unsupported never', async (t) => {
  const h = await withEmulator(t);
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Account']);
  const md = (f: string) => catalog.streams[0].metadata.find((m: any) => m.breadcrumb[1] === f).metadata;
  for (const m of catalog.streams[0].metadata) if (m.breadcrumb.length) m.metadata['selected-by-default'] = false;
  md('Name').selected = true;
  md('Industry')['selected-by-default'] = true;
  md('Phone')['selected-by-default'] = true;
  md('Phone').selected = false;
  md('Id').selected = false; // automatic: ignored
  md('BillingAddress').selected = true; // unsupported: ignored
  const run = await runTap(['--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', writeJson(dir, 'cat.json', catalog)]);
  t.equal(run.code, 0, run.stderr);
  const schema = run.lines.find((m) => m.type === 'SCHEMA');
  t.same(Object.keys(schema.schema.properties).sort(), ['Id', 'Industry', 'IsDeleted', 'Name', 'SystemModstamp']);
  t.same(Object.keys(records(run.lines)[0].record).sort(), ['Id', 'Industry', 'IsDeleted', 'Name', 'SystemModstamp'], 'records carry exactly the selected fields');
});

t.test('a slow reader gets the same output: stdout waits for it', async (t) => {
  const h = await withEmulator(t, { scale: 3, limits: { defaultPageRecords: 200 } });
  const dir = t.testdir();
  const catalog = selectStreams(await discoverCatalog(dir, h.url), ['Contact']);
  const child = spawn(process.execPath, [TAP_CLI, '--config', writeJson(dir, 'c.json', connection(h.url)), '--catalog', writeJson(dir, 'cat.json', catalog)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  let chunks = 0;
  // The reader takes one chunk per timer turn: the tap writes far faster than that.
  child.stdout.on('data', (d: Buffer) => {
    text += d.toString('utf8');
    chunks++;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 2);
  });
  const code = await new Promise((r) => child.on('close', r));
  t.equal(code, 0);
  t.ok(chunks > 20, `read in ${chunks} slow steps`);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  const org = await orgRows(h, 'SELECT Id FROM Contact ORDER BY SystemModstamp ASC, Id ASC');
  t.same(records(lines).map((r) => r.record.Id), org.map((r) => r.Id), 'every row once, in order');
  t.equal(lines.at(-1).type, 'STATE');
});
