// Which HTTP client should src/bulk stand on? Measures undici.request (with a keep-alive Agent),
// undici.fetch and Node's global fetch against a local server in a child process, on the three shapes
// of Bulk API 2.0 traffic: many small JSON calls (job create/poll), one large streamed download
// (result pages) and one large upload from a file (ingest PUT).
//
//   node bench/http-clients.mjs [--small 20000] [--concurrency 16] [--download-mb 256] [--upload-mb 128] [--rounds 3]
//
// Prints a table per shape (best of N rounds). Figures vary by machine; compare columns, not absolutes.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { createReadStream, createWriteStream, rmSync, statSync, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { Agent, request as undiciRequest, fetch as undiciFetch } from 'undici';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

if (process.argv[2] === '--server') {
  // The server: a Bulk-shaped JSON reply, a large CSV stream, and a sink for uploads.
  const jobInfo = Buffer.from(JSON.stringify({
    id: '7505g00000AbCdEAAV', operation: 'insert', object: 'Account', createdById: '0055g000004XyZaAAK',
    createdDate: '2026-11-22T14:43:08.000+0000', systemModstamp: '2026-11-22T14:43:08.000+0000', state: 'InProgress',
    concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: 62.0, jobType: 'V2Ingest', lineEnding: 'LF',
    columnDelimiter: 'COMMA', numberRecordsProcessed: 12000, numberRecordsFailed: 3, retries: 0,
    totalProcessingTime: 1234, apiActiveProcessingTime: 1000, apexProcessingTime: 0,
  }, null, 2));
  const line = Buffer.from('"001000000000001AAA","Acme Corporation number one","Manufacturing","2026-11-22T14:43:08.000Z"\n');
  const block = Buffer.concat(Array.from({ length: 1024 }, () => line));
  const server = createServer((req, res) => {
    if (req.url.startsWith('/json')) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': jobInfo.length });
      res.end(jobInfo);
    } else if (req.url.startsWith('/csv')) {
      const bytes = Number(new URL(req.url, 'http://x').searchParams.get('bytes'));
      res.writeHead(200, { 'content-type': 'text/csv; charset=UTF-8', 'sforce-locator': 'null' });
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          const chunk = block.subarray(0, Math.min(block.length, bytes - sent));
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else if (req.url.startsWith('/upload')) {
      let n = 0;
      req.on('data', (c) => { n += c.length; });
      req.on('end', () => { res.writeHead(201, { 'content-length': 0 }); res.end(); void n; });
    } else {
      res.writeHead(404); res.end();
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
} else {
  await main();
}

async function main() {
  const small = arg('small', 20000);
  const concurrency = arg('concurrency', 16);
  const downloadMb = arg('download-mb', 256);
  const uploadMb = arg('upload-mb', 128);
  const rounds = arg('rounds', 3);

  const child = fork(new URL(import.meta.url).pathname, ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [{ port }] = await once(child, 'message');
  const origin = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });

  const dir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const uploadFile = join(dir, 'upload.csv');
  await pipeline(Readable.from(csvChunks(uploadMb * 1024 * 1024)), createWriteStream(uploadFile));
  const uploadBytes = statSync(uploadFile).size;

  const clients = {
    'undici.request': {
      json: async () => {
        const res = await undiciRequest(`${origin}/json`, { dispatcher: agent, headers: { authorization: 'Bearer x' } });
        return res.body.json();
      },
      download: async (bytes) => {
        const res = await undiciRequest(`${origin}/csv?bytes=${bytes}`, { dispatcher: agent });
        return drain(res.body);
      },
      upload: async () => {
        const res = await undiciRequest(`${origin}/upload`, {
          dispatcher: agent, method: 'PUT', body: createReadStream(uploadFile),
          headers: { 'content-type': 'text/csv', 'content-length': String(uploadBytes) },
        });
        await res.body.dump();
        return res.statusCode;
      },
    },
    'undici.fetch': {
      json: async () => (await undiciFetch(`${origin}/json`, { dispatcher: agent, headers: { authorization: 'Bearer x' } })).json(),
      download: async (bytes) => drain(Readable.fromWeb((await undiciFetch(`${origin}/csv?bytes=${bytes}`, { dispatcher: agent })).body)),
      upload: async () => {
        const res = await undiciFetch(`${origin}/upload`, {
          dispatcher: agent, method: 'PUT', duplex: 'half', body: Readable.toWeb(createReadStream(uploadFile)),
          headers: { 'content-type': 'text/csv', 'content-length': String(uploadBytes) },
        });
        await res.arrayBuffer();
        return res.status;
      },
    },
    'global fetch': {
      json: async () => (await fetch(`${origin}/json`, { headers: { authorization: 'Bearer x' } })).json(),
      download: async (bytes) => drain(Readable.fromWeb((await fetch(`${origin}/csv?bytes=${bytes}`)).body)),
      upload: async () => {
        const res = await fetch(`${origin}/upload`, {
          method: 'PUT', duplex: 'half', body: Readable.toWeb(createReadStream(uploadFile)),
          headers: { 'content-type': 'text/csv', 'content-length': String(uploadBytes) },
        });
        await res.arrayBuffer();
        return res.status;
      },
    },
  };

  const rows = [];
  for (const [name, c] of Object.entries(clients)) {
    // warm-up
    for (let i = 0; i < 200; i++) await c.json();
    let best = { rps: 0, p50: Infinity, p99: Infinity, dl: 0, dlRss: 0, ul: 0 };
    for (let r = 0; r < rounds; r++) {
      const lat = [];
      let next = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next++ < small) {
          const s = performance.now();
          await c.json();
          lat.push(performance.now() - s);
        }
      }));
      const rps = small / ((performance.now() - t0) / 1000);
      lat.sort((a, b) => a - b);
      const p50 = lat[Math.floor(lat.length * 0.5)];
      const p99 = lat[Math.floor(lat.length * 0.99)];

      global.gc?.();
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
      const d0 = performance.now();
      const got = await c.download(downloadMb * 1024 * 1024);
      const dl = got / 1024 / 1024 / ((performance.now() - d0) / 1000);
      clearInterval(timer);

      const u0 = performance.now();
      await c.upload();
      const ul = uploadBytes / 1024 / 1024 / ((performance.now() - u0) / 1000);
      if (rps > best.rps) Object.assign(best, { rps, p50, p99 });
      if (dl > best.dl) Object.assign(best, { dl, dlRss: (peak - rss0) / 1024 / 1024 });
      if (ul > best.ul) best.ul = ul;
    }
    rows.push([name, best.rps.toFixed(0), best.p50.toFixed(2), best.p99.toFixed(2), best.dl.toFixed(0), best.dlRss.toFixed(1), best.ul.toFixed(0)]);
  }

  const head = ['client', 'small JSON req/s', 'p50 ms', 'p99 ms', 'download MB/s', 'download ΔRSS MB', 'upload MB/s'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(`node ${process.version}, undici ${(await import('undici/package.json', { with: { type: 'json' } })).default.version}; ` +
    `${small} small requests at concurrency ${concurrency}, ${downloadMb} MB download, ${uploadMb} MB upload, best of ${rounds}`);
  console.log(fmt(head));
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of rows) console.log(fmt(r));

  await agent.close();
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}

function* csvChunks(total) {
  const line = Buffer.from('"Acme Corporation","Manufacturing","2026-11-22","12345.67","true"\n');
  const block = Buffer.concat(Array.from({ length: 2048 }, () => line));
  for (let sent = 0; sent < total; sent += block.length) yield block.subarray(0, Math.min(block.length, total - sent));
}

async function drain(readable) {
  let n = 0;
  await pipeline(readable, new Writable({ write(chunk, _enc, cb) { n += chunk.length; cb(); } }));
  return n;
}
