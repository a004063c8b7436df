// Creates of the same kind, object and operation are queued within a client (so a lost reply is never
// mistaken for a neighbour's job); a caller that gives up while it waits its turn leaves the queue at once.
import t from 'tap';
import { AbortedError } from '../../src/bulk/errors.js';
import { clientRequests, connect, startEmu } from '../helpers/emulator.js';

t.test('a cancelled caller leaves the job-create queue at once, without sending its create', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu, { request_timeout_seconds: 10 });
  t.teardown(() => client.close());
  // The first create is slow: the second waits behind it.
  await emu.faults({ rules: [{ kind: 'latency', method: 'POST', path: '/jobs/ingest$', latencyMs: 1500, count: 1 }] });
  const first = client.ingest.create({ object: 'Account', operation: 'insert' });
  const ac = new AbortController();
  const second = client.ingest.create({ object: 'Account', operation: 'insert' }, { signal: ac.signal });
  const third = client.ingest.create({ object: 'Account', operation: 'insert' });
  const started = Date.now();
  ac.abort();
  const e = await second.catch((x: unknown) => x);
  const waited = Date.now() - started;
  t.type(e, AbortedError, 'the cancelled caller gets AbortedError');
  t.ok(waited < 1000, `at once (${waited} ms), not after the create ahead of it (1.5 s)`);
  const [a, c] = await Promise.all([first, third]);
  t.not(a.id, c.id, 'the callers behind it still get their own jobs');
  const creates = clientRequests(await emu.requests()).filter((r) => r.method === 'POST' && /\/jobs\/ingest$/.test(r.path));
  t.equal(creates.length, 2, 'the cancelled create was never sent');
  t.ok(creates[1]!.at >= new Date(started + 1000).toISOString(), 'and the third still waited for the first');
});
