// One unclosed quote must not make the client hold the rest of a page: a 200 MB results page whose last field
// never closes ends in a typed ProtocolError naming the job and the page, with the reading process's peak
// RSS under 200 MB and the page abandoned early. The page is streamed by a loopback proxy in front of the
// emulator (generated as it is sent, never held whole); the client runs in a child process so that its peak
// RSS is its own.
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmu } from '../helpers/emulator.js';
import { startLoopbackProxy } from './helpers/loopback-proxy.js';

const PAGE_BYTES = 200 * 1024 * 1024;
const RSS_LIMIT = 200 * 1024 * 1024;

t.test('a 200 MB page with an unclosed quote ends in a ProtocolError naming job and page, in bounded memory', async (t) => {
  const emu = await startEmu(t);
  let sent = 0;
  let served = 0;
  // The emulator answers the results request; the client gets this page instead, generated as it is sent.
  const stub = await startLoopbackProxy(t, emu.url, (req) =>
    req.method === 'GET' && /\/jobs\/query\/\w+\/results\/?(\?|$)/.test(req.url ?? '')
      ? (_req, res, upstream) => {
          upstream.resume();
          served++;
          const head = Buffer.from('"Id","Name"\n"001000000000001AAA","never closed ');
          const filler = Buffer.alloc(1024 * 1024, 'x');
          res.writeHead(200, { 'content-type': 'text/csv; charset=UTF-8', 'content-length': String(PAGE_BYTES), 'sforce-locator': 'null', 'sforce-numberofrecords': '1' });
          const pump = (): void => {
            while (sent < PAGE_BYTES && !res.destroyed) {
              const chunk = sent === 0 ? head : filler.subarray(0, Math.min(filler.length, PAGE_BYTES - sent));
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            if (!res.destroyed) res.end();
          };
          pump();
        }
      : undefined,
  );

  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/unclosed-quote-run.js', import.meta.url))], {
    env: { ...process.env, SF_URL: stub.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  t.equal(code, 0, 'the child ran to its report');
  const got = JSON.parse(out.trim()) as { name: string; code: string; jobId: string; message: string; typed: boolean; peakRssBytes: number };
  const jobs = await emu.jobs();
  t.equal(served, 1, 'the page was served once: a broken body is not fetched again');
  t.equal(got.typed, true, 'the error is a SalesforceError');
  t.equal(got.name, 'ProtocolError');
  t.equal(got.code, 'SF_PROTOCOL');
  t.equal(got.jobId, jobs[0]!.id, 'it names the job');
  t.match(got.message, `job ${jobs[0]!.id}`);
  t.match(got.message, /results page 1 \(the first, no locator\)/, 'and the page');
  t.match(got.message, /unclosed quote/);
  t.ok(got.peakRssBytes < RSS_LIMIT, `peak RSS ${Math.round(got.peakRssBytes / 1048576)} MB < ${RSS_LIMIT / 1048576} MB`);
  t.ok(sent < PAGE_BYTES / 4, `the client stopped reading early (${Math.round(sent / 1048576)} MB of ${PAGE_BYTES / 1048576} MB sent)`);
});
