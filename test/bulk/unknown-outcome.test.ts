// Unknown is not failed: whenever a request that may have acted cannot be confirmed (a garbled reply, a lost
// reply followed by a failed look), the error says so (`outcomeUnknown`), names the job where there is one,
// and never reads as an ordinary retryable failure that a caller would answer by creating a second job.
import t from 'tap';
import type { IncomingMessage } from 'node:http';
import { OutcomeUnknownError, SalesforceError } from '../../src/bulk/errors.js';
import { clientRequests, connect, startEmu } from '../helpers/emulator.js';
import { startLossyProxy } from './helpers/lossy-proxy.js';
import { startLoopbackProxy } from './helpers/loopback-proxy.js';

/** A proxy that lets chosen requests reach the emulator, then answers them with bytes that are not HTTP. */
async function startGarblingProxy(t: { teardown(fn: () => unknown): void }, target: string, garble: (req: IncomingMessage) => boolean) {
  const garbled: string[] = [];
  const proxy = await startLoopbackProxy(t, target, (req) =>
    garble(req)
      ? (req, _res, upstream) => {
          garbled.push(`${req.method} ${req.url}`);
          upstream.resume();
          upstream.on('end', () => req.socket.end('NOT-HTTP garbage\r\n\r\n'));
        }
      : undefined,
  );
  return { url: proxy.url, garbled };
}

t.test('a job create answered with a garbled reply is looked for, not reported as a plain retryable failure', async (t) => {
  const emu = await startEmu(t);
  let creates = 0;
  const proxy = await startGarblingProxy(t, emu.url, (req) => req.method === 'POST' && /\/jobs\/ingest\/?$/.test(req.url ?? '') && ++creates === 1);
  const client = await connect(emu, { login_url: proxy.url }, { jobCreate: { lookDelaysMs: [100, 300] } });
  t.teardown(() => client.close());
  const job = await client.ingest.create({ object: 'Account', operation: 'insert' });
  t.equal(proxy.garbled.length, 1, 'the create reply was garbled');
  const jobs = await emu.jobs();
  t.equal(jobs.length, 1, 'exactly one job exists');
  t.equal(jobs[0]!.id, job.id, 'the client adopted the job its garbled request created');
  const log = clientRequests(await emu.requests());
  t.equal(log.filter((r) => r.method === 'POST' && /\/jobs\/ingest$/.test(r.path)).length, 1, 'the create was sent once');
});

t.test('a lost create whose look fails is an unknown outcome, never a plain retryable error', async (t) => {
  const emu = await startEmu(t);
  const proxy = await startLossyProxy(t, emu.url, (req) => req.method === 'POST' && /\/jobs\/ingest\/?$/.test(req.url ?? ''));
  const client = await connect(emu, { login_url: proxy.url, http_max_attempts: 2 }, { jobCreate: { lookDelaysMs: [50, 100] } });
  t.teardown(() => client.close());
  await emu.faults({ rules: [{ kind: 'http500', method: 'GET', path: '/jobs/ingest$' }] });
  const e = await client.ingest.create({ object: 'Account', operation: 'insert' }).catch((x: unknown) => x);
  await emu.clearFaults();
  t.type(e, OutcomeUnknownError);
  const err = e as OutcomeUnknownError;
  t.equal(err.outcomeUnknown, true);
  t.equal(err.code, 'SF_OUTCOME_UNKNOWN');
  t.match(err.message, /may have been created/);
  t.equal((await emu.jobs()).length, 1, 'the lost create did make a job: a blind retry would have made two');
});

t.test('an UploadComplete whose reply is lost and whose look fails leaves the outcome unknown, with the job id', async (t) => {
  const emu = await startEmu(t);
  const proxy = await startLossyProxy(t, emu.url, (req) => req.method === 'PATCH');
  const client = await connect(emu, { login_url: proxy.url, http_max_attempts: 2 });
  t.teardown(() => client.close());
  const job = await client.ingest.create({ object: 'Account', operation: 'insert' });
  await job.upload({ data: 'Name\nUnknown Co\n' });
  await emu.faults({ rules: [{ kind: 'http500', method: 'GET', path: `/jobs/ingest/${job.id}$` }] });
  const e = await job.close().catch((x: unknown) => x);
  await emu.clearFaults();
  t.type(e, SalesforceError);
  const err = e as SalesforceError;
  t.equal(err.jobId, job.id, 'the error names the job');
  t.equal(err.outcomeUnknown, true, 'the close may have taken effect: the outcome is unknown, not failed');
  t.equal(proxy.dropped.length, 1);
  t.not((await job.refresh()).state, 'Open', 'indeed the job was closed and is processing');
});

t.test('a delete whose reply is lost is done, not a NotFoundError from its resend', async (t) => {
  const emu = await startEmu(t);
  let deletes = 0;
  const proxy = await startLossyProxy(t, emu.url, (req) => req.method === 'DELETE' && ++deletes <= 2);
  const client = await connect(emu, { login_url: proxy.url });
  t.teardown(() => client.close());
  const ingest = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: 'Name\nGone Co\n' });
  await ingest.waitForCompletion();
  await ingest.delete();
  const query = await client.query.create({ query: 'SELECT Id FROM Account' });
  await query.waitForCompletion();
  await query.delete();
  t.equal(proxy.dropped.length, 2, 'both delete replies were lost');
  t.same(await emu.jobs(), [], 'both jobs are gone');
});

t.test('a query abort whose reply is lost is read back, like an ingest state change (one shared job handle)', async (t) => {
  const emu = await startEmu(t);
  const proxy = await startLossyProxy(t, emu.url, (req) => req.method === 'PATCH');
  const client = await connect(emu, { login_url: proxy.url });
  t.teardown(() => client.close());
  await emu.faults({ holdJobs: [{ state: 'InProgress', seconds: 30, jobType: 'query' }] });
  const query = await client.query.create({ query: 'SELECT Id FROM Account' });
  const info = await query.abort();
  t.equal(info.state, 'Aborted', 'the lost PATCH had aborted the job: that is the answer');
  t.equal(proxy.dropped.length, 1, 'its reply was lost');
  const patches = clientRequests(await emu.requests()).filter((r) => r.method === 'PATCH');
  t.equal(patches.length, 1, 'and it was not sent again');
  const ingest = await client.ingest.create({ object: 'Account', operation: 'insert' });
  t.equal((await ingest.abort()).state, 'Aborted', 'the same for an ingest job');
  t.equal(proxy.dropped.length, 2);
});
