// `npm run demo`: starts the emulator binary with the demo org, then runs a scripted ingest and a query
// against it over real HTTP, and stops everything it started. (The tap and target replace the script
// once they land.)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const log = (s: string) => process.stderr.write(`demo: ${s}\n`);
const API = 'v62.0';

async function startEmulatorProcess(): Promise<{ url: string; stop: () => Promise<void> }> {
  const cli = join(dirname(fileURLToPath(import.meta.url)), 'emulator', 'cli.js');
  const child = spawn(process.execPath, [cli, '--seed', 'demo', '--scale', '5', '--processing-rate', '20000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return { url, stop };
}

async function call(url: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
  const res = await fetch(url, { ...init, headers });
  if (res.status >= 400) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} -> ${res.status} ${await res.text()}`);
  return res;
}

async function waitForJob(base: string, token: string, path: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const info = (await (await call(`${base}${path}`, { token })).json()) as Record<string, unknown>;
    if (['JobComplete', 'Failed', 'Aborted'].includes(info.state as string)) return info;
    if (i % 5 === 0) log(`  ${info.state}, ${info.numberRecordsProcessed ?? 0} records processed`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${path} did not finish within 120 s`);
}

async function main(): Promise<void> {
  const emu = await startEmulatorProcess();
  try {
    const base = emu.url;
    log(`emulator listening at ${base}`);
    const tokenRes = await call(`${base}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'emulator-client', client_secret: 'emulator-secret' }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;

    // Ingest: upsert 5,000 Contacts keyed by External_Id__c, parented through Account.External_Id__c.
    const rows = ['External_Id__c,FirstName,LastName,Email,Account.External_Id__c'];
    for (let i = 1; i <= 5000; i++) {
      const acc = `ACC-${String(1 + (i % 200)).padStart(6, '0')}`;
      rows.push(`DEMO-${i},Demo,Person ${i},demo${i}@example.com,${acc}`);
    }
    rows.push('DEMO-bad,Demo,,not-an-email,ACC-000001');
    const job = (await (
      await call(`${base}/services/data/${API}/jobs/ingest`, {
        method: 'POST',
        token,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ object: 'Contact', operation: 'upsert', externalIdFieldName: 'External_Id__c', lineEnding: 'LF' }),
      })
    ).json()) as { id: string };
    log(`ingest job ${job.id}: upload ${rows.length - 1} rows`);
    await call(`${base}/services/data/${API}/jobs/ingest/${job.id}/batches`, {
      method: 'PUT',
      token,
      headers: { 'Content-Type': 'text/csv' },
      body: rows.join('\n') + '\n',
    });
    await call(`${base}/services/data/${API}/jobs/ingest/${job.id}`, {
      method: 'PATCH',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: 'UploadComplete' }),
    });
    const done = await waitForJob(base, token, `/services/data/${API}/jobs/ingest/${job.id}`);
    const results: Record<string, number> = {};
    for (const set of ['successfulResults', 'failedResults', 'unprocessedrecords']) {
      const csv = await (await call(`${base}/services/data/${API}/jobs/ingest/${job.id}/${set}`, { token })).text();
      results[set] = csv.split('\n').filter(Boolean).length - 1;
      if (set === 'failedResults' && results[set] > 0) log(`  first failure: ${csv.split('\n')[1]}`);
    }
    log(`ingest ${done.state}: processed ${done.numberRecordsProcessed}, failed ${done.numberRecordsFailed}; ` +
      `successful ${results.successfulResults} + failed ${results.failedResults} + unprocessed ${results.unprocessedrecords} = ${rows.length - 1} uploaded`);

    // Query: every Contact, paged by Sforce-Locator until the literal "null".
    const q = (await (
      await call(`${base}/services/data/${API}/jobs/query`, {
        method: 'POST',
        token,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ operation: 'queryAll', query: 'SELECT Id, Name, Email, Account.Name, SystemModstamp FROM Contact' }),
      })
    ).json()) as { id: string };
    const qdone = await waitForJob(base, token, `/services/data/${API}/jobs/query/${q.id}`);
    let locator: string | null = null;
    let pages = 0;
    let total = 0;
    do {
      const res = await call(`${base}/services/data/${API}/jobs/query/${q.id}/results?maxRecords=2000${locator ? `&locator=${locator}` : ''}`, { token });
      await res.text();
      total += Number(res.headers.get('Sforce-NumberOfRecords'));
      locator = res.headers.get('Sforce-Locator');
      pages++;
    } while (locator && locator !== 'null');
    log(`query job ${q.id}: ${qdone.numberRecordsProcessed} records in ${pages} pages (${total} read)`);
    if (total !== qdone.numberRecordsProcessed) throw new Error('row count mismatch between pages and the job');
  } finally {
    await emu.stop();
  }
  log('done');
}

main().catch((e) => {
  log(`failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
