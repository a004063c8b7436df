// What the client does when a server breaks the contract: counts that do not add up, paging headers
// missing, a locator that loops, a job state that does not exist, a URL off the instance. The emulator is
// faithful and cannot produce these, so a minimal stub server answers here (over real HTTP).
import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BulkClient } from '../../src/bulk/client.js';
import { parseConnectionConfig } from '../../src/bulk/connection-config.js';
import { CountMismatchError, ProtocolError } from '../../src/bulk/errors.js';
import { collect } from '../helpers/emulator.js';

const JOB = '7505g0000004C92AAE';
type Page = { rows: number; locator: string; declared?: number; noLocator?: boolean };

async function stub(t: { teardown(fn: () => unknown): void }, opts: { processed: number | undefined; pages: Record<string, Page>; state?: string; resultPages?: unknown }) {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    const json = (body: unknown) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (url.pathname.endsWith(`/jobs/query/${JOB}/`) || url.pathname.endsWith(`/jobs/query/${JOB}`)) {
      return json({ id: JOB, operation: 'query', object: 'Account', state: opts.state ?? 'JobComplete', apiVersion: 62.0, numberRecordsProcessed: opts.processed, columnDelimiter: 'COMMA', lineEnding: 'LF' });
    }
    if (url.pathname.toLowerCase().endsWith('/resultpages')) return json(opts.resultPages);
    if (url.pathname.endsWith('/results')) {
      const key = url.searchParams.get('locator') ?? 'first';
      const p = opts.pages[key]!;
      res.writeHead(200, {
        'content-type': 'text/csv; charset=UTF-8',
        ...(p.noLocator ? {} : { 'sforce-locator': p.locator }),
        'sforce-numberofrecords': String(p.declared ?? p.rows),
      });
      let body = '"Id"\n';
      for (let i = 0; i < p.rows; i++) body += `"${key}-${i}"\n`;
      return res.end(body);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]');
  };
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = await BulkClient.connect(parseConnectionConfig({ auth_flow: 'access_token', access_token: '00D000000000001!stubtoken', instance_url: url, api_version: '62.0' }));
  t.teardown(() => client.close());
  return client;
}

t.test('a page with fewer rows than Sforce-NumberOfRecords is an error naming the job', async (t) => {
  const client = await stub(t, { processed: 5, pages: { first: { rows: 3, locator: 'L2' }, L2: { rows: 1, declared: 2, locator: 'null' } } });
  const e = await collect(client.query.job(JOB).rows()).catch((x: unknown) => x);
  t.type(e, CountMismatchError);
  t.equal((e as CountMismatchError).jobId, JOB);
  t.equal((e as CountMismatchError).expected, 2);
  t.equal((e as CountMismatchError).actual, 1);
  t.match((e as Error).message, /page L2/);
});

t.test('pages that add up to less than numberRecordsProcessed are an error', async (t) => {
  const client = await stub(t, { processed: 10, pages: { first: { rows: 3, locator: 'L2' }, L2: { rows: 2, locator: 'null' } } });
  const e = await collect(client.query.job(JOB).rows()).catch((x: unknown) => x);
  t.type(e, CountMismatchError);
  t.equal((e as CountMismatchError).expected, 10);
  t.equal((e as CountMismatchError).actual, 5);
});

t.test('a job info without numberRecordsProcessed is an error, not a total silently left unchecked', async (t) => {
  const client = await stub(t, { processed: undefined, pages: { first: { rows: 3, locator: 'null' } } });
  const e = await collect(client.query.job(JOB).rows()).catch((x: unknown) => x);
  t.type(e, ProtocolError);
  t.equal((e as ProtocolError).jobId, JOB);
  t.match((e as Error).message, /numberRecordsProcessed/);
});

t.test('a missing Sforce-Locator header is a protocol error, not an endless loop', async (t) => {
  const client = await stub(t, { processed: 3, pages: { first: { rows: 3, locator: 'x', noLocator: true } } });
  await t.rejects(collect(client.query.job(JOB).rows()), ProtocolError);
});

t.test('a locator that comes back is a protocol error, not an endless loop', async (t) => {
  const client = await stub(t, { processed: 100, pages: { first: { rows: 1, locator: 'A' }, A: { rows: 1, locator: 'B' }, B: { rows: 1, locator: 'A' } } });
  const e = await collect(client.query.job(JOB).rows()).catch((x: unknown) => x);
  t.type(e, ProtocolError);
  t.match((e as Error).message, /came back twice/);
});

t.test('a job state outside the six is a protocol error, never "keep polling"', async (t) => {
  const client = await stub(t, { processed: 0, pages: {}, state: 'NotProcessed' });
  await t.rejects(client.query.job(JOB).waitForCompletion({ timeoutMs: 10_000 }), { code: 'SF_PROTOCOL', jobId: JOB });
});

t.test('a resultPages URL on another host is refused: the token stays home', async (t) => {
  const client = await stub(t, {
    processed: 1,
    pages: {},
    resultPages: { resultPages: [{ resultUrl: 'https://evil.example.com/services/data/v62.0/jobs/query/x/results' }], nextRecordsUrl: null, done: true },
  });
  const e = await collect(client.query.job(JOB).rows({ concurrency: 2 })).catch((x: unknown) => x);
  t.type(e, ProtocolError);
  t.match((e as Error).message, /refusing to send the session to https:\/\/evil.example.com/);
});
