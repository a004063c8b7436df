// A reply cut off in the middle of its body is a lost reply, never the end of a run. Through a proxy that
// cuts one reply at a time (after the status line and headers, half-way through the body, or a gzip body
// that stops short inside a well-formed HTTP message), a whole load-and-extract run completes over real
// HTTP against the emulator with every row in the org once, every result row once and every queried row
// once; what cannot be recovered leaves the library as a typed error naming the job.
import t, { type Test } from 'tap';
import type { IncomingMessage } from 'node:http';
import { NetworkError, SalesforceError } from '../../src/bulk/errors.js';
import type { BulkClient } from '../../src/bulk/client.js';
import { collect, connect, startEmu, type Emu } from '../helpers/emulator.js';
import { startCuttingProxy, type BodyCut, type CuttingProxy } from './helpers/cutting-proxy.js';

const ROWS = 3000;
const PAGE = 1000;

type Target = (req: IncomingMessage) => boolean;
const path = (req: IncomingMessage): string => (req.url ?? '').split('?')[0]!;
const ingestCreate: Target = (req) => req.method === 'POST' && /\/jobs\/ingest\/?$/.test(path(req));
const uploadComplete: Target = (req) => req.method === 'PATCH' && /\/jobs\/ingest\/\w+\/?$/.test(path(req));
const pollIngest: Target = (req) => req.method === 'GET' && /\/jobs\/ingest\/\w+\/?$/.test(path(req));
const successful: Target = (req) => req.method === 'GET' && /\/successfulResults\/?$/.test(path(req));
const secondQueryPage: Target = (req) => req.method === 'GET' && /\/jobs\/query\/\w+\/results\/?$/.test(path(req)) && /[?&]locator=/.test(req.url ?? '');

/** One full run: load ROWS accounts, read the successful results, then query them back page by page. */
async function run(t: Test, emu: Emu, client: BulkClient, prefix: string, concurrency = 1): Promise<void> {
  const jobsBefore = await emu.jobs();
  const csv = `Name\n${Array.from({ length: ROWS }, (_, i) => `${prefix}-${i}`).join('\n')}\n`;
  const job = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: csv }, { multipart: false });
  const info = await job.waitForCompletion();
  t.equal(info.state, 'JobComplete');
  t.equal(info.numberRecordsProcessed, ROWS);

  const results = await collect(await job.successfulResults());
  t.equal(results.length, ROWS, 'every successful row is read');
  t.equal(new Set(results.map((r) => r.sf__Id)).size, ROWS, 'each once');
  t.same(new Set(results.map((r) => r.Name)), new Set(csv.trim().split('\n').slice(1)), 'and they are the rows uploaded');

  const landed = (await emu.admin('POST', '/query', { soql: `SELECT Id FROM Account WHERE Name LIKE '${prefix}-%'` })) as { count: number };
  t.equal(landed.count, ROWS, 'the org holds every row once');

  const query = await client.query.create({ query: `SELECT Id, Name FROM Account WHERE Name LIKE '${prefix}-%'` });
  await query.waitForCompletion();
  const rows = await collect(query.rows({ maxRecords: PAGE, concurrency }));
  t.equal(rows.length, ROWS, 'every queried row is read');
  t.equal(new Set(rows.map((r) => r.Id)).size, ROWS, 'each once');
  if (concurrency > 1) t.ok((await emu.requests()).some((r) => r.path.endsWith(`/jobs/query/${query.id}/resultPages`)), 'the pages came through resultPages');

  const jobsAfter = await emu.jobs();
  const created = jobsAfter.filter((j) => !jobsBefore.some((b) => b.id === j.id));
  t.same(created.map((j) => j.jobType ?? j.id).length, 2, 'exactly one ingest job and one query job were created');
  t.same(created.map((j) => j.id).sort(), [job.id, query.id].sort());
}

t.test('each body cut mid-way, once, and the run completes with every row once', async (t) => {
  // resultPages pages are sized by the server: several pages, so that a later one can be cut.
  const emu = await startEmu(t, { limits: { defaultPageRecords: PAGE } });
  const proxy: CuttingProxy = await startCuttingProxy(t, emu.url);
  const client = await connect(emu, { login_url: proxy.url }, { jobCreate: { lookDelaysMs: [50, 200] } });
  t.teardown(() => client.close());
  const cases: [string, BodyCut, Target][] = [
    ['the job create answer', 'socket', ingestCreate],
    ['the UploadComplete answer', 'socket', uploadComplete],
    ['a poll answer', 'socket', pollIngest],
    ['successfulResults', 'socket', successful],
    ['successfulResults as a gzip stream that stops short', 'gzip', successful],
    ['a query page as a gzip stream that stops short', 'gzip', secondQueryPage],
    ['a query page', 'socket', secondQueryPage],
  ];
  const parallel: [string, BodyCut, Target][] = [
    ['a page downloaded in parallel through resultPages, as a gzip stream that stops short', 'gzip', secondQueryPage],
    ['a page downloaded in parallel through resultPages', 'socket', secondQueryPage],
  ];
  let n = 0;
  for (const [what, cut, target, concurrency] of [...cases.map((c) => [...c, 1] as const), ...parallel.map((c) => [...c, 3] as const)]) {
    const prefix = `cut${n++}`;
    t.test(`${what} (${cut})`, async (t) => {
      const before = proxy.cuts.length;
      proxy.arm(cut, target);
      await run(t, emu, client, prefix, concurrency);
      const done = proxy.cuts.slice(before);
      t.equal(done.length, 1, 'the reply was cut once');
      t.ok(done[0]!.status >= 200 && done[0]!.status < 300, `a success status arrived first (${done[0]!.status})`);
      t.ok(done[0]!.sent > 0 && done[0]!.sent < done[0]!.total, `part of the body arrived (${done[0]!.sent} of ${done[0]!.total} bytes)`);
      if (cut === 'gzip') t.equal(done[0]!.encoding, 'gzip', 'the body was a gzip stream');
    });
  }
});

t.test('a body cut on every fetch ends in a typed error naming the job, after a bounded number of fetches', async (t) => {
  const emu = await startEmu(t);
  const proxy = await startCuttingProxy(t, emu.url);
  const client = await connect(emu, { login_url: proxy.url, http_max_attempts: 3 });
  t.teardown(() => client.close());
  const job = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: `Name\n${Array.from({ length: 500 }, (_, i) => `always-${i}`).join('\n')}\n` }, { multipart: false });
  await job.waitForCompletion();
  for (const cut of ['socket', 'gzip'] as const) {
    const before = proxy.cuts.length;
    proxy.arm(cut, successful, 1000);
    const e = await collect(await job.successfulResults()).catch((x: unknown) => x);
    t.type(e, NetworkError, `${cut}: a NetworkError`);
    t.equal((e as SalesforceError).jobId, job.id, `${cut}: naming the job`);
    t.equal((e as SalesforceError).code, 'SF_NETWORK');
    t.equal(proxy.cuts.length - before, 3, `${cut}: fetched http_max_attempts times`);
  }
  const before = proxy.cuts.length;
  proxy.arm('socket', pollIngest, 1000);
  const p = await job.refresh().catch((x: unknown) => x);
  t.type(p, NetworkError, 'a job info read cut every time is a NetworkError');
  t.equal((p as SalesforceError).jobId, job.id, 'naming the job');
  t.equal(proxy.cuts.length - before, 3, 'fetched http_max_attempts times');
  proxy.arm('socket', () => false);
  t.equal((await job.refresh()).state, 'JobComplete');

  const query = await client.query.create({ query: "SELECT Id FROM Account WHERE Name LIKE 'always-%'" });
  await query.waitForCompletion();
  const firstPage: Target = (req) => req.method === 'GET' && /\/jobs\/query\/\w+\/results\/?$/.test(path(req));
  for (const cut of ['socket', 'gzip'] as const) {
    const before = proxy.cuts.length;
    proxy.arm(cut, firstPage, 1000);
    const q = await collect(query.rows()).catch((x: unknown) => x);
    t.type(q, NetworkError, `${cut}: a query page cut on every fetch is a NetworkError`);
    t.equal((q as SalesforceError).jobId, query.id, 'naming the query job');
    t.equal(proxy.cuts.length - before, 3, 'fetched http_max_attempts times');
  }
  proxy.arm('socket', () => false);
});
