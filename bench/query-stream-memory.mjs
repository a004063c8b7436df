// Memory stays flat while a large query result streams through src/bulk: measures peak RSS and heap while
// 1,000,000 rows (default) are read page by page (Sforce-Locator chain, gzip) and in parallel
// (resultPages, 4 at a time), next to a "peer" baseline that holds each page as one string before
// parsing it (what page-buffered clients do).
//
//   npm run build && node --expose-gc bench/query-stream-memory.mjs [--rows 1000000] [--page 50000] [--server stub|emulator]
//
// The server runs in a child process, so its memory is not counted. `stub` (default) generates rows on
// the fly in the Bulk 2.0 wire format; `emulator` starts salesforce-bulk-emulator with an Account seed
// scaled to about --rows rows.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createGzip } from 'node:zlib';
import { request } from 'undici';
import { parse as parseSync } from 'csv-parse/sync';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROWS = Number(arg('rows', 1_000_000));
const PAGE = Number(arg('page', 50_000));
const SERVER = arg('server', 'stub');
const JOB = '750000000000001AAA';

if (process.argv[2] === '--stub-server') {
  stubServer();
} else if (process.argv[2] === '--emulator-server') {
  const { startEmulator } = await import('../dist/src/emulator/start-emulator.js');
  // The demo seed holds 198 live Accounts at scale 1.
  const emu = await startEmulator({ port: 0, seed: 'demo', scale: Math.ceil(Number(process.argv[3]) / 198) });
  process.send({ url: emu.url });
} else {
  await main();
}

function rowLine(i) {
  const id = `001${String(i).padStart(12, '0')}AAA`;
  return `"${id}","Account number ${i}, Inc.","Manufacturing","2026-11-22T14:43:08.000Z","${(i * 37.5).toFixed(2)}","${i % 2 === 0}","A description with ""quotes"" and text ${i}"\n`;
}
const HEADER = '"Id","Name","Industry","CreatedDate","AnnualRevenue","IsActive__c","Description"\n';

function stubServer() {
  const base = '/services/data/v62.0/jobs/query';
  const info = { id: JOB, operation: 'query', object: 'Account', createdById: '005000000000001AAA', createdDate: '2026-11-22T14:43:08.000+0000', systemModstamp: '2026-11-22T14:43:08.000+0000', concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: 62.0, lineEnding: 'LF', columnDelimiter: 'COMMA' };
  const locatorOf = (start) => Buffer.from(String(start)).toString('base64url');
  const startOf = (loc) => (loc ? Number(Buffer.from(loc, 'base64url').toString()) : 0);
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (status, body) => { res.writeHead(status, { 'content-type': 'application/json', 'sforce-limit-info': 'api-usage=1/15000' }); res.end(JSON.stringify(body)); };
    if (req.method === 'POST' && url.pathname.replace(/\/$/, '') === base) {
      req.resume();
      return send(200, { ...info, state: 'UploadComplete' });
    }
    if (req.method === 'GET' && url.pathname.replace(/\/$/, '') === `${base}/${JOB}`) {
      return send(200, { ...info, jobType: 'V2Query', state: 'JobComplete', numberRecordsProcessed: ROWS, retries: 0, totalProcessingTime: 1 });
    }
    if (req.method === 'GET' && url.pathname.toLowerCase() === `${base}/${JOB}/resultpages`.toLowerCase()) {
      const from = startOf(url.searchParams.get('locator'));
      const pages = [];
      let s = from;
      for (; s < ROWS && pages.length < 5; s += PAGE) pages.push({ resultUrl: `${base}/${JOB}/results${s ? `?locator=${locatorOf(s)}` : ''}` });
      const done = s >= ROWS;
      return send(200, { resultPages: pages, nextRecordsUrl: done ? null : `${base}/${JOB}/resultpages?locator=${locatorOf(s)}`, done });
    }
    if (req.method === 'GET' && url.pathname === `${base}/${JOB}/results`) {
      const start = startOf(url.searchParams.get('locator'));
      const size = Number(url.searchParams.get('maxRecords') ?? PAGE);
      const end = Math.min(ROWS, start + size);
      const gzip = /gzip/.test(req.headers['accept-encoding'] ?? '');
      res.writeHead(200, {
        'content-type': 'text/csv; charset=UTF-8',
        'sforce-locator': end >= ROWS ? 'null' : locatorOf(end),
        'sforce-numberofrecords': String(end - start),
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      const out = gzip ? createGzip({ level: 1 }) : res;
      if (gzip) out.pipe(res);
      let i = start;
      out.write(HEADER);
      const pump = () => {
        while (i < end) {
          let chunk = '';
          for (let k = 0; k < 500 && i < end; k++) chunk += rowLine(i++);
          if (!out.write(chunk)) return out.once('drain', pump);
        }
        out.end();
      };
      return pump();
    }
    send(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
}

function sampler() {
  globalThis.gc?.();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 25);
  return () => {
    clearInterval(timer);
    return { startRss: start.rss, peakRss, peakHeap, startHeap: start.heapUsed };
  };
}

async function viaClient(url, concurrency) {
  const { BulkClient, parseConnectionConfig } = await import('../dist/src/bulk/index.js');
  const config = SERVER === 'stub'
    ? parseConnectionConfig({ auth_flow: 'access_token', access_token: '00D000000000001!benchToken', instance_url: url, api_version: '62.0' })
    : parseConnectionConfig({ auth_flow: 'client_credentials', login_url: url, client_id: 'emulator-client', client_secret: 'emulator-secret', request_timeout_seconds: 600 });
  const client = await BulkClient.connect(config);
  const job = await client.query.create({
    query: SERVER === 'stub'
      ? 'SELECT Id, Name, Industry, CreatedDate, AnnualRevenue, IsActive__c, Description FROM Account'
      : 'SELECT Id, Name, Industry, AnnualRevenue, Description, CreatedDate FROM Account',
  });
  await job.waitForCompletion({ initialMs: 200 });
  const stop = sampler();
  const t0 = performance.now();
  let rows = 0;
  let pages = 0;
  let bytes = 0;
  let rssAt10 = 0;
  for await (const page of job.pages({ maxRecords: PAGE, concurrency })) {
    pages++;
    for await (const row of page.rows()) {
      rows++;
      bytes += row.Name.length;
      if (rows === Math.floor(ROWS / 10)) rssAt10 = process.memoryUsage().rss;
    }
  }
  const rssEnd = process.memoryUsage().rss;
  const secs = (performance.now() - t0) / 1000;
  const m = stop();
  await client.close();
  return { rows, pages, secs, rssAt10, rssEnd, ...m };
}

async function peerBuffered(url) {
  // What page-buffered peers do: the whole page as one string, then parsed at once.
  const stop = sampler();
  const t0 = performance.now();
  let rows = 0;
  let pages = 0;
  let locator = null;
  let rssAt10 = 0;
  do {
    const q = new URLSearchParams({ maxRecords: String(PAGE), ...(locator ? { locator } : {}) });
    const res = await request(`${url}/services/data/v62.0/jobs/query/${JOB}/results?${q}`, { headers: { authorization: 'Bearer x', accept: 'text/csv' } });
    const text = await res.body.text();
    const records = parseSync(text, { columns: true });
    rows += records.length;
    if (!rssAt10 && rows >= ROWS / 10) rssAt10 = process.memoryUsage().rss;
    pages++;
    locator = res.headers['sforce-locator'];
  } while (locator && locator !== 'null');
  const secs = (performance.now() - t0) / 1000;
  return { rows, pages, secs, rssAt10, rssEnd: process.memoryUsage().rss, ...stop() };
}

async function main() {
  let child;
  if (SERVER === 'emulator') child = fork(new URL(import.meta.url).pathname, ['--emulator-server', String(ROWS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--no-warnings'] });
  else child = fork(new URL(import.meta.url).pathname, ['--stub-server', '--rows', String(ROWS), '--page', String(PAGE)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [{ url }] = await once(child, 'message');

  const results = [];
  results.push(['src/bulk, locator chain, gzip', await viaClient(url, 1)]);
  results.push(['src/bulk, resultPages x4, gzip', await viaClient(url, 4)]);
  if (SERVER === 'stub') results.push(['peer: page held as one string', await peerBuffered(url)]);
  child.kill();

  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(`node ${process.version}; ${ROWS.toLocaleString('en-US')} rows, ${PAGE.toLocaleString('en-US')} rows per page, server: ${SERVER}`);
  const head = ['reader', 'rows', 'pages', 's', 'rows/s', 'RSS start MB', 'RSS at 10% MB', 'RSS at 100% MB', 'RSS peak MB', 'heap peak MB'];
  const rows = results.map(([name, r]) => [name, String(r.rows), String(r.pages), r.secs.toFixed(1), Math.round(r.rows / r.secs).toString(), mb(r.startRss), mb(r.rssAt10), mb(r.rssEnd), mb(r.peakRss), mb(r.peakHeap)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(fmt(head));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of rows) console.log(fmt(r));
}
