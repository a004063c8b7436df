// A full ingest and a full query driven with plain fetch, each answer compared field by field with the
// reference (shared/reference/bulk-api-2.md §3, §4, §8).
import t from 'tap';
import { isValidId } from '../../src/emulator/ids.js';
import { csvRows, withEmulator } from '../helpers/emulator.js';

const DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

t.test('a full ingest: create, upload, close, poll, three result sets', async (t) => {
  const h = await withEmulator(t, { seed: 'demo' });
  const create = await h.call('jobs/ingest/', {
    method: 'POST',
    body: JSON.stringify({ object: 'Account', operation: 'insert', contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' }),
  });
  t.equal(create.status, 200);
  t.match(create.headers.get('content-type') ?? '', /^application\/json/);
  t.match(create.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/\d+$/);
  const job = (await create.json()) as any;
  t.same(Object.keys(job), ['id', 'operation', 'object', 'createdById', 'createdDate', 'systemModstamp', 'state',
    'concurrencyMode', 'contentType', 'apiVersion', 'contentUrl', 'lineEnding', 'columnDelimiter'], 'create answer keys, in order');
  t.ok(isValidId(job.id) && job.id.length === 18 && job.id.startsWith('750'), 'job id: 18 chars, 750, valid checksum');
  t.equal(job.state, 'Open');
  t.equal(job.operation, 'insert');
  t.equal(job.object, 'Account');
  t.equal(job.concurrencyMode, 'Parallel');
  t.equal(job.contentType, 'CSV');
  t.equal(job.apiVersion, 62);
  t.equal(job.contentUrl, `services/data/v62.0/jobs/ingest/${job.id}/batches`);
  t.match(job.createdDate, DATE);
  t.match(job.systemModstamp, DATE);
  t.ok(isValidId(job.createdById) && job.createdById.startsWith('005'));

  const csv = 'Name,AnnualRevenue,NumberOfEmployees\nProtocol One,1000,5\n"Protocol, Two",,7\nProtocol Three,-5,1\n,10,1\n';
  const put = await h.call(`/${job.contentUrl}`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body: csv });
  t.equal(put.status, 201);
  t.equal(await put.text(), '', 'upload answers an empty body');

  const close = await h.json(`jobs/ingest/${job.id}/`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  t.equal(close.status, 200);
  t.same(Object.keys(close.body), ['id', 'operation', 'object', 'createdById', 'createdDate', 'systemModstamp', 'state',
    'concurrencyMode', 'contentType', 'apiVersion'], 'close answers the short JobInfo');
  t.equal(close.body.state, 'UploadComplete');

  const info = await h.waitFor(`jobs/ingest/${job.id}`);
  t.same(Object.keys(info), ['id', 'operation', 'object', 'createdById', 'createdDate', 'systemModstamp', 'state',
    'concurrencyMode', 'contentType', 'apiVersion', 'jobType', 'lineEnding', 'columnDelimiter', 'numberRecordsProcessed',
    'numberRecordsFailed', 'retries', 'totalProcessingTime', 'apiActiveProcessingTime', 'apexProcessingTime'], 'info keys, in order');
  t.equal(info.state, 'JobComplete');
  t.equal(info.jobType, 'V2Ingest');
  t.equal(info.numberRecordsProcessed, 4);
  t.equal(info.numberRecordsFailed, 2, 'negative revenue (validation rule) and a missing Name fail');

  const ok = await h.call(`jobs/ingest/${job.id}/successfulResults/`);
  t.equal(ok.status, 200);
  t.match(ok.headers.get('content-type') ?? '', /^text\/csv/);
  const okRows = csvRows(await ok.text());
  t.same(okRows[0], ['sf__Id', 'sf__Created', 'Name', 'AnnualRevenue', 'NumberOfEmployees']);
  t.equal(okRows.length - 1, 2);
  for (const r of okRows.slice(1)) {
    t.ok(isValidId(r[0]) && r[0].startsWith('001'), 'inserted Account id');
    t.equal(r[1], 'true');
  }
  t.same(okRows.slice(1).map((r) => r[2]).sort(), ['Protocol One', 'Protocol, Two']);

  const failed = csvRows(await (await h.call(`jobs/ingest/${job.id}/failedResults/`)).text());
  t.same(failed[0], ['sf__Id', 'sf__Error', 'Name', 'AnnualRevenue', 'NumberOfEmployees']);
  t.equal(failed.length - 1, 2);
  const errors = failed.slice(1).map((r) => r[1]).sort();
  t.match(errors[0], /^FIELD_CUSTOM_VALIDATION_EXCEPTION:Annual revenue cannot be negative:/);
  t.match(errors[1], /^REQUIRED_FIELD_MISSING:Required fields are missing: \[Name\]:Name --$/);
  t.ok(failed.slice(1).every((r) => r[0] === ''), 'failed inserts have an empty sf__Id');

  const unprocessed = await h.call(`jobs/ingest/${job.id}/unprocessedrecords/`);
  t.equal(unprocessed.status, 200);
  t.same(csvRows(await unprocessed.text()), [['Name', 'AnnualRevenue', 'NumberOfEmployees']], 'empty, header only');

  const del = await h.call(`jobs/ingest/${job.id}/`, { method: 'DELETE' });
  t.equal(del.status, 204);
  const gone = await h.json(`jobs/ingest/${job.id}/`);
  t.equal(gone.status, 404);
  t.same(gone.body, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
});

t.test('a full query: create, poll, pages by Sforce-Locator to the literal null', async (t) => {
  const h = await withEmulator(t, { seed: 'demo', limits: { defaultPageRecords: 70 } });
  const create = await h.json('jobs/query', {
    method: 'POST',
    body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Name, Account.Name, CreatedDate FROM Contact' }),
  });
  t.equal(create.status, 200);
  t.same(Object.keys(create.body), ['id', 'operation', 'object', 'createdById', 'createdDate', 'systemModstamp', 'state',
    'concurrencyMode', 'contentType', 'apiVersion', 'lineEnding', 'columnDelimiter'], 'create answer keys, in order');
  t.equal(create.body.state, 'UploadComplete');
  t.equal(create.body.object, 'Contact');
  const id = create.body.id;
  const info = await h.waitFor(`jobs/query/${id}`);
  t.same(Object.keys(info), ['id', 'operation', 'object', 'createdById', 'createdDate', 'systemModstamp', 'state',
    'concurrencyMode', 'contentType', 'apiVersion', 'jobType', 'lineEnding', 'columnDelimiter', 'numberRecordsProcessed',
    'retries', 'totalProcessingTime', 'isPkChunkingSupported'], 'info keys, in order');
  t.equal(info.jobType, 'V2Query');
  const counts = await h.admin('/counts');
  t.equal(info.numberRecordsProcessed, counts.Contact.live, 'query excludes soft-deleted rows');

  let locator: string | null = null;
  let total = 0;
  let pages = 0;
  const ids = new Set<string>();
  do {
    const res: Response = await h.call(`jobs/query/${id}/results?maxRecords=50${locator ? `&locator=${locator}` : ''}`, {
      headers: { Accept: 'text/csv' },
    });
    t.equal(res.status, 200);
    const rows = csvRows(await res.text());
    t.same(rows[0], ['Id', 'Name', 'Account.Name', 'CreatedDate'], 'every page starts with the header');
    const n = Number(res.headers.get('sforce-numberofrecords'));
    t.equal(rows.length - 1, n, 'Sforce-NumberOfRecords counts the page');
    for (const r of rows.slice(1)) ids.add(r[0]);
    total += n;
    pages++;
    locator = res.headers.get('sforce-locator');
    t.ok(locator, 'Sforce-Locator is always present');
  } while (locator !== 'null' && pages < 1000);
  t.equal(locator, 'null', 'the last page carries the literal null');
  t.equal(total, info.numberRecordsProcessed);
  t.equal(ids.size, total, 'no row twice');
  t.equal(pages, Math.ceil(total / 50));
});
