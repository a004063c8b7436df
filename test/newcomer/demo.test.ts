// `npm run demo`, as the README gives it, on a clean output folder: it exits 0, prints the summary table and the
// org check, leaves the files it names, and stops both emulators it started. Then the demo against two emulators
// this test started, so the test can read both orgs itself afterwards; then SIGINT in the middle of a run.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { orgRows } from '../tap/tap-harness.js';
import { BIN, run, tempDir } from './newcomer-harness.js';

const DEMO = BIN.demo;

/** A clean output folder (its parent is removed when the test ends). */
const outDir = (t: { teardown(fn: () => void): void }) => join(tempDir(t, 'demo-test-'), 'out');

/** The summary table's rows: stream -> [extracted, loaded, failed, skipped]. */
function tableRows(stderr: string): Record<string, number[]> {
  const rows: Record<string, number[]> = {};
  for (const m of stderr.matchAll(/^(Account|Contact|total)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/gm)) rows[m[1]!] = [2, 3, 4, 5].map((i) => Number(m[i]));
  return rows;
}

const recordsIn = (file: string, stream: string) =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l)).filter((m) => m.type === 'RECORD' && m.stream === stream);

async function unreachable(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/__emulator/health`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

t.test('npm run demo: exit 0, the summary table, both orgs checked, files where it says, every process stopped', async (t) => {
  const out = outDir(t);
  const r = await run('npm', ['run', 'demo', '--', '--out', out], { timeoutMs: 90_000 });
  t.equal(r.code, 0, r.stderr);
  const rows = tableRows(r.stderr);
  const accounts = recordsIn(join(out, 'Account.jsonl'), 'Account');
  const contacts = recordsIn(join(out, 'Contact.jsonl'), 'Contact');
  t.ok(accounts.length >= 900 && contacts.length >= 1900, `the demo org at scale 5 (${accounts.length} Accounts, ${contacts.length} Contacts)`);
  t.same(rows.Account, [accounts.length, accounts.length, 0, 0], 'Account: extracted = RECORDs in the file = loaded; none failed or skipped');
  t.same(rows.Contact, [contacts.length, contacts.length, 0, 0], 'Contact: likewise');
  t.same(rows.total, [accounts.length + contacts.length, accounts.length + contacts.length, 0, 0]);
  t.match(r.stderr, /^whole demo\s+\d+\s+[\d.]+\s+\d+$/m, 'time and records/s');
  t.match(r.stderr, new RegExp(`check: Account: the two orgs hold the same ${accounts.length} rows, every field equal`));
  t.match(r.stderr, new RegExp(`check: Contact: the two orgs hold the same ${contacts.length} rows, every field equal`));
  t.match(r.stderr, `output files in ${out}`);
  for (const f of ['catalog.discovered.json', 'tap.config.json', 'target.config.json', 'target-summary.json', 'target-state.jsonl']) t.ok(existsSync(join(out, f)), f);
  t.notOk(existsSync(join(out, 'Contact.with-parent-keys.jsonl')), 'no mapping step between tap and target');
  t.ok(contacts.some((c) => typeof c.record['Account.External_Id__c'] === 'string'), "the tap's Contacts carry their Account's external id");
  t.notOk(contacts.some((c) => 'AccountId' in c.record), "and not the source org's AccountId");
  t.match(r.stderr, /tap Account \| INFO summary: Account: complete/, "the tap's own summary is shown live");
  const urls = [...r.stderr.matchAll(/source org at (\S+), destination org at (\S+)/g)].flatMap((m) => [m[1]!, m[2]!]);
  t.equal(urls.length, 2);
  for (const u of urls) t.ok(await unreachable(u), `${u} is stopped`);

  // Run again on the same folder: it is replaced, not mixed with the old run's ledger.
  const again = await run(process.execPath, [DEMO, '--out', out, '--scale', '1']);
  t.equal(again.code, 0, again.stderr);
  t.equal(again.stdout, '', 'nothing on stdout');
  t.same(tableRows(again.stderr).Account?.slice(1), [recordsIn(join(out, 'Account.jsonl'), 'Account').length, 0, 0]);
});

t.test('a folder the demo did not make is refused, not emptied', async (t) => {
  const out = outDir(t);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'precious.txt'), 'keep me');
  const r = await run(process.execPath, [DEMO, '--out', out]);
  t.equal(r.code, 1);
  t.match(r.stderr, /was not made by the demo: give another folder with --out DIR/);
  t.equal(readFileSync(join(out, 'precious.txt'), 'utf8'), 'keep me');
});

const ACCOUNT_FIELDS = 'External_Id__c, Name, Type, Industry, Phone, Website, BillingCity, BillingState, BillingCountry, AnnualRevenue, NumberOfEmployees, Rating';
const CONTACT_FIELDS = 'External_Id__c, FirstName, LastName, Email, Phone, Title, Department, MailingCity, LeadSource, Birthdate, Account.External_Id__c';

async function rowsOf(h: Harness, soql: string) {
  return (await orgRows(h, soql, false)).map((r) => {
    for (const k of ['AnnualRevenue', 'NumberOfEmployees']) if (k in r && r[k] !== '') r[k] = String(Number(r[k]));
    return r;
  });
}

t.test('against orgs the test holds: the destination has the same Accounts and Contacts, parents linked, Contacts after Accounts', async (t) => {
  const source = await withEmulator(t, { seed: 'demo' });
  const destination = await withEmulator(t, { seed: 'empty' });
  const out = outDir(t);
  const r = await run(process.execPath, [DEMO, '--out', out, '--source', source.url, '--destination', destination.url]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, '', 'the demo writes nothing to stdout');

  const accounts = `SELECT ${ACCOUNT_FIELDS} FROM Account ORDER BY External_Id__c`;
  const srcAccounts = await rowsOf(source, accounts);
  t.equal(srcAccounts.length, 198, 'the live Accounts of the demo org');
  t.same(await rowsOf(destination, accounts), srcAccounts, 'the same Accounts, field by field');
  const contacts = `SELECT ${CONTACT_FIELDS} FROM Contact ORDER BY External_Id__c`;
  const srcContacts = await rowsOf(source, contacts);
  t.equal(srcContacts.length, 396);
  t.ok(srcContacts.filter((c) => c['Account.External_Id__c'] !== '').length > 300, 'most Contacts have a parent');
  t.same(await rowsOf(destination, contacts), srcContacts, 'the same Contacts, linked to the Accounts with the same external ids');

  const jobs = (await destination.admin<any[]>('/jobs')).filter((j) => !j.jobType || j.operation === 'upsert');
  t.same(jobs.map((j) => [j.object, j.operation, j.externalIdFieldName, j.state]).sort(), [
    ['Account', 'upsert', 'External_Id__c', 'JobComplete'],
    ['Contact', 'upsert', 'External_Id__c', 'JobComplete'],
  ]);
  const log = await destination.admin<{ seq: number; method: string; path: string; jobId?: string }[]>('/requests');
  const account = jobs.find((j) => j.object === 'Account')!.id;
  const contact = jobs.find((j) => j.object === 'Contact')!.id;
  const lastAccountCall = Math.max(...log.filter((q) => q.jobId === account).map((q) => q.seq));
  const contactCreate = Math.min(...log.filter((q) => q.jobId === contact).map((q) => q.seq));
  t.ok(contactCreate > lastAccountCall, 'depends_on: the Contact job starts after the Account job is reconciled');
});

t.test('SIGINT in the middle of a run: exit 130, both emulators stopped', async (t) => {
  const out = outDir(t);
  let sent = false;
  const r = await run(process.execPath, [DEMO, '--out', out, '--scale', '1'], {
    onStderr: (all, kill) => {
      if (!sent && /tap-salesforce-bulk --config \S+ --catalog/.test(all)) {
        sent = true;
        kill('SIGINT');
      }
    },
  });
  t.ok(sent, 'interrupted once the extract had started');
  t.equal(r.code, 130, r.stderr);
  t.match(r.stderr, /demo: SIGINT: stopping everything it started/);
  const urls = [...r.stderr.matchAll(/source org at (\S+), destination org at (\S+)/g)].flatMap((m) => [m[1]!, m[2]!]);
  t.equal(urls.length, 2);
  for (const u of urls) t.ok(await unreachable(u), `${u} is stopped`);
});

t.test('a failing step: exit 1 naming the step, and the emulator it started is stopped', async (t) => {
  // A destination whose token endpoint refuses every client: the target fails at once (no retry for a 400).
  const refusing = createServer((req, res) => {
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_client_id', error_description: 'client identifier invalid' }));
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
  const destination = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  const out = outDir(t);
  const r = await run(process.execPath, [DEMO, '--out', out, '--scale', '1', '--destination', destination]);
  t.equal(r.code, 1, r.stderr);
  t.match(r.stderr, /demo: failed: target exited with 2/);
  t.notMatch(r.stderr, /check: /, 'no org check after a failed load');
  const source = /source org at (\S+),/.exec(r.stderr)?.[1];
  t.ok(source && (await unreachable(source)), `the source emulator it started (${source}) is stopped`);
});
