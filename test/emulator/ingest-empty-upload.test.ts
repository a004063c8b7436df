// An upload of zero bytes (no header, no rows) then UploadComplete: the job completes with nothing processed and
// three empty result sets, as a widely used client's integration tests against real orgs expect (README,
// "Unverified points"). A header-only upload and a bad header keep their own outcomes.
import t from 'tap';
import { csvRows, withEmulator, type Harness } from '../helpers/emulator.js';

async function job(h: Harness, spec: object, body: string | null): Promise<{ id: string; info: any; results: Record<string, { status: number; text: string }> }> {
  const created = await h.json('jobs/ingest', { method: 'POST', body: JSON.stringify(spec) });
  const id: string = created.body.id;
  if (body !== null) {
    const put = await h.call(`jobs/ingest/${id}/batches`, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, body });
    if (put.status !== 201) throw new Error(`upload: ${put.status}`);
  }
  const close = await h.json(`jobs/ingest/${id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) });
  if (close.status !== 200) throw new Error(`close: ${close.status}`);
  const info = await h.waitFor(`jobs/ingest/${id}`);
  const results: Record<string, { status: number; text: string }> = {};
  for (const set of ['successfulResults', 'failedResults', 'unprocessedrecords']) {
    const res = await h.call(`jobs/ingest/${id}/${set}`);
    results[set] = { status: res.status, text: await res.text() };
  }
  return { id, info, results };
}

t.test('an empty update job ends JobComplete with 0 records and three empty result sets', async (t) => {
  const h = await withEmulator(t);
  const before = await h.admin('/counts');
  for (const operation of ['update', 'delete', 'insert']) {
    const { info, results } = await job(h, { object: 'Account', operation }, '');
    t.equal(info.state, 'JobComplete', operation);
    t.equal(info.numberRecordsProcessed, 0);
    t.equal(info.numberRecordsFailed, 0);
    t.notOk('errorMessage' in info);
    t.same(results, {
      successfulResults: { status: 200, text: '"sf__Id","sf__Created"\n' },
      failedResults: { status: 200, text: '"sf__Id","sf__Error"\n' },
      unprocessedrecords: { status: 200, text: '' },
    }, `${operation}: no record in any set`);
    for (const r of Object.values(results)) t.equal(csvRows(r.text).slice(1).length, 0);
  }
  t.same(await h.admin('/counts'), before, 'the org is unchanged');
});

t.test('the line ending of the job is kept in the empty result sets', async (t) => {
  const h = await withEmulator(t);
  const { info, results } = await job(h, { object: 'Account', operation: 'insert', lineEnding: 'CRLF', columnDelimiter: 'PIPE' }, '');
  t.equal(info.state, 'JobComplete');
  t.equal(results.successfulResults.text, '"sf__Id"|"sf__Created"\r\n');
  t.equal(results.failedResults.text, '"sf__Id"|"sf__Error"\r\n');
});

t.test('header-only and bad-header uploads, and a close without any upload, keep their outcomes', async (t) => {
  const h = await withEmulator(t);
  const headerOnly = await job(h, { object: 'Account', operation: 'insert' }, 'Name\n');
  t.equal(headerOnly.info.state, 'JobComplete');
  t.equal(headerOnly.results.successfulResults.text, '"sf__Id","sf__Created",Name\n');
  t.equal(headerOnly.results.unprocessedrecords.text, 'Name\n');
  const badHeader = await job(h, { object: 'Account', operation: 'insert' }, 'Nmae\nAcme\n');
  t.equal(badHeader.info.state, 'Failed');
  t.equal(badHeader.info.errorMessage, 'InvalidBatch : Field name not found : Nmae');
  const blankLines = await job(h, { object: 'Account', operation: 'insert' }, '\n\n');
  t.equal(blankLines.info.state, 'Failed', 'blank lines are not an empty upload: there is no header');
  t.equal(blankLines.info.errorMessage, 'InvalidBatch : Failed to parse CSV. The file has no header row');
  const noUpload = await job(h, { object: 'Account', operation: 'insert' }, null);
  t.equal(noUpload.info.state, 'Failed', 'closed without an upload at all');
  t.equal(noUpload.info.errorMessage, 'InvalidBatch : Failed to parse CSV. The file has no header row');
});

t.test('the request log counts the rows the job will process: blank lines and quoted line breaks are not rows', async (t) => {
  const h = await withEmulator(t);
  const rows = async (body: string, spec: object = { object: 'Account', operation: 'insert' }) => {
    const since = ((await h.admin('/requests')) as { seq: number }[]).at(-1)?.seq ?? 0;
    const { info } = await job(h, spec, body);
    const put = ((await h.admin(`/requests?since=${since}`)) as { method: string; records?: number }[]).find((r) => r.method === 'PUT');
    return { logged: put?.records, processed: info.numberRecordsProcessed };
  };
  t.same(await rows('Name\n\nA\n\n\nB\n'), { logged: 2, processed: 2 });
  t.same(await rows('Name,Description\nA,"two\nlines"\nB,"x ""y"""\n'), { logged: 2, processed: 2 });
  t.same(await rows('Name\r\nA\r\n', { object: 'Account', operation: 'insert', lineEnding: 'CRLF' }), { logged: 1, processed: 1 });
  t.same(await rows('Name\nA,"unclosed\n'), { logged: 0, processed: 0 }, 'a CSV that cannot be read: no row will be processed');
  t.same(await rows(''), { logged: 0, processed: 0 });
});
