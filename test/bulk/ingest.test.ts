// Ingest jobs against the emulator: staged and multipart uploads, the three result sets streamed as rows
// (gzip on the wire), uploads re-sent from their file after faults, failed jobs, list/abort/delete.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidInputError, InvalidStateError, NotFoundError } from '../../src/bulk/errors.js';
import fc from 'fast-check';
import { MAX_MULTIPART_CSV_CHARS, utf8Chars } from '../../src/bulk/ingest/ingest-job.js';
import { CREDS, clientRequests, collect, connect, startEmu } from '../helpers/emulator.js';
import { startLossyProxy } from './helpers/lossy-proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));

function accountsCsv(n: number, prefix: string, blankEvery = 0): string {
  let s = 'Name,Industry,NumberOfEmployees\n';
  for (let i = 0; i < n; i++) s += `${blankEvery && i % blankEvery === 0 ? '' : `"${prefix} ${i}, Ltd."`},Manufacturing,${i}\n`;
  return s;
}

t.test('a staged upload: create, upload, close, wait, and every row accounted for in the results', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.ingest.create({ object: 'Account', operation: 'insert' });
  t.equal(job.state, 'Open');
  await job.upload({ data: accountsCsv(250, 'Staged', 50) });
  t.equal((await job.close()).state, 'UploadComplete');
  const info = await job.waitForCompletion();
  t.equal(info.state, 'JobComplete');
  t.equal(info.numberRecordsProcessed, 250);
  t.equal(info.numberRecordsFailed, 5);
  const ok = await collect(await job.successfulResults());
  const failed = await collect(await job.failedResults());
  const unprocessed = await collect(await job.unprocessedRecords());
  t.equal(ok.length, 245);
  t.equal(failed.length, 5);
  t.equal(unprocessed.length, 0);
  t.equal(ok.length + failed.length + unprocessed.length, 250, 'every uploaded row is in exactly one result set');
  t.match(ok[0], { sf__Created: 'true', Industry: 'Manufacturing' });
  t.match(ok[0]!.sf__Id, /^001[A-Za-z0-9]{15}$/);
  t.match(failed[0]!.sf__Error, /^REQUIRED_FIELD_MISSING:/);
  t.ok(ok.some((r) => r.Name === 'Staged 1, Ltd.'), 'quoted values with commas survive the round trip');
  const log = clientRequests(await emu.requests());
  t.same(log.filter((r) => r.jobId === job.id).map((r) => `${r.method} ${r.state ?? ''}`.trim()).slice(0, 3), ['POST', 'PUT', 'PATCH UploadComplete']);
});

t.test('result sets arrive gzip-compressed and are decoded as they stream', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: accountsCsv(3000, 'Gz') });
  await job.waitForCompletion();
  // The wire: the emulator compresses when asked, as Salesforce does.
  const tok = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret }),
  });
  const { access_token } = (await tok.json()) as { access_token: string };
  const { request } = await import('undici');
  const raw = await request(`${emu.url}/services/data/v62.0/jobs/ingest/${job.id}/successfulResults/`, {
    headers: { authorization: `Bearer ${access_token}`, 'accept-encoding': 'gzip' },
  });
  t.equal(raw.headers['content-encoding'], 'gzip', 'the server sends gzip');
  await raw.body.dump();
  // The client asks for gzip and decodes it.
  const rows = await collect(await job.successfulResults());
  t.equal(rows.length, 3000);
  t.equal(rows[2999]!.NumberOfEmployees !== undefined, true);
});

t.test('multipart: small data goes in the create request; no upload and no close', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const since = await emu.lastSeq();
  const job = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: accountsCsv(20, 'Multi') });
  t.equal(job.state, 'UploadComplete');
  const done = await job.waitForCompletion();
  t.equal(done.numberRecordsProcessed, 20);
  const mine = clientRequests(await emu.requests(since)).filter((r) => r.path.includes('/jobs/ingest'));
  t.equal(mine.filter((r) => r.method === 'POST').length, 1);
  t.equal(mine.filter((r) => r.method === 'PUT' || r.method === 'PATCH').length, 0, 'no PUT, no PATCH');
  await t.rejects(client.ingest.createWithData({ object: 'Account', operation: 'insert' }, 'x'.repeat(MAX_MULTIPART_CSV_CHARS + 1)), InvalidInputError);
});

t.test('staged: data above the multipart limit, or a file, or a stream, goes through PUT', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const big = accountsCsv(3000, 'Big'); // > 100,000 characters
  t.ok(big.length > MAX_MULTIPART_CSV_CHARS);
  const since = await emu.lastSeq();
  const a = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: big });
  const file = join(dir, 'accounts.csv');
  writeFileSync(file, accountsCsv(10, 'File'));
  const b = await client.ingest.load({ object: 'Account', operation: 'insert' }, { file });
  const c = await client.ingest.load({ object: 'Account', operation: 'insert' }, { stream: Readable.from([accountsCsv(7, 'Stream')]) });
  for (const [job, n] of [[a, 3000], [b, 10], [c, 7]] as const) t.equal((await job.waitForCompletion()).numberRecordsProcessed, n);
  const puts = clientRequests(await emu.requests(since)).filter((r) => r.method === 'PUT');
  t.same(puts.map((p) => p.records), [3000, 10, 7]);
});

t.test('an upload retried after a fault re-sends every byte from its file (never a spent stream)', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const csv = accountsCsv(500, 'Retry');
  for (const kind of ['http503', 'http500']) {
    const since = await emu.lastSeq();
    await emu.faults({ rules: [{ kind, method: 'PUT', count: 1 }] });
    const job = await client.ingest.create({ object: 'Account', operation: 'insert' });
    await job.upload({ stream: Readable.from([csv]) });
    await emu.clearFaults();
    await job.close();
    t.equal((await job.waitForCompletion()).numberRecordsProcessed, 500, `${kind}: all rows arrived`);
    const puts = clientRequests(await emu.requests(since)).filter((r) => r.method === 'PUT');
    t.equal(puts.length, 2, `${kind}: sent twice`);
    t.equal(puts[1]!.bytesIn, Buffer.byteLength(csv), `${kind}: the second send carried the whole file`);
    t.equal(puts[1]!.records, 500);
  }
  t.equal((await emu.jobs()).length, 2, 'one job per upload, no duplicates');
});

t.test('an upload whose reply is lost after it arrived is redone in a new job; the first is aborted unprocessed', async (t) => {
  const emu = await startEmu(t);
  let puts = 0;
  const proxy = await startLossyProxy(t, emu.url, (req) => req.method === 'PUT' && ++puts === 1);
  const client = await connect(emu, { login_url: proxy.url });
  t.teardown(() => client.close());
  const csv = accountsCsv(40, 'Cut');
  const before = (await emu.admin('GET', '/counts')) as Record<string, { live: number }>;
  const job = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: csv }, { multipart: false });
  t.equal(proxy.dropped.length, 1, 'the first upload reply was lost');
  t.equal((await job.waitForCompletion()).numberRecordsProcessed, 40);
  const after = (await emu.admin('GET', '/counts')) as Record<string, { live: number }>;
  t.equal(after.Account!.live - before.Account!.live, 40, 'the rows were loaded exactly once');
  const jobs = await emu.jobs();
  t.same(jobs.map((j) => j.state).sort(), ['Aborted', 'JobComplete'], 'the job holding the cut upload was aborted before processing');
});

t.test('a job that fails: its rows are unprocessed, not lost; waitForCompletion returns it', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  await emu.faults({ batchTimeouts: { attempts: 100, object: 'Lead' } });
  const job = await client.ingest.load({ object: 'Lead', operation: 'insert' }, { data: 'LastName,Company\nA,X\nB,Y\nC,Z\n' }, { multipart: false });
  const info = await job.waitForCompletion();
  t.equal(info.state, 'Failed');
  const unprocessed = await collect(await job.unprocessedRecords());
  const ok = await collect(await job.successfulResults());
  const failed = await collect(await job.failedResults());
  t.equal(ok.length + failed.length + unprocessed.length, 3, 'all three rows accounted for');
  t.ok(unprocessed.length > 0);
  await emu.clearFaults();
});

t.test('list, abort, delete, and the typed errors of wrong calls', async (t) => {
  const emu = await startEmu(t);
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.ingest.create({ object: 'Contact', operation: 'insert' });
  const listed = await collect(client.ingest.list());
  t.ok(listed.some((j) => j.id === job.id), 'the job is listed');
  t.equal((await job.abort()).state, 'Aborted');
  t.equal((await job.abort()).state, 'Aborted', 'aborting again answers with the job as it is');
  await t.rejects(job.close(), InvalidStateError);
  await job.delete();
  const gone = await client.ingest.info(job.id).catch((e: unknown) => e);
  t.type(gone, NotFoundError);
  t.equal((gone as NotFoundError).jobId, job.id);
  const two = await client.ingest.create({ object: 'Contact', operation: 'insert' });
  await two.upload({ data: 'LastName\nA\n' });
  const again = await two.upload({ data: 'LastName\nB\n' }).catch((e: unknown) => e);
  t.type(again, InvalidStateError, 'a second upload on one job is refused');
  await t.rejects(client.ingest.create({ object: 'Contact', operation: 'upsert' }), /externalIdFieldName/);
  await t.rejects(two.upload({ data: '' }), /empty/);
});

t.test('a session that ends while a job runs is renewed without the caller noticing', async (t) => {
  const emu = await startEmu(t, { tokenTtlSeconds: 60 });
  const client = await connect(emu);
  t.teardown(() => client.close());
  const job = await client.ingest.load({ object: 'Account', operation: 'insert' }, { data: accountsCsv(1500, 'Ttl') });
  // The token's lifetime runs out between the close and the first poll: the emulator's clock is moved past it
  // rather than waited out.
  await emu.admin('POST', '/clock', { advanceSeconds: 61 });
  const since = await emu.lastSeq();
  const info = await job.waitForCompletion();
  t.equal(info.state, 'JobComplete');
  t.equal((await collect(await job.successfulResults())).length, 1500);
  const log = clientRequests(await emu.requests(since));
  t.equal(log.filter((r) => r.path === '/services/oauth2/token').length, 1, 'the session was renewed once');
  t.equal(log.filter((r) => r.status === 401).length, 1, 'after exactly one refused call, which was replayed');
  t.equal(log.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs/ingest')).length, 0, 'no job was created again');
});

t.test('the multipart choice counts a Buffer\'s characters without decoding it to a string', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
      t.equal(utf8Chars(Buffer.from(text, 'utf8')), text.length);
    }),
    { numRuns: 500 },
  );
  t.equal(utf8Chars(Buffer.from('a€𝄞', 'utf8')), 'a€𝄞'.length, 'one, three and four-byte characters');
});
