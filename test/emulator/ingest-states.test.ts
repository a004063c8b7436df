// Ingest job states over HTTP: legal transitions, every illegal one with its error, multipart, limits, list.
import t from 'tap';
import { gzipSync } from 'node:zlib';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

async function openJob(h: Harness, spec: object = { object: 'Account', operation: 'insert' }): Promise<string> {
  const r = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify(spec) });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return r.body.id;
}
const put = (h: Harness, id: string, body: string | Buffer, headers: Record<string, string> = { 'Content-Type': 'text/csv' }) =>
  h.call(`jobs/ingest/${id}/batches`, { method: 'PUT', headers, body });
const patch = (h: Harness, id: string, state: string) =>
  h.json(`jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state }) });

t.test('create refuses bad requests, naming what is wrong', async (t) => {
  const h = await withEmulator(t);
  const cases: [object, number, string][] = [
    [{ object: 'Account', operation: 'merge' }, 400, 'JSON_PARSER_ERROR'],
    [{ operation: 'insert' }, 400, 'INVALIDJOB'],
    [{ object: 'Nope__c', operation: 'insert' }, 400, 'INVALIDJOB'],
    [{ object: 'Account', operation: 'upsert' }, 400, 'INVALIDJOB'],
    [{ object: 'Account', operation: 'upsert', externalIdFieldName: 'Name__x' }, 400, 'INVALIDJOB'],
    [{ object: 'Account', operation: 'insert', columnDelimiter: 'SPACE' }, 400, 'JSON_PARSER_ERROR'],
    [{ object: 'Account', operation: 'insert', lineEnding: 'CR' }, 400, 'JSON_PARSER_ERROR'],
    [{ object: 'Account', operation: 'insert', contentType: 'JSON' }, 400, 'INVALIDJOB'],
  ];
  for (const [spec, status, code] of cases) {
    const r = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify(spec) });
    t.equal(r.status, status, JSON.stringify(spec));
    t.equal(r.body[0].errorCode, code, JSON.stringify(spec));
    t.type(r.body[0].message, 'string');
  }
  const bad = await h.json('jobs/ingest', { method: 'POST', body: '{"object":' });
  t.equal(bad.status, 400);
  t.equal(bad.body[0].errorCode, 'JSON_PARSER_ERROR');
  const noType = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'insert' }) });
  t.equal(noType.status, 200, 'contentType may be omitted (CSV)');
  t.equal(noType.body.contentType, 'CSV');
  const up = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'upsert', externalIdFieldName: 'external_id__c' }) });
  t.equal(up.body.externalIdFieldName, 'External_Id__c', 'the external id field is named canonically');
  t.same(Object.keys(up.body).slice(6, 9), ['state', 'externalIdFieldName', 'concurrencyMode']);
});

t.test('one upload per job; uploads only while Open; closing only from Open', async (t) => {
  const h = await withEmulator(t);
  const id = await openJob(h);
  t.equal((await put(h, id, 'Name\nA\n')).status, 201);
  const twice = await put(h, id, 'Name\nB\n');
  t.equal(twice.status, 400);
  t.same(await twice.json(), [{
    errorCode: 'INVALIDJOB',
    message: `Found multipe contents for job: <${id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
  }]);
  t.equal((await patch(h, id, 'UploadComplete')).status, 200);
  const again = await patch(h, id, 'UploadComplete');
  t.equal(again.status, 400);
  t.equal(again.body[0].errorCode, 'INVALIDJOBSTATE');
  await h.waitFor(`jobs/ingest/${id}`);
  const aborted = await openJob(h);
  await patch(h, aborted, 'Aborted');
  const late = await put(h, aborted, 'Name\nC\n');
  t.equal(late.status, 400, 'no upload once the job left Open');
  t.equal(((await late.json()) as any)[0].errorCode, 'INVALIDJOBSTATE');
  const unknown = await patch(h, id, 'Closed');
  t.equal(unknown.status, 400);
  t.equal(unknown.body[0].errorCode, 'INVALIDJOBSTATE');
  const abortDone = await patch(h, id, 'Aborted');
  t.equal(abortDone.status, 400);
  t.same(abortDone.body, [{ errorCode: 'INVALIDJOBSTATE', message: 'Aborting already Completed Job not allowed' }]);
});

t.test('uploads refuse other media types, request-side gzip and oversize bodies; chunked uploads count bytes received', async (t) => {
  const h = await withEmulator(t, { limits: { maxUploadBytes: 2000 } });
  const id = await openJob(h);
  const json = await put(h, id, '{"Name":"x"}', { 'Content-Type': 'application/json' });
  t.equal(json.status, 415);
  const gz = await put(h, id, gzipSync('Name\nA\n'), { 'Content-Type': 'text/csv', 'Content-Encoding': 'gzip' });
  t.equal(gz.status, 415);
  const big = 'Name\n' + 'x'.repeat(60).concat('\n').repeat(40);
  const chunked = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(big));
      c.close();
    },
  });
  const over = await h.call(`jobs/ingest/${id}/batches`, {
    method: 'PUT',
    headers: { 'Content-Type': 'text/csv' },
    body: chunked,
    duplex: 'half', // node's fetch needs it for a stream body (sent chunked, no Content-Length)
  } as RequestInit);
  t.equal(over.status, 413);
  t.type(((await over.json()) as any)[0].message, 'string');
  t.equal((await put(h, id, 'Name\nfits\n')).status, 201, 'the job is still Open and takes a valid upload');
});

t.test('aborting: from Open, UploadComplete and InProgress; every uploaded row is unprocessed', async (t) => {
  const h = await withEmulator(t, { faults: { holdJobs: [{ state: 'UploadComplete', seconds: 30 }] } });
  const a = await openJob(h);
  const r = await patch(h, a, 'Aborted');
  t.equal(r.status, 200);
  t.equal(r.body.state, 'Aborted');
  const b = await openJob(h);
  await put(h, b, 'Name\nOne\nTwo\n');
  await patch(h, b, 'UploadComplete');
  const info = await h.json(`jobs/ingest/${b}`);
  t.equal(info.body.state, 'UploadComplete', 'held in the queue by the fault');
  const early = await h.call(`jobs/ingest/${b}/successfulResults`);
  t.equal(early.status, 400, 'no results before the job is terminal');
  await early.arrayBuffer();
  t.equal((await patch(h, b, 'Aborted')).body.state, 'Aborted');
  t.same(csvRows(await (await h.call(`jobs/ingest/${b}/unprocessedrecords`)).text()), [['Name'], ['One'], ['Two']]);
  t.same(csvRows(await (await h.call(`jobs/ingest/${b}/successfulResults`)).text()), [['sf__Id', 'sf__Created', 'Name']]);
  t.same(csvRows(await (await h.call(`jobs/ingest/${b}/failedResults`)).text()), [['sf__Id', 'sf__Error', 'Name']]);
});

t.test('a job is processed only after UploadComplete, and counters grow while it runs', async (t) => {
  const h = await withEmulator(t, { processingRate: 2000, parallelism: 1 });
  const id = await openJob(h);
  const rows = ['Name'];
  for (let i = 0; i < 3000; i++) rows.push(`Rate ${i}`);
  await put(h, id, rows.join('\n') + '\n');
  // A job closed after this one is processed to the end while this one stays untouched.
  const later = await openJob(h);
  await put(h, later, 'Name\nLater\n');
  await patch(h, later, 'UploadComplete');
  t.equal((await h.waitFor(`jobs/ingest/${later}`)).state, 'JobComplete');
  const still = await h.json(`jobs/ingest/${id}`);
  t.equal(still.body.state, 'Open', 'uploaded but not closed: never processed');
  t.equal(still.body.numberRecordsProcessed, 0);
  await patch(h, id, 'UploadComplete');
  const seen: number[] = [];
  let info;
  for (let i = 0; i < 400; i++) {
    info = (await h.json(`jobs/ingest/${id}`)).body;
    seen.push(info.numberRecordsProcessed);
    if (info.state === 'JobComplete') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(info.state, 'JobComplete');
  t.equal(info.numberRecordsProcessed, 3000);
  const middle = seen.filter((n) => n > 0 && n < 3000);
  t.ok(middle.length >= 2, `intermediate counts seen while polling: ${middle.slice(0, 5).join(', ')}`);
  t.ok(info.totalProcessingTime >= 1000, 'processing time reflects the modelled rate');
});

t.test('delete: not while Open; allowed when terminal; 404 after', async (t) => {
  const h = await withEmulator(t);
  const id = await openJob(h);
  const open = await h.json(`jobs/ingest/${id}`, { method: 'DELETE' });
  t.equal(open.status, 400);
  t.equal(open.body[0].errorCode, 'INVALIDJOBSTATE');
  await patch(h, id, 'Aborted');
  t.equal((await h.call(`jobs/ingest/${id}`, { method: 'DELETE' })).status, 204);
  t.equal((await h.json(`jobs/ingest/${id}`)).status, 404);
  t.equal((await h.json(`jobs/ingest/${id}/successfulResults`)).status, 404);
  t.equal((await h.json('jobs/ingest/750000000000000AAA')).status, 404);
});

t.test('multipart create: data in the same request, UploadComplete at once, size limit', async (t) => {
  const h = await withEmulator(t);
  const boundary = 'BOUNDARY42';
  const body = (csv: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="job"\r\nContent-Type: application/json\r\n\r\n` +
    JSON.stringify({ object: 'Account', operation: 'insert', lineEnding: 'LF' }) +
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="content"\r\nContent-Type: text/csv\r\n\r\n` +
    csv + `\r\n--${boundary}--\r\n`;
  const r = await h.json('jobs/ingest', {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body: body('Name\nMulti One\nMulti Two\n'),
  });
  t.equal(r.status, 200);
  t.equal(r.body.state, 'UploadComplete');
  t.notOk('contentUrl' in r.body, 'no contentUrl');
  t.equal(r.body.lineEnding, 'LF');
  const done = await h.waitFor(`jobs/ingest/${r.body.id}`);
  t.equal(done.state, 'JobComplete');
  t.equal(done.numberRecordsProcessed, 2);
  const big = await h.json('jobs/ingest', {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body: body('Name\n' + 'y'.repeat(100_001) + '\n'),
  });
  t.equal(big.status, 400, 'more than 100,000 characters of CSV is refused');
});

t.test('job list: 1,000 a page, nextRecordsUrl followed to the end', async (t) => {
  const h = await withEmulator(t);
  for (let i = 0; i < 1005; i++) await openJob(h);
  const first = await h.json('jobs/ingest/');
  t.equal(first.status, 200);
  t.equal(first.body.done, false);
  t.equal(first.body.records.length, 1000);
  t.match(first.body.nextRecordsUrl, /^\/services\/data\/v62\.0\/jobs\/ingest\?queryLocator=/);
  t.notOk('numberRecordsProcessed' in first.body.records[0], 'list records carry no counters');
  t.equal(first.body.records[0].jobType, 'V2Ingest');
  const second = await h.json(first.body.nextRecordsUrl);
  t.equal(second.body.done, true);
  t.equal(second.body.records.length, 5);
  t.equal(second.body.nextRecordsUrl, null);
});

t.test('results of a job aborted before processing use the job delimiter', async (t) => {
  const h = await withEmulator(t, { faults: { holdJobs: [{ state: 'UploadComplete', seconds: 30 }] } });
  const id = await openJob(h, { object: 'Account', operation: 'insert', columnDelimiter: 'PIPE' });
  await put(h, id, 'Name|Site\nPiped|HQ\n');
  await patch(h, id, 'UploadComplete');
  await patch(h, id, 'Aborted');
  t.equal(await (await h.call(`jobs/ingest/${id}/successfulResults`)).text(), '"sf__Id"|"sf__Created"|Name|Site\n');
  t.equal(await (await h.call(`jobs/ingest/${id}/failedResults`)).text(), '"sf__Id"|"sf__Error"|Name|Site\n');
  t.equal(await (await h.call(`jobs/ingest/${id}/unprocessedrecords`)).text(), 'Name|Site\nPiped|HQ\n');
});

t.test('while InProgress: no delete, no upload, no close, no results; abort works', async (t) => {
  const h = await withEmulator(t, { faults: { holdJobs: [{ state: 'InProgress', seconds: 30, jobType: 'ingest' }] } });
  const id = await openJob(h);
  await put(h, id, 'Name\nHeld\n');
  await patch(h, id, 'UploadComplete');
  await h.waitFor(`jobs/ingest/${id}`, ['InProgress']);
  const del = await h.json(`jobs/ingest/${id}`, { method: 'DELETE' });
  t.equal(del.status, 400);
  t.equal(del.body[0].errorCode, 'INVALIDJOBSTATE');
  const up = await put(h, id, 'Name\nMore\n');
  t.equal(up.status, 400);
  await up.arrayBuffer();
  const close = await patch(h, id, 'UploadComplete');
  t.equal(close.status, 400);
  for (const set of ['successfulResults', 'failedResults', 'unprocessedrecords']) {
    const r = await h.json(`jobs/ingest/${id}/${set}`);
    t.equal(r.status, 400, `${set} while InProgress`);
    t.equal(r.body[0].errorCode, 'INVALIDJOBSTATE');
  }
  const abort = await patch(h, id, 'Aborted');
  t.equal(abort.status, 200);
  t.equal(abort.body.state, 'Aborted');
  t.same(csvRows(await (await h.call(`jobs/ingest/${id}/unprocessedrecords`)).text()), [['Name'], ['Held']]);
  t.equal((await h.call(`jobs/ingest/${id}`, { method: 'DELETE' })).status, 204, 'an aborted job can be deleted');
});
