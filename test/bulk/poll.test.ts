import t from 'tap';
import { AbortedError, PollTimeoutError, NetworkError } from '../../src/bulk/errors.js';
import { isTerminal, parseJobInfo, parseSalesforceDate, JOB_STATES, type JobState } from '../../src/bulk/jobs/job-info.js';
import { pollDelay, pollUntilTerminal, DEFAULT_POLL } from '../../src/bulk/jobs/poll.js';

t.test('job states are exactly the six Salesforce names', async (t) => {
  t.same([...JOB_STATES], ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted']);
  t.same(JOB_STATES.filter(isTerminal), ['JobComplete', 'Failed', 'Aborted']);
  t.throws(() => parseJobInfo({ id: '750x', state: 'NotProcessed', operation: 'insert' }, 'ingest'), { code: 'SF_PROTOCOL', jobId: '750x' });
  t.throws(() => parseJobInfo({ id: '750x', state: 'Completed', operation: 'query' }, 'query'), /none of Open/);
  t.throws(() => parseJobInfo({ id: '750x', state: 'Open', operation: 'query' }, 'ingest'), /not a ingest operation/);
  t.equal(parseJobInfo({ id: '750x', state: 'Open', operation: 'insert', apiVersion: 62.0 }, 'ingest').apiVersion, 62);
  t.equal(parseSalesforceDate('2026-11-22T14:43:08.000+0000'), Date.UTC(2026, 10, 22, 14, 43, 8));
  t.equal(parseSalesforceDate('2026-11-22T14:43:08.000Z'), Date.UTC(2026, 10, 22, 14, 43, 8));
});

t.test('poll waits start near 1 s and back off to the cap', async (t) => {
  const mid = () => 0.5;
  t.same([0, 1, 2, 3, 4, 5, 10, 20].map((n) => pollDelay(n, DEFAULT_POLL, mid)), [1000, 1500, 2250, 3375, 5063, 7594, 30000, 30000]);
  t.equal(pollDelay(0, DEFAULT_POLL, () => 0), 900);
  t.equal(pollDelay(0, DEFAULT_POLL, () => 1), 1100);
});

const opts = { initialMs: 5, maxMs: 20, factor: 2, timeoutMs: 10_000 };

t.test('polling returns the terminal info', async (t) => {
  const states: JobState[] = ['UploadComplete', 'InProgress', 'InProgress', 'JobComplete'];
  const seen: string[] = [];
  const info = await pollUntilTerminal('750A', async () => ({ id: '750A', state: states.shift()! }), { ...opts, onStatus: (i) => seen.push(i.state) });
  t.equal(info.state, 'JobComplete');
  t.same(seen, ['UploadComplete', 'InProgress', 'InProgress', 'JobComplete']);
  const failed = await pollUntilTerminal('750B', async () => ({ id: '750B', state: 'Failed' as JobState }), opts);
  t.equal(failed.state, 'Failed', 'a Failed job is an answer, not an exception');
});

t.test('a poll timeout carries the job id and says the outcome is unknown', async (t) => {
  const e = await pollUntilTerminal('750C', async () => ({ id: '750C', state: 'InProgress' as JobState }), { ...opts, timeoutMs: 60 }).catch((x: unknown) => x);
  t.type(e, PollTimeoutError);
  const p = e as PollTimeoutError;
  t.equal(p.code, 'SF_POLL_TIMEOUT');
  t.equal(p.jobId, '750C');
  t.equal(p.lastState, 'InProgress');
  t.equal(p.outcomeUnknown, true);
  t.match(p.message, /outcome is unknown/);
  t.notMatch(p.message, /failed/i);
});

t.test('a job finishing during the last wait is not reported as timed out', async (t) => {
  let n = 0;
  let clock = 0;
  const info = await pollUntilTerminal('750D', async () => ({ id: '750D', state: (n++ < 1 ? 'InProgress' : 'JobComplete') as JobState }), { ...opts, timeoutMs: 5 }, () => (clock += 3));
  t.equal(info.state, 'JobComplete');
});

t.test('errors of the status call carry the job id; the signal stops the wait', async (t) => {
  const e = await pollUntilTerminal('750E', async () => { throw new NetworkError('down', 'ECONNRESET'); }, opts).catch((x: unknown) => x);
  t.equal((e as NetworkError).jobId, '750E');
  const ac = new AbortController();
  let looks = 0;
  // Aborted once the job has been looked at twice, while the poller waits for its next look.
  const status = async () => {
    if (++looks === 2) setImmediate(() => ac.abort());
    return { id: '750F', state: 'InProgress' as JobState };
  };
  await t.rejects(pollUntilTerminal('750F', status, { ...opts, signal: ac.signal }), { code: 'SF_ABORTED' });
  t.equal(looks, 2, 'no look after the abort');
});

t.test('whatever ends a wait early leaves the outcome unknown and names the job', async (t) => {
  // A status call that finally fails: the job may still complete.
  const down = await pollUntilTerminal('750G', async () => { throw new NetworkError('down', 'ECONNRESET'); }, opts).catch((x: unknown) => x);
  t.equal((down as NetworkError).outcomeUnknown, true, 'a dropped connection is an unknown outcome, not a failure');
  // The last look after the deadline fails: still the job's id.
  let clock = 0;
  let n = 0;
  const last = await pollUntilTerminal('750H', async () => {
    if (n++ > 0) throw new NetworkError('down', 'ECONNRESET');
    return { id: '750H', state: 'InProgress' as JobState };
  }, { ...opts, timeoutMs: 5 }, () => (clock += 3)).catch((x: unknown) => x);
  t.equal((last as NetworkError).jobId, '750H');
  t.equal((last as NetworkError).outcomeUnknown, true);
  // A kill (the caller's signal) during a wait: each job is named, even when the signal's reason is shared.
  const ac = new AbortController();
  const shared = new AbortedError('shutting down');
  const looked = new Set<string>();
  // Aborted once both jobs have been looked at, while both pollers wait.
  const look = async (id: string) => {
    looked.add(id);
    if (looked.size === 2 && !ac.signal.aborted) setImmediate(() => ac.abort(shared));
    return { id, state: 'InProgress' as JobState };
  };
  const [a, b] = await Promise.all(['750I', '750J'].map((id) =>
    pollUntilTerminal(id, () => look(id), { ...opts, signal: ac.signal }).then(() => undefined, (x: unknown) => x as AbortedError)));
  t.equal(a!.code, 'SF_ABORTED');
  t.equal(a!.jobId, '750I');
  t.equal(b!.jobId, '750J');
  t.equal(a!.outcomeUnknown, true);
  t.match(a!.message, /750I.*outcome is unknown/);
});

t.test('the wait is bounded in count as well as in time', async (t) => {
  let calls = 0;
  const err = await pollUntilTerminal(
    '750000000000001AAA',
    async () => {
      calls++;
      return { id: '750000000000001AAA', state: 'InProgress' as JobState };
    },
    { ...DEFAULT_POLL, initialMs: 0, maxMs: 0, maxPolls: 5 },
  ).catch((e: unknown) => e);
  t.ok(err instanceof PollTimeoutError, 'a poll timeout');
  t.equal((err as PollTimeoutError).jobId, '750000000000001AAA');
  t.equal(calls, 5, 'exactly maxPolls status calls');
});
