// kill -9 after Salesforce created a job but before its id reached the ledger: a loopback proxy between the target
// and the emulator forwards the create and holds its reply, so the kill lands exactly in that gap. The re-run must
// find the job the create left Open (from the intent the ledger recorded before the request) and abort it: no job
// is left Open, and every record is in the org exactly once.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import { withEmulator } from '../helpers/emulator.js';
import { connection, killHard, query, record, runTarget, schema, startTarget, state, workDir, writeConfig } from './target-harness.js';

const N = 120;
const input = (): string[] => [
  schema('acc', { Name: { type: 'string' } }),
  ...Array.from({ length: N }, (_, i) => record('acc', { Name: `L${String(i).padStart(4, '0')}` })),
  state({ done: N }),
];

interface HoldingProxy {
  readonly url: string;
  /** The id of the first ingest job the emulator created through the proxy; its reply is never forwarded. */
  readonly heldCreate: Promise<string>;
}

/** Forwards everything to `target`, except the reply to the first ingest job create, which it keeps. */
async function holdingProxy(t: Test, target: string): Promise<HoldingProxy> {
  const upstream = new URL(target);
  let held = false;
  let resolveHeld!: (id: string) => void;
  const heldCreate = new Promise<string>((r) => (resolveHeld = r));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (!held && req.method === 'POST' && /\/jobs\/ingest\/?$/.test(req.url ?? '') && (up.statusCode ?? 500) < 300) {
        held = true;
        let body = '';
        up.setEncoding('utf8').on('data', (d: string) => (body += d));
        up.on('end', () => resolveHeld((JSON.parse(body) as { id: string }).id));
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heldCreate };
}

t.test('killed after the job create was answered, before the ledger recorded the job', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const proxy = await holdingProxy(t, h.url);
  const dir = workDir(t);
  const settings = { streams: { acc: { object: 'Account' } }, max_records_per_job: 50, max_parallel_jobs: 2 };
  const viaProxy = writeConfig(dir, undefined, { ...connection(h), login_url: proxy.url, ...settings }, 'proxy.json');
  const run = startTarget(viaProxy, input().join('\n') + '\n', ['--log-level', 'debug']);
  const orphan = await proxy.heldCreate;
  await killHard(run);
  const before = await h.admin<{ id: string; state: string }[]>('/jobs');
  t.same(before.map((j) => [j.id, j.state]), [[orphan, 'Open']], 'the kill left one Open job the ledger never heard of');

  const r = await runTarget(writeConfig(dir, h, settings), input(), ['--log-level', 'debug']);
  t.equal(r.code, 0, r.stderr);
  t.same(r.states.at(-1), { done: N });
  t.match(r.stderr, new RegExp(`job ${orphan} .*aborting it`), 'the re-run says which job it aborted');
  const jobs = await h.admin<{ id: string; state: string; numberRecordsProcessed: number }[]>('/jobs');
  t.same(jobs.filter((j) => j.state === 'Open'), [], 'no job is left Open');
  t.equal(jobs.find((j) => j.id === orphan)?.state, 'Aborted', 'the leftover job was aborted');
  t.equal(jobs.reduce((s, j) => s + j.numberRecordsProcessed, 0), N, 'Salesforce processed every row exactly once');
  const names = (await query(h, 'SELECT Name FROM Account')).map((a) => a.Name!);
  t.equal(names.length, N, 'no record inserted twice, none lost');
  t.equal(new Set(names).size, N);
});
