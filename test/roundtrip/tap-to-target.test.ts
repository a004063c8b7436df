// The product end to end: `tap-salesforce-bulk | target-salesforce-bulk` as a real shell pipe between the two
// real binaries, from the emulator's demo org into a second, empty org. Accounts are upserted by External_Id__c;
// Contacts reach their Accounts through the relationship column Account.External_Id__c, which the tap reads from
// the parent (config `relationship_fields`) so no stage in between has to translate source-org Ids. The two orgs
// are then compared field by field, over every createable field of both objects that Bulk queries can read.
import { spawn } from 'node:child_process';
import t from 'tap';
import { adminQuery } from '../../src/demo/emulator-admin.js';
import { compareObject } from '../../src/demo/org-comparison.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { TAP_CLI, connection, discoverCatalog, selectStreams, writeJson } from '../tap/tap-harness.js';
import { TARGET_CLI } from '../target/target-harness.js';

const PARENT = 'Account.External_Id__c';

/** Createable fields a Bulk query returns and a Bulk upload sets, except lookups (source-org Ids). */
async function copyableFields(h: Harness, object: string): Promise<string[]> {
  const d = await h.json<{ fields: { name: string; type: string; createable: boolean }[] }>(`sobjects/${object}/describe`);
  return d.body.fields.filter((f) => f.createable && !['reference', 'address', 'location', 'base64'].includes(f.type)).map((f) => f.name);
}

/** Runs `sh -c "tap | target"` (bounded) and returns each side's exit status and stderr. */
function pipe(tapArgs: string[], targetArgs: string[], timeoutMs = 120_000): Promise<{ tap: number; target: number; stderr: string }> {
  const q = (a: string[]) => a.map((s) => `'${s.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `${q([process.execPath, TAP_CLI, ...tapArgs])} | ${q([process.execPath, TARGET_CLI, ...targetArgs])} > /dev/null; echo "exit \${PIPESTATUS[0]} \${PIPESTATUS[1]}" >&2`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the pipe did not finish within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      const m = /exit (\d+) (\d+)\s*$/.exec(err);
      if (!m) return reject(new Error(`no exit statuses; stderr: ${err}`));
      resolve({ tap: Number(m[1]), target: Number(m[2]), stderr: err });
    });
  });
}

t.test('demo org -> empty org through a shell pipe: the same Accounts and Contacts, field by field', async (t) => {
  const source = await withEmulator(t);
  const destination = await withEmulator(t);
  await destination.admin('/seed', { method: 'POST', body: JSON.stringify({ base: 'empty' }) });
  source.token = await source.newToken();
  const dir = t.testdir();

  const fields = { Account: await copyableFields(source, 'Account'), Contact: await copyableFields(source, 'Contact') };
  t.ok(fields.Account.includes('External_Id__c') && fields.Contact.includes('External_Id__c'), 'both objects have the external id');
  const catalog = selectStreams(await discoverCatalog(dir, source.url), ['Account', 'Contact']);
  for (const s of catalog.streams) {
    const keep = new Set(fields[s.tap_stream_id as 'Account' | 'Contact']);
    for (const m of s.metadata) if (m.breadcrumb.length === 2 && m.metadata.inclusion === 'available') m.metadata.selected = keep.has(m.breadcrumb[1]);
  }
  const tapConfig = connection(source.url, { include_deleted: false, relationship_fields: { Contact: [PARENT] } });
  // The tap's automatic fields (Id, the replication key, IsDeleted) are the source org's own: not loaded.
  const dropped = { Id: null, SystemModstamp: null, IsDeleted: null };
  const targetConfig = {
    ...connection(destination.url),
    state_dir: `${dir}/target-state`,
    failed_records_dir: `${dir}/failed`,
    unmapped_streams: 'fail',
    streams: {
      Account: { object: 'Account', operation: 'upsert', external_id_field: 'External_Id__c', field_map: dropped },
      Contact: { object: 'Contact', operation: 'upsert', external_id_field: 'External_Id__c', field_map: { ...dropped, [PARENT]: PARENT }, depends_on: ['Account'] },
    },
  };

  const run = await pipe(
    ['--config', writeJson(dir, 'tap.json', tapConfig), '--catalog', writeJson(dir, 'catalog.json', catalog)],
    ['--config', writeJson(dir, 'target.json', targetConfig)],
  );
  t.same([run.tap, run.target], [0, 0], `both ends exit 0; stderr: ${run.stderr.slice(-2000)}`);

  const accounts = await compareObject(source.url, destination.url, 'Account', 'External_Id__c', fields.Account.filter((f) => f !== 'External_Id__c'));
  t.ok(accounts.source > 0, `${accounts.source} Accounts in the source org`);
  t.same(accounts.differences, [], `Accounts identical over ${fields.Account.length} fields`);
  const contacts = await compareObject(source.url, destination.url, 'Contact', 'External_Id__c', [...fields.Contact.filter((f) => f !== 'External_Id__c'), PARENT]);
  const linked = (await adminQuery(source.url, `SELECT Id, ${PARENT} FROM Contact`)).filter((r) => r[PARENT] !== '').length;
  t.ok(linked > 0 && contacts.source > 0, `${contacts.source} Contacts in the source org, ${linked} of them linked to an Account`);
  t.same(contacts.differences, [], `Contacts identical over ${fields.Contact.length} fields and their Account`);
});
