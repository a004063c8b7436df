// Errors are values: once thrown they never change. A layer that knows more (the job, that the outcome is
// unknown, how often the request was sent) wraps the error in a new one of the same class that keeps the
// original as `cause`; and every error the library throws is a SalesforceError with a stable code.
import t from 'tap';
import { Readable } from 'node:stream';
import {
  AbortedError, CountMismatchError, InvalidInputError, NetworkError, PollTimeoutError, ProtocolError, SalesforceError, UsageError, withJob,
} from '../../src/bulk/errors.js';
import { CsvRows } from '../../src/bulk/csv/csv-rows.js';
import { decodedBody } from '../../src/bulk/http/decoded-body.js';
import { collect, connect, startEmu } from '../helpers/emulator.js';

t.test('withJob returns a new error of the same class and leaves the thrown one as it was', async (t) => {
  const original = new NetworkError('network error on GET /x: UND_ERR_SOCKET other side closed', 'UND_ERR_SOCKET', { request: { method: 'GET', path: '/x' }, attempts: 1 });
  const wrapped = withJob(original, '750A', { outcomeUnknown: true, attempts: 3 });
  t.not(wrapped, original, 'a new error');
  t.type(wrapped, NetworkError, 'of the same class');
  t.equal(wrapped.networkCode, 'UND_ERR_SOCKET', 'with the fields of its class');
  t.same([wrapped.code, wrapped.message, wrapped.request, wrapped.retryable], [original.code, original.message, original.request, original.retryable]);
  t.same([wrapped.jobId, wrapped.outcomeUnknown, wrapped.attempts], ['750A', true, 3], 'naming the job, the unknown outcome and the attempts');
  t.equal(wrapped.cause, original, 'the original is its cause');
  t.same([original.jobId, original.outcomeUnknown, original.attempts], [undefined, false, 1], 'the original is unchanged');

  t.equal(withJob(wrapped, '750B').jobId, '750A', 'an error that names a job keeps naming it');
  t.equal(withJob(withJob(original, '750A', { outcomeUnknown: true }), '750A', { outcomeUnknown: false }).outcomeUnknown, true, 'an unknown outcome is never made known again');
  t.equal(withJob(wrapped, '750A'), wrapped, 'nothing to add: the same error');
  const plain = new Error('not ours');
  t.equal(withJob(plain, '750A'), plain, 'anything else passes through untouched');

  const timeout = new PollTimeoutError('750C', 5000, 'InProgress');
  const again = withJob(timeout, undefined, { attempts: 2 });
  t.type(again, PollTimeoutError);
  t.same([again.lastState, again.jobId, again.attempts], ['InProgress', '750C', 2], 'subclass fields survive');
  const count = withJob(new CountMismatchError('750D', 'page', 10, 9), undefined, { outcomeUnknown: true });
  t.same([count.expected, count.actual, count.outcomeUnknown], [10, 9, true]);
});

t.test('the fields a caller reads cannot be changed on a wrapped error', async (t) => {
  const wrapped = withJob(new InvalidInputError('bad'), '750A', { outcomeUnknown: true });
  t.throws(() => {
    (wrapped as unknown as { jobId: string }).jobId = 'other';
  }, TypeError);
  t.equal(wrapped.jobId, '750A');
});

t.test('the client wraps, never mutates: the error a lower layer threw is intact in the cause chain', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu, { http_max_attempts: 2 });
  t.teardown(() => client.close());
  const job = await client.query.create({ query: 'SELECT Id FROM Account' });
  await job.waitForCompletion();
  await emu.faults({ rules: [{ kind: 'http500', method: 'GET', path: `/jobs/query/${job.id}$` }] });
  const e = (await job.waitForCompletion({ initialMs: 5 }).catch((x: unknown) => x)) as SalesforceError;
  await emu.clearFaults();
  t.equal(e.jobId, job.id);
  t.equal(e.outcomeUnknown, true, 'a wait that ended early leaves the outcome unknown');
  const chain: SalesforceError[] = [];
  for (let c: unknown = e; c instanceof SalesforceError; c = c.cause) chain.push(c);
  const thrown = chain[chain.length - 1]!;
  t.ok(chain.length >= 2, 'the poll wrapped what the refresh threw');
  t.equal(thrown.code, 'SF_SERVER');
  t.equal(thrown.outcomeUnknown, false, 'the HTTP layer\'s error still says what it said');
});

t.test('every error the library throws is typed: misuse, malformed CSV, an aborted call', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.query.create({ query: 'SELECT Id FROM Account' });
  await job.waitForCompletion();
  const pages = job.pages();
  const first = (await pages.next()).value!;
  await collect(first.rows());
  const twice = await collect(first.rows()).catch((x: unknown) => x);
  t.type(twice, UsageError, 'a page read twice');
  t.equal((twice as UsageError).code, 'SF_USAGE');
  t.equal((twice as UsageError).jobId, job.id);
  await pages.return(undefined);

  const rows = new CsvRows(decodedBody(Readable.from([Buffer.from('"a","b"\n"1"x\n')])));
  const bad = await collect(rows).catch((x: unknown) => x);
  t.type(bad, ProtocolError, 'malformed CSV without a caller mapping');
  const again = await collect(rows).catch((x: unknown) => x);
  t.type(again, UsageError, 'CsvRows iterated twice');

  const ac = new AbortController();
  ac.abort();
  t.type(await job.refresh({ signal: ac.signal }).catch((x: unknown) => x), AbortedError);
});
