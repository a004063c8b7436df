// Every retryable fault the emulator injects, seen through its request log: bounded retries, typed
// errors when the bound is reached, Retry-After honoured, and job creates that never duplicate a job.
import t from 'tap';
import { LimitExceededError, NetworkError, ServerError } from '../../src/bulk/errors.js';
import { clientRequests, collect, connect, memoryLogger, startEmu, type Emu, type LoggedRequest } from '../helpers/emulator.js';
import { startLossyProxy } from './helpers/lossy-proxy.js';

const JOB_INFO = '/jobs/query/[^/]+$';
const isCreate = (r: LoggedRequest): boolean => r.method === 'POST' && /\/jobs\/ingest$/.test(r.path);

/** The emulator's request log since `since`, once `ready` holds (bounded: 100 looks, 10 s). */
async function waitForLog(emu: Emu, since: number, ready: (log: LoggedRequest[]) => boolean): Promise<LoggedRequest[]> {
  const deadline = Date.now() + 10_000;
  for (let i = 0; i < 100; i++) {
    const log = await emu.requests(since);
    if (ready(log) || Date.now() > deadline) return log;
    await new Promise((r) => setTimeout(r, 100));
  }
  return emu.requests(since);
}

t.test('retryable faults', async (t) => {
  const emu = await startEmu(t);
  const logger = memoryLogger();
  const client = await connect(emu, { http_max_attempts: 3, request_timeout_seconds: 2 }, { logger });
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
    // A slow answer, beyond request_timeout_seconds (2 s, with margin for coarse timers and a loaded machine: a sound reply must never time out here).
    ['latency', { latencyMs: 4500 }, undefined],
  ];

  for (const [kind, extra, status] of transient) {
    t.test(`${kind}: retried until it passes`, async (t) => {
      const since = await emu.lastSeq();
      await emu.faults({ rules: [{ kind, method: 'GET', path: JOB_INFO, count: 2, ...extra }] });
      const info = await job.refresh();
      t.equal(info.state, 'JobComplete');
      // Slow answers the client gave up on are logged when the emulator finishes them.
      const calls = infoCalls(await waitForLog(emu, since, (log) => infoCalls(log).length >= 3));
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
      // A slow response is still being answered by the emulator when the client gives up: wait for its log line.
      const calls = await waitForLog(emu, since, (log) => infoCalls(log).length >= 3);
      t.equal(infoCalls(calls).length, 3, 'exactly http_max_attempts sends');
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
    const seen = logger.lines.length;
    const refresh = job.refresh({ signal: ac.signal });
    // Abort once the client is in its 30 s Retry-After wait (it logs the retry before waiting).
    for (let i = 0; i < 250 && !logger.lines.slice(seen).some((l) => /retrying GET .* in 30000 ms/.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
    t.ok(logger.lines.slice(seen).some((l) => /retrying GET .* in 30000 ms/.test(l)), 'the client was waiting out Retry-After');
    const started = Date.now();
    ac.abort();
    await t.rejects(refresh, { code: 'SF_ABORTED' });
    t.ok(Date.now() - started < 1000, `the wait ended at once (${Date.now() - started} ms)`);
    await emu.clearFaults();
  });

  t.test('retries are logged', async (t) => {
    t.ok(logger.lines.some((l) => /retrying GET \/services\/data\/v66\.0\/jobs\/query\/\w+\/ in \d+ ms \(attempt 2 of 3\)/.test(l)), 'retries are logged');
  });
});

t.test('a job create whose reply is lost never creates a second job', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu, { http_max_attempts: 3, request_timeout_seconds: 2 }, { jobCreate: { lookDelaysMs: [500, 1500] } });
  t.teardown(() => client.close());
  const CREATE = '/jobs/ingest$';
  const cases: [string, Record<string, unknown>, 'resent' | 'looked'][] = [
    ['http503', {}, 'resent'], // 503 proves nothing happened: sent again at once
    ['http429', {}, 'resent'],
    ['requestLimitExceeded', {}, 'resent'],
    ['http500', {}, 'looked'], // may have happened: look in the job list first
    ['connectionReset', {}, 'looked'],
    ['latency', { latencyMs: 4500 }, 'looked'], // the reply comes after we stopped waiting: the job does exist
  ];
  // The emulator refuses a faulted create before acting on it. A slow one is acted on late or not at all (this
  // emulator fails to read the body of a request whose client has gone): the log's status of the first create says
  // which, and the client must send the create again exactly when that first one made no job.
  const createsSent = (log: LoggedRequest[]): number => {
    const first = log.filter(isCreate).sort((a, b) => String(a.at).localeCompare(String(b.at)))[0];
    return first?.status === 201 ? 1 : 2;
  };
  let objectIndex = 0;
  for (const [kind, extra, how] of cases) {
    t.test(`${kind} on create`, async (t) => {
      const object = ['Account', 'Contact', 'Lead', 'Case', 'Opportunity', 'Invoice__c'][objectIndex++]!;
      const since = await emu.lastSeq();
      await emu.faults({ rules: [{ kind, method: 'POST', path: CREATE, count: 1, ...extra }] });
      const job = await client.ingest.create({ object, operation: 'insert' });
      await emu.clearFaults();
      // A slow create is logged when the emulator answers it, after the client gave up on it.
      const log = clientRequests(await waitForLog(emu, since, (l) => l.filter(isCreate).length >= createsSent(l)));
      const posts = log.filter(isCreate);
      const lists = log.filter((r) => r.method === 'GET' && /\/jobs\/ingest$/.test(r.path));
      const jobs = (await emu.jobs()).filter((j) => j.object === object);
      t.equal(jobs.length, 1, `exactly one ${object} job exists`);
      t.equal(jobs[0]!.id, job.id, 'and it is the one the client uses');
      if (how === 'resent') {
        t.equal(posts.length, 2, 'the create was sent again');
        t.equal(lists.length, 0, 'without looking first (the failure proved nothing happened)');
      } else {
        const expected = createsSent(log);
        t.equal(posts.length, expected, expected === 1 ? 'the job the first create made was adopted' : 'the create that made no job was sent again, once');
        t.ok(lists.length >= 1, 'the job list was read');
        if (posts.length === 2) {
          t.equal(lists.length, 2, 'both looks found nothing before the create was sent again');
          t.ok(log.indexOf(lists[1]!) < log.indexOf(posts[1]!), 'looked before sending the create again');
        }
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
