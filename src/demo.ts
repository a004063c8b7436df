// `npm run demo`: starts the emulator binary with the demo org, then runs an ingest and a query against it
// over real HTTP with our Bulk API 2.0 client, and stops everything it started. (The tap and target take
// over once they land.)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { BulkClient, parseConnectionConfig, silentLogger } from './bulk/index.js';

const log = (s: string) => process.stderr.write(`demo: ${s}\n`);

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

async function main(): Promise<void> {
  const emu = await startEmulatorProcess();
  const work = mkdtempSync(join(tmpdir(), 'sf-bulk-demo-'));
  let client: BulkClient | undefined;
  try {
    log(`emulator listening at ${emu.url}`);
    client = await BulkClient.connect(
      parseConnectionConfig({
        auth_flow: 'client_credentials',
        login_url: emu.url,
        client_id: 'emulator-client',
        client_secret: 'emulator-secret',
      }),
      { logger: silentLogger, tempDir: work },
    );

    // Ingest: upsert 5,000 Contacts keyed by External_Id__c, parents looked up through Account.External_Id__c.
    // The CSV is spooled to a file so a retried upload re-sends from disk; one row is deliberately bad.
    const csvFile = join(work, 'contacts.csv');
    const rows = ['External_Id__c,FirstName,LastName,Email,Account.External_Id__c'];
    for (let i = 1; i <= 5000; i++) {
      rows.push(`DEMO-${i},Demo,Person ${i},demo${i}@example.com,ACC-${String(1 + (i % 200)).padStart(6, '0')}`);
    }
    rows.push('DEMO-bad,Demo,,not-an-email,ACC-000001');
    writeFileSync(csvFile, rows.join('\n') + '\n');
    const uploaded = rows.length - 1;
    const job = await client.ingest.load(
      { object: 'Contact', operation: 'upsert', externalIdFieldName: 'External_Id__c', lineEnding: 'LF' },
      { file: csvFile },
    );
    log(`ingest job ${job.id}: ${uploaded} rows uploaded, UploadComplete sent`);
    const done = await job.waitForCompletion();
    const counts = { successful: 0, failed: 0, unprocessed: 0 };
    const errors = new Map<string, number>();
    for await (const _ of await job.successfulResults()) counts.successful++;
    for await (const r of await job.failedResults()) {
      counts.failed++;
      const code = r.sf__Error.split(':')[0];
      errors.set(code, (errors.get(code) ?? 0) + 1);
    }
    for await (const _ of await job.unprocessedRecords()) counts.unprocessed++;
    log(`ingest ${done.state}: processed ${done.numberRecordsProcessed}, failed ${done.numberRecordsFailed}`);
    log(`  successful ${counts.successful} + failed ${counts.failed} + unprocessed ${counts.unprocessed} = ${uploaded} uploaded`);
    log(`  failures by code: ${[...errors].map(([c, n]) => `${c} ${n}`).join(', ')} (parents in the recycle bin, and the one bad row)`);
    if (counts.successful + counts.failed + counts.unprocessed !== uploaded) throw new Error('rows unaccounted for');

    // Query: every Contact including soft-deleted ones, pages downloaded in parallel (resultPages), in order.
    const q = await client.query.create({
      operation: 'queryAll',
      query: 'SELECT Id, Name, Email, Account.Name, IsDeleted, SystemModstamp FROM Contact',
    });
    const info = await q.waitForCompletion();
    let read = 0;
    let pages = 0;
    for await (const page of q.pages({ concurrency: 4 })) {
      pages++;
      for await (const _ of page.rows()) read++;
    }
    log(`query job ${q.id}: ${info.numberRecordsProcessed} records, ${read} read in ${pages} pages`);
    if (read !== info.numberRecordsProcessed) throw new Error('row count mismatch between pages and the job');
  } finally {
    await client?.close();
    await emu.stop();
    rmSync(work, { recursive: true, force: true });
  }
  log('done');
}

main().catch((e) => {
  log(`failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
