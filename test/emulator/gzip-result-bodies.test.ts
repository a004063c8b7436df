// Large CSV bodies (ingest result sets, query result pages) gzip-compressed on the libuv pool as they are sent, as
// one gzip member (src/emulator/server/respond.ts): over real HTTP the decoded bytes must be exactly
// the uncompressed answer, the body one member as Salesforce sends it, and a body cut anywhere must not gunzip.
import { request } from 'node:http';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { PIECE_BYTES } from '../../src/emulator/server/respond.js';
import { API, csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

const ROWS = 16_000;

/** The raw body and headers of a GET, with or without `Accept-Encoding: gzip`. */
function get(h: Harness, path: string, gzip: boolean): Promise<{ encoding: unknown; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${h.token}`, 'Accept-Encoding': gzip ? 'gzip' : 'identity' };
    const req = request(new URL(`${h.url}/services/data/${API}/${path}`), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve({ encoding: res.headers['content-encoding'], raw: Buffer.concat(chunks) }) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts a GET, reads its first body bytes, then drops the connection; resolves once the socket is closed. */
function abandon(h: Harness, path: string, gzip: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${h.token}`, 'Accept-Encoding': gzip ? 'gzip' : 'identity' };
    const req = request(new URL(`${h.url}/services/data/${API}/${path}`), { headers }, (res) => {
      res.once('data', (c: Buffer) => {
        req.socket?.once('close', () => resolve(c.length));
        req.destroy();
      });
    });
    req.on('error', () => undefined);
    req.on('response', (res) => res.on('error', () => undefined));
    req.once('socket', (s) => s.once('error', reject));
    req.end();
  });
}

/** Byte length of the first gzip member of `gz` (10-byte header without optional fields, deflate data, 8-byte trailer). */
function firstMemberBytes(gz: Buffer): number {
  const { engine } = inflateRawSync(gz.subarray(10), { info: true }) as unknown as { engine: { bytesWritten: number } };
  return 10 + engine.bytesWritten + 8;
}

async function sameBytesBothWays(t: Test, h: Harness, path: string): Promise<Buffer> {
  const plain = await get(h, path, false);
  const packed = await get(h, path, true);
  t.equal(plain.encoding, undefined, `${path}: identity when gzip is not asked for`);
  t.equal(packed.encoding, 'gzip', `${path}: gzip when asked for`);
  t.ok(gunzipSync(packed.raw).equals(plain.raw), `${path}: the gzip body decodes to exactly the plain body`);
  t.equal(firstMemberBytes(packed.raw), packed.raw.length, `${path}: the gzip body is one member`);
  t.ok((await get(h, path, false)).raw.equals(plain.raw), `${path}: downloaded again, the same bytes`);
  t.ok((await get(h, path, true)).raw.equals(packed.raw), `${path}: downloaded again with gzip, the same compressed bytes`);
  t.ok(plain.raw.length > 4 * PIECE_BYTES, `${path}: large enough to be sent in pieces that are filled again once sent`);
  for (let k = 1; k < 16; k++) {
    const cut = Math.floor((packed.raw.length * k) / 16);
    t.throws(() => gunzipSync(packed.raw.subarray(0, cut)), `${path}: cut at byte ${cut} of ${packed.raw.length} does not gunzip`);
  }
  return plain.raw;
}

t.test('ingest result sets and query result pages decode to the same bytes with and without gzip', async (t) => {
  const h = await withEmulator(t);
  const csv = 'Name,External_Id__c,Description\n' + Array.from({ length: ROWS }, (_, i) => `Gzip ${i},GZ-${i},"row ${i}, ""quoted"" text, long enough to fill pieces"`).join('\n') + '\n';
  const job = (await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) })).body.id as string;
  t.equal((await h.call(`jobs/ingest/${job}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv })).status, 201);
  await h.json(`jobs/ingest/${job}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  const info = await h.waitFor(`jobs/ingest/${job}`, ['JobComplete', 'Failed', 'Aborted'], 15_000);
  t.equal(info.state, 'JobComplete');
  const ok = csvRows((await sameBytesBothWays(t, h, `jobs/ingest/${job}/successfulResults`)).toString('utf8'));
  t.equal(ok.length, ROWS + 1, 'one line per row, after the header');
  t.ok(ok.slice(1).every((r, i) => r[2] === `Gzip ${i}` && r[3] === `GZ-${i}`), 'every row once, in upload order');
  t.same(ok[ROWS], [ok[ROWS][0], 'true', `Gzip ${ROWS - 1}`, `GZ-${ROWS - 1}`, `row ${ROWS - 1}, "quoted" text, long enough to fill pieces`]);

  const soql = "SELECT Id, Name, Description FROM Account WHERE Name LIKE 'Gzip %'";
  const q = (await h.json('jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: soql }) })).body.id as string;
  await h.waitFor(`jobs/query/${q}`, ['JobComplete'], 15_000);
  const page = csvRows((await sameBytesBothWays(t, h, `jobs/query/${q}/results`)).toString('utf8'));
  t.equal(page.length, ROWS + 1);
});

t.test('a download dropped part way leaves the next download of the same result whole', async (t) => {
  const h = await withEmulator(t);
  const csv = 'Name,External_Id__c\n' + Array.from({ length: ROWS * 2 }, (_, i) => `Dropped ${i},DR-${i}`).join('\n') + '\n';
  const job = (await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) })).body.id as string;
  t.equal((await h.call(`jobs/ingest/${job}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv })).status, 201);
  await h.json(`jobs/ingest/${job}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  t.equal((await h.waitFor(`jobs/ingest/${job}`, ['JobComplete', 'Failed', 'Aborted'], 15_000)).state, 'JobComplete');
  const path = `jobs/ingest/${job}/successfulResults`;
  for (const gzip of [true, false]) {
    for (let k = 0; k < 3; k++) t.ok((await abandon(h, path, gzip)) > 0, `gzip ${gzip}: a download dropped after its first bytes`);
    const whole = await get(h, path, gzip);
    const rows = csvRows((gzip ? gunzipSync(whole.raw) : whole.raw).toString('utf8'));
    t.equal(rows.length, ROWS * 2 + 1, `gzip ${gzip}: the next download has every row`);
    t.ok(rows.slice(1).every((r, i) => r[2] === `Dropped ${i}`), `gzip ${gzip}: once each, in upload order`);
  }
  // every dropped download was answered to its end (the log holds a request once its handler is done)
  let answered = 0;
  for (let i = 0; i < 200 && answered < 8; i++) {
    const log = (await h.admin('/requests')) as { method: string; path: string }[];
    answered = log.filter((r) => r.method === 'GET' && r.path.endsWith(`/${path}`)).length;
    if (answered < 8) await new Promise((r) => setTimeout(r, 25));
  }
  t.equal(answered, 8, 'the six dropped downloads and the two whole ones are all logged as done');
});
