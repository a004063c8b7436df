// Every retryable fault the emulator injects, seen through its request log: bounded retries, typed
// errors when the bound is reached, Retry-After honoured, and job creates that never duplicate a job.
import t from 'tap';
import { LimitExceededError, NetworkError, ServerError } from '../../src/bulk/errors.js';
import { clientRequests, collect, connect, memoryLogger, startEmu, type LoggedRequest } from './helpers/emulator.js';
import { startLossyProxy } from './helpers/lossy-proxy.js';

const JOB_INFO = '/jobs/query/[^/]+$';

t.test('retryable faults', async (t) => {
  const emu = await startEmu(t);
  const logger = memoryLogger();
  const client = await connect(emu, { http_max_attempts: 3, request_timeout_seconds: 1 }, { logger });
  t.teardown(() => client.close());
  const job = await client.query.create({ query: 'SELECT Id FROM Account' });
  await job.waitForCompletion();
  const infoCalls = (log: LoggedRequest[]) => clientRequests(log).filter((r) => r.method === 'GET' && new RegExp(JOB_INFO).test(r.path));

  const transient: [string, Record<string, unknown>, number | undefined][] = [
    ['http500', {}, 500],
    ['http503', {}, 503],
    ['http429', {}, 429],
    ['requestLimitExceeded', {}, 403],
    ['connectionReset', {}, undefined],
    ['latency', { latencyMs: 1500 }, undefined], // a slow answer, beyond request_timeout_seconds
  ];

  for (const [kind, extra, status] of transient) {
    t.test(`${kind}: retried until it passes`, async (t) => {
      const since = await emu.lastSeq();
      await emu.faults({ rules: [{ kind, method: 'GET', path: JOB_INFO, count: 2, ...extra }] });
      const info = await job.refresh();
      t.equal(info.state, 'JobComplete');
      const calls = infoCalls(await emu.requests(since));
      t.equal(calls.length, 3, 'two faulted sends, then one that passed');
      if (kind !== 'latency') t.same(calls.map((c) => c.fault ?? null), [kind, kind, null]);
      if (status) t.same(calls.map((c) => c.status), [status, status, 200]);
      await emu.clearFaults();
    });

    t.test(`${kind}: bounded by http_max_attempts, then a typed error`, async (t) => {
      const since = await emu.lastSeq();
      await emu.faults({ rules: [{ kind, method: 'GET', path: JOB_INFO, ...extra }] });
      const e = await job.refresh().catch((x: unknown) => x);
      const expected = kind === 'http500' || kind === 'http503' ? ServerError
        : kind === 'http429' || kind === 'requestLimitExceeded' ? LimitExceededError : NetworkError;
      t.type(e, expected);
      const err = e as ServerError;
      t.equal(err.attempts, 3);
      t.equal(err.jobId, job.id, 'the error names the job');
      t.equal(err.retryable, true);
      if (kind === 'latency') t.match(err.message, /request_timeout_seconds/);
      await emu.clearFaults();
      // A slow response is still being answered by the emulator when the client gives up.
      if (kind === 'latency') await new Promise((r) => setTimeout(r, 1600));
      t.equal(infoCalls(await emu.requests(since)).length, 3, 'exactly http_max_attempts sends');
    });
  }

  t.test('Retry-After is waited for', async (t) => {
    const since = await emu.lastSeq();
    await emu.faults({ rules: [{ kind: 'http503', method: 'GET', path: JOB_INFO, count: 1, retryAfterSeconds: 1 }] });
    const started = Date.now();
    await job.refresh();
    t.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
    t.equal(infoCalls(await emu.requests(since)).length, 2);
    await emu.clearFaults();
  });

  t.test('a retry wait ends when the caller aborts', async (t) => {
    await emu.faults({ rules: [{ kind: 'http503', method: 'GET', path: JOB_INFO, retryAfterSeconds: 30 }] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    await t.rejects(job.refresh({ signal: ac.signal }), { code: 'SF_ABORTED' });
    t.ok(Date.now() - started < 5000);
    await emu.clearFaults();
  });

  t.test('retries are logged', async (t) => {
    t.ok(logger.lines.some((l) => /retrying GET \/services\/data\/v66\.0\/jobs\/query\/\w+\/ in \d+ ms \(attempt 2 of 3\)/.test(l)), 'retries are logged');
  });
});

t.test('a job create whose reply is lost never creates a second job', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu, { http_max_attempts: 3, request_timeout_seconds: 1 }, { jobCreate: { lookDelaysMs: [500, 1500] } });
  t.teardown(() => client.close());
  const CREATE = '/jobs/ingest$';
  const cases: [string, Record<string, unknown>, 'resent' | 'looked'][] = [
    ['http503', {}, 'resent'], // 503 proves nothing happened: sent again at once
    ['http429', {}, 'resent'],
    ['requestLimitExceeded', {}, 'resent'],
    ['http500', {}, 'looked'], // may have happened: look in the job list first
    ['connectionReset', {}, 'looked'],
    ['latency', { latencyMs: 1500 }, 'looked'], // the reply comes after we stopped waiting
  ];
  let objectIndex = 0;
  for (const [kind, extra, how] of cases) {
    t.test(`${kind} on create`, async (t) => {
      const object = ['Account', 'Contact', 'Lead', 'Case', 'Opportunity', 'Invoice__c'][objectIndex++]!;
      const since = await emu.lastSeq();
      await emu.faults({ rules: [{ kind, method: 'POST', path: CREATE, count: 1, ...extra }] });
      const job = await client.ingest.create({ object, operation: 'insert' });
      await emu.clearFaults();
      await new Promise((r) => setTimeout(r, 200));
      const log = clientRequests(await emu.requests(since));
      const posts = log.filter((r) => r.method === 'POST' && /\/jobs\/ingest$/.test(r.path));
      const lists = log.filter((r) => r.method === 'GET' && /\/jobs\/ingest$/.test(r.path));
      const jobs = (await emu.jobs()).filter((j) => j.object === object);
      t.equal(jobs.length, 1, `exactly one ${object} job exists`);
      t.equal(jobs[0]!.id, job.id, 'and it is the one the client uses');
      if (how === 'resent') {
        t.equal(posts.length, 2, 'the create was sent again');
        t.equal(lists.length, 0, 'without looking first (the failure proved nothing happened)');
      } else {
        t.ok(lists.length >= 1, 'the job list was read before anything else');
        t.ok(posts.length === 1 || posts.length === 2, `creates sent: ${posts.length}`);
        const firstList = log.indexOf(lists[0]!);
        const secondPost = posts[1] ? log.indexOf(posts[1]) : Infinity;
        t.ok(firstList < secondPost, 'looked before sending the create again');
      }
    });
  }
});

t.test('a create that succeeded but lost its reply is found and adopted, not sent again', async (t) => {
  const emu = await startEmu(t);
  let creates = 0;
  const proxy = await startLossyProxy(t, emu.url, (req) => req.method === 'POST' && /\/jobs\/(ingest|query)\/?$/.test(req.url ?? '') && ++creates <= 2);
  const client = await connect(emu, { login_url: proxy.url }, { jobCreate: { lookDelaysMs: [100, 400] } });
  t.teardown(() => client.close());
  const ingest = await client.ingest.create({ object: 'Account', operation: 'insert' });
  const query = await client.query.create({ query: 'SELECT Id FROM Contact' });
  t.equal(proxy.dropped.length, 2, 'both create replies were lost');
  const jobs = await emu.jobs();
  t.equal(jobs.length, 2, 'one ingest job and one query job: nothing duplicated');
  t.same(jobs.map((j) => j.id).sort(), [ingest.id, query.id].sort(), 'the client adopted the jobs its lost requests created');
  const log = clientRequests(await emu.requests());
  t.equal(log.filter((r) => r.method === 'POST' && /\/jobs\/(ingest|query)$/.test(r.path)).length, 2, 'each create was sent once');
  await query.waitForCompletion();
  t.equal((await collect(query.rows())).length, 396);
});
