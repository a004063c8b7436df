// Query jobs against the emulator: locator paging across many pages, parallel resultPages delivered in
// order, resume from a saved job id + locator, pages cut off mid-body, counts checked, typed errors.
import t from 'tap';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError, InvalidStateError, JobFailedError, NotFoundError, PollTimeoutError } from '../../src/bulk/errors.js';
import type { CsvRow } from '../../src/bulk/csv/csv-rows.js';
import { clientRequests, collect, connect, startEmu } from '../helpers/emulator.js';

const SOQL = 'SELECT Id, Name, Industry, CreatedDate FROM Account ORDER BY Name';

t.test('locator paging walks every page until the literal null, counting each', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.query.create({ query: SOQL });
  const info = await job.waitForCompletion();
  t.equal(info.numberRecordsProcessed, 198);
  const since = await emu.lastSeq();
  const pages: { locator: string | null; next: string | null; declared: number; rows: number }[] = [];
  const names: string[] = [];
  for await (const page of job.pages({ maxRecords: 7 })) {
    for await (const row of page.rows()) names.push(row.Name!);
    pages.push({ locator: page.locator, next: page.nextLocator, declared: page.declaredRows, rows: page.rowsRead });
  }
  t.equal(pages.length, Math.ceil(198 / 7), '29 pages');
  t.equal(pages[0]!.locator, null, 'the first page is fetched without a locator');
  t.equal(pages.at(-1)!.next, null, 'the last page says null');
  t.ok(pages.every((p) => p.rows === p.declared), 'every page holds what Sforce-NumberOfRecords declared');
  t.equal(names.length, 198);
  t.same(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'rows in query order');
  for (let i = 1; i < pages.length; i++) t.equal(pages[i]!.locator, pages[i - 1]!.next);
  const gets = clientRequests(await emu.requests(since)).filter((r) => r.path.endsWith('/results'));
  t.equal(gets.length, 29, 'one request per page, none repeated');
  t.ok(gets.every((g) => g.query.includes('maxRecords=7')));
});

t.test('parallel pages through resultPages arrive in order, identical to the locator chain', async (t) => {
  const emu = await startEmu(t, { limits: { defaultPageRecords: 9 } });
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.query.create({ query: 'SELECT Id, FirstName, LastName FROM Contact ORDER BY LastName, Id' });
  await job.waitForCompletion();
  const sequential = (await collect(job.rows())).map((r) => r.Id);
  const since = await emu.lastSeq();
  const indexes: number[] = [];
  const parallel: string[] = [];
  for await (const page of job.pages({ concurrency: 4 })) {
    indexes.push(page.index);
    for await (const row of page.rows()) parallel.push(row.Id!);
  }
  t.equal(parallel.length, 396);
  t.same(parallel, sequential, 'same rows, same order');
  t.same(indexes, [...Array(Math.ceil(396 / 9)).keys()], 'pages delivered in order');
  const log = clientRequests(await emu.requests(since));
  t.ok(log.some((r) => /\/resultpages$/i.test(r.path)), 'resultPages was used');
  t.equal(log.filter((r) => r.path.endsWith('/results')).length, 44, 'each page downloaded once');
});

t.test('stopping early in parallel mode cancels downloads and leaves no temporary files', async (t) => {
  const emu = await startEmu(t, { limits: { defaultPageRecords: 9 } });
  const tempDir = mkdtempSync(join(tmpdir(), 'pages-'));
  const client = await connect(emu, {}, { tempDir });
  t.teardown(() => client.close());
  const job = await client.query.create({ query: 'SELECT Id FROM Contact' });
  await job.waitForCompletion();
  let seen = 0;
  for await (const page of job.pages({ concurrency: 4 })) {
    for await (const _ of page.rows()) seen++;
    break;
  }
  t.equal(seen, 9);
  t.same(readdirSync(tempDir), [], 'no spooled page is left behind');
});

t.test('resume from a saved job id + locator reads exactly the rest', async (t) => {
  const emu = await startEmu(t);
  const first = await connect(emu);
  const job = await first.query.create({ query: SOQL });
  await job.waitForCompletion();
  const all = (await collect(job.rows({ maxRecords: 25 }))).map((r) => r.Id);
  // A run reads three pages, saves its checkpoint, and dies.
  let saved: { jobId: string; locator: string | null; rows: number } | undefined;
  let n = 0;
  let rows = 0;
  for await (const page of job.pages({ maxRecords: 25 })) {
    for await (const _ of page.rows()) rows++;
    saved = { jobId: job.id, locator: page.nextLocator, rows };
    if (++n === 3) break;
  }
  await first.close();
  t.equal(saved!.rows, 75);
  // A new process resumes from the checkpoint.
  const second = await connect(emu);
  t.teardown(() => second.close());
  for (const concurrency of [1, 3]) {
    const rest: string[] = [];
    for await (const page of second.query.job(saved!.jobId).pages({ maxRecords: 25, fromLocator: saved!.locator!, rowsBefore: saved!.rows, concurrency })) {
      for await (const row of page.rows()) rest.push(row.Id!);
    }
    t.same(rest, all.slice(75), `concurrency ${concurrency}: the remaining 123 rows, in order, no repeats`);
  }
  const done = await collect(second.query.job(saved!.jobId).pages({ fromLocator: 'null' }));
  t.equal(done.length, 0, 'a checkpoint at the end (locator null) reads nothing');
});

t.test('a page cut off mid-body is fetched again and no row is delivered twice', async (t) => {
  const emu = await startEmu(t, { limits: { defaultPageRecords: 50 } });
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.query.create({ query: SOQL });
  await job.waitForCompletion();
  const expected = (await collect(job.rows({ maxRecords: 50 }))).map((r) => r.Id);
  for (const concurrency of [1, 3]) {
    const since = await emu.lastSeq();
    await emu.faults({ rules: [{ kind: 'resetMidResponse', method: 'GET', path: '/results$', skip: 1, count: 2 }] });
    const got = (await collect(job.rows({ maxRecords: 50, concurrency }))).map((r) => r.Id);
    await emu.clearFaults();
    t.same(got, expected, `concurrency ${concurrency}: every row once, in order`);
    const gets = clientRequests(await emu.requests(since)).filter((r) => r.path.endsWith('/results'));
    t.equal(gets.filter((g) => g.fault === 'resetMidResponse').length, 2);
    t.equal(gets.length, 4 + 2, 'four pages, two of them fetched again');
  }
});

t.test('queryAll includes deleted rows; query does not', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const q = await client.query.create({ query: 'SELECT Id, IsDeleted FROM Account' });
  const qa = await client.query.create({ query: 'SELECT Id, IsDeleted FROM Account', operation: 'queryAll' });
  await q.waitForCompletion();
  await qa.waitForCompletion();
  const a = await collect(q.rows());
  const b = await collect(qa.rows());
  t.equal(a.length, 198);
  t.equal(b.length, 200);
  t.equal(b.filter((r: CsvRow) => r.IsDeleted === 'true').length, 2);
});

t.test('typed errors: bad SOQL, unknown job, wrong state, failed job, poll timeout', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const bad = await client.query.create({ query: 'SELECT NoSuchField__c FROM Account' }).catch((e: unknown) => e);
  t.type(bad, InvalidInputError);
  t.equal((bad as InvalidInputError).status, 400);
  t.ok((bad as InvalidInputError).errorCode);
  const unknown = await client.query.info('7505g0000004ZZZAAA').catch((e: unknown) => e);
  t.type(unknown, NotFoundError);
  t.equal((unknown as NotFoundError).jobId, '7505g0000004ZZZAAA');
  t.equal((unknown as NotFoundError).code, 'SF_NOT_FOUND');

  const done = await client.query.create({ query: 'SELECT Id FROM User' });
  await done.waitForCompletion();
  const abortDone = await done.abort().catch((e: unknown) => e);
  t.type(abortDone, InvalidStateError, 'aborting a finished query job');

  // A job held InProgress: our wait ends, the job id comes with the error, and the outcome is unknown.
  await emu.faults({ holdJobs: [{ state: 'InProgress', seconds: 2, jobType: 'query' }] });
  const slow = await client.query.create({ query: 'SELECT Id FROM Lead' });
  const early = await collect(slow.pages()).catch((e: unknown) => e);
  t.type(early, InvalidStateError, 'reading results before JobComplete');
  const timeout = await slow.waitForCompletion({ timeoutMs: 300 }).catch((e: unknown) => e);
  t.type(timeout, PollTimeoutError);
  t.equal((timeout as PollTimeoutError).jobId, slow.id);
  t.equal((timeout as PollTimeoutError).outcomeUnknown, true);
  await emu.clearFaults();
  // Resumed by id, the same job completes: it had not failed.
  const resumed = client.query.job((timeout as PollTimeoutError).jobId);
  t.equal((await resumed.waitForCompletion()).state, 'JobComplete');
  t.equal((await collect(resumed.rows())).length, 149);

  await emu.faults({ holdJobs: [{ state: 'InProgress', seconds: 5, jobType: 'query' }] });
  const aborted = await client.query.create({ query: 'SELECT Id FROM Case' });
  await aborted.abort();
  const failed = await aborted.waitForCompletion().catch((e: unknown) => e);
  t.type(failed, JobFailedError);
  t.equal((failed as JobFailedError).jobId, aborted.id);
  t.equal((failed as JobFailedError).state, 'Aborted');
  await emu.clearFaults();
  await aborted.delete();
  await t.rejects(aborted.refresh(), NotFoundError);
});

t.test('describe is cached per run; limits and Sforce-Limit-Info are read', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const since = await emu.lastSeq();
  const [a, b] = await Promise.all([client.describe.describe('Account'), client.describe.describe('account')]);
  t.equal(a, b, 'one describe for concurrent callers');
  t.ok(a.fields.some((f) => f.name === 'Name'));
  await client.describe.describe('Account');
  const list = await client.describe.sobjects();
  t.ok(list.sobjects.some((s) => s.name === 'Invoice__c'));
  const log = clientRequests(await emu.requests(since));
  t.equal(log.filter((r) => /sobjects\/Account\/describe/i.test(r.path)).length, 1, 'described once');
  const missing = await client.describe.describe('Acount').catch((e: unknown) => e);
  t.type(missing, NotFoundError);
  t.match((missing as Error).message, /sObject "Acount" does not exist/);
  const allowance = await client.bulkAllowance();
  t.ok(allowance.apiRequests && allowance.apiRequests.max > 0);
  t.ok(allowance.bulkV2QueryJobs && allowance.bulkV2QueryJobs.remaining <= allowance.bulkV2QueryJobs.max);
  t.ok(allowance.bulkApiBatches);
  t.ok(client.limitInfo?.apiUsage && client.limitInfo.apiUsage.used > 0, 'Sforce-Limit-Info is tracked');
});
