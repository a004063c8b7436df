// The files in examples/ are what a new user copies: each config validates against its schema, the sample catalog
// drives the tap, the sample records load with the target as the README's recipe says, and failed rows can be
// fixed and fed again as the README says.
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { withEmulator } from '../helpers/emulator.js';
import { orgRows } from '../tap/tap-harness.js';
import { BIN, example, exampleJson, meltanoConfig, meltanoProject, node, ROOT, run, tempDir } from './newcomer-harness.js';

const schema = (name: string) => JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8')) as object;

/** A validator for a plugin's config: its own schema and the connection schema, both must pass. */
function validatorFor(plugin: 'tap' | 'target' | 'connection') {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const connection = ajv.compile(schema('connection-config.schema.json'));
  const own = plugin === 'connection' ? undefined : ajv.compile(schema(`${plugin}-config.schema.json`));
  return (value: unknown): string[] => {
    const errors: string[] = [];
    if (!connection(structuredClone(value))) errors.push(...(connection.errors ?? []).map((e) => `connection ${e.instancePath} ${e.message}`));
    if (own && !own(structuredClone(value))) errors.push(...(own.errors ?? []).map((e) => `${plugin} ${e.instancePath} ${e.message}`));
    return errors;
  };
}

const CONFIGS: Record<string, 'tap' | 'target' | 'connection'> = {
  'connection.emulator.json': 'connection',
  'tap.emulator.json': 'tap',
  'tap.real-org.json': 'tap',
  'target.emulator.json': 'target',
  'target.real-org.json': 'target',
};

t.test('every example config validates against its schema, and every config file in examples/ is covered', async (t) => {
  const known = new Set([...Object.keys(CONFIGS), 'emulator-faults.json', 'seed-small.json', 'seed-custom-objects.json', 'catalog.sample.json']);
  const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
  t.same(files.filter((f) => !known.has(f)), [], 'no example JSON file without a check');
  for (const [file, plugin] of Object.entries(CONFIGS)) t.same(validatorFor(plugin)(exampleJson(file)), [], `${file} (${plugin})`);
  // A config with a misspelt key is refused by the same check, so the check can fail.
  t.not(validatorFor('tap')({ ...exampleJson('tap.emulator.json'), start_dte: '2024-01-01' }).length, 0, 'a misspelt key is caught');
  t.not(validatorFor('target')({ ...exampleJson('target.real-org.json'), auth_flow: 'saml' }).length, 0, 'a bad auth_flow is caught');
});

t.test('the config Meltano builds from examples/meltano.yml, for each environment, validates against the schemas', async (t) => {
  const project = meltanoProject();
  const secrets = {
    TAP_SALESFORCE_BULK_CLIENT_ID: 'placeholder-key',
    TAP_SALESFORCE_BULK_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----',
    TARGET_SALESFORCE_BULK_CLIENT_ID: 'placeholder-key',
    TARGET_SALESFORCE_BULK_CLIENT_SECRET: 'placeholder-secret',
  };
  for (const env of project.environments.map((e) => e.name)) {
    t.same(validatorFor('tap')(meltanoConfig(project, 'tap-salesforce-bulk', env, secrets)), [], `tap, environment ${env}`);
    t.same(validatorFor('target')(meltanoConfig(project, 'target-salesforce-bulk', env, secrets)), [], `target, environment ${env}`);
  }
});

t.test('examples/catalog.sample.json is a Singer catalog the tap syncs: every live Account and Contact, the selected fields only', async (t) => {
  const ajv = new Ajv({ strict: false });
  const catalog = exampleJson('catalog.sample.json');
  t.ok(ajv.validate(schema('singer-catalog.schema.json'), catalog), JSON.stringify(ajv.errors));
  const h = await withEmulator(t, { seed: 'demo' });
  const dir = tempDir(t);
  const cfg = join(dir, 'tap.json');
  const { start_date: _everything, ...base } = exampleJson('tap.emulator.json');
  writeFileSync(cfg, JSON.stringify({ ...base, login_url: h.url, include_deleted: false }));
  const r = await node(BIN.tap, ['--config', cfg, '--catalog', example('catalog.sample.json')]);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l).map((l) => JSON.parse(l) as { type: string; stream: string; record?: Record<string, unknown> });
  for (const stream of ['Account', 'Contact']) {
    const recs = lines.filter((m) => m.type === 'RECORD' && m.stream === stream);
    const live = await orgRows(h, `SELECT Id FROM ${stream}`, false);
    t.equal(recs.length, live.length, `${stream}: one RECORD per live row`);
    t.ok(recs.every((m) => 'External_Id__c' in m.record! && !('Description' in m.record!)), `${stream}: selected fields only`);
  }
});

/** The target's config for the emulator example, pointed at this emulator and this test's folders. */
function targetConfig(dir: string, url: string): string {
  const cfg = join(dir, 'target.json');
  writeFileSync(cfg, JSON.stringify({ ...exampleJson('target.emulator.json'), login_url: url, state_dir: join(dir, 'state'), failed_records_dir: join(dir, 'failed'), retry_backoff_seconds: 0 }));
  return cfg;
}

t.test('recipe: cat examples/records.sample.jsonl | target-salesforce-bulk --config cfg.json loads the sample, Contacts linked', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = tempDir(t);
  const cfg = targetConfig(dir, h.url);
  const r = await run('sh', ['-c', `cat "${example('records.sample.jsonl')}" | "${process.execPath}" "${BIN.target}" --config "${cfg}"`]);
  t.equal(r.code, 0, r.stderr);
  t.same(r.stdout.trim().split('\n').map((l) => JSON.parse(l)), [{ bookmarks: { accounts: { external_id: 'SAMPLE-ACC-3' }, contacts: { external_id: 'SAMPLE-CON-3' } } }], "the input STATE's value, once everything before it is loaded");
  const accounts = (await orgRows(h, 'SELECT External_Id__c, Name, Industry, AnnualRevenue FROM Account ORDER BY External_Id__c', false)).map((r) => ({
    ...r,
    AnnualRevenue: r.AnnualRevenue === '' ? '' : String(Number(r.AnnualRevenue)), // the org writes 9.8E7
  }));
  t.same(accounts, [
    { External_Id__c: 'SAMPLE-ACC-1', Name: 'Northwind Traders', Industry: 'Retail', AnnualRevenue: '1250000' },
    { External_Id__c: 'SAMPLE-ACC-2', Name: 'Contoso Pharmaceuticals', Industry: 'Healthcare', AnnualRevenue: '98000000' },
    { External_Id__c: 'SAMPLE-ACC-3', Name: 'Fabrikam, Inc.', Industry: '', AnnualRevenue: '' },
  ], 'Accounts by external id');
  t.same(await orgRows(h, 'SELECT External_Id__c, LastName, Account.External_Id__c FROM Contact ORDER BY External_Id__c', false), [
    { External_Id__c: 'SAMPLE-CON-1', LastName: 'Lovelace', 'Account.External_Id__c': 'SAMPLE-ACC-1' },
    { External_Id__c: 'SAMPLE-CON-2', LastName: 'Hopper', 'Account.External_Id__c': 'SAMPLE-ACC-2' },
    { External_Id__c: 'SAMPLE-CON-3', LastName: '"Quoted", with comma', 'Account.External_Id__c': '' },
  ]);
});

t.test('failed rows: fix them in the JSON Lines file and feed them again, as the README says', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = tempDir(t);
  const cfg = targetConfig(dir, h.url);
  const input = join(dir, 'records.jsonl');
  const sample = readFileSync(example('records.sample.jsonl'), 'utf8');
  writeFileSync(input, sample.replace('"account_external_id":"SAMPLE-ACC-2"', '"account_external_id":"SAMPLE-ACC-404"'));
  const first = await run('sh', ['-c', `"${process.execPath}" "${BIN.target}" --config "${cfg}" < "${input}"`]);
  t.equal(first.code, 3, `exit 3: rows failed\n${first.stderr}`);
  const failedFiles = readdirSync(join(dir, 'failed')).filter((f) => f.endsWith('.jsonl'));
  t.equal(failedFiles.length, 1, 'one failed-rows JSON Lines file (contacts)');
  const failed = readFileSync(join(dir, 'failed', failedFiles[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.equal(failed.length, 1);
  t.match(failed[0], { stream: 'contacts', record: { external_id: 'SAMPLE-CON-2', account_external_id: 'SAMPLE-ACC-404' } });
  t.match(failed[0].error, /SAMPLE-ACC-404/, 'the error names the missing parent');
  t.equal((await orgRows(h, "SELECT Id FROM Contact WHERE External_Id__c = 'SAMPLE-CON-2'", false)).length, 0);

  // The README's fix (jq) and re-feed pipeline: the input's SCHEMA lines, then the fixed rows as RECORDs.
  const fixedFile = join(dir, 'failed', failedFiles[0]!);
  const fixed = join(dir, 'fixed.jsonl');
  const fix = await run('sh', ['-c', `jq -c 'if .record.account_external_id == "SAMPLE-ACC-404" then .record.account_external_id = "SAMPLE-ACC-2" else . end' "${fixedFile}" > "${fixed}"`]);
  t.equal(fix.code, 0, fix.stderr);
  const refeed = await run('sh', ['-c', `{ grep '"type":"SCHEMA"' "${input}"; jq -c '{type: "RECORD", stream, record}' "${fixed}"; } | "${process.execPath}" "${BIN.target}" --config "${cfg}"`]);
  t.equal(refeed.code, 0, refeed.stderr);
  t.same(await orgRows(h, "SELECT External_Id__c, Account.External_Id__c FROM Contact WHERE External_Id__c = 'SAMPLE-CON-2'", false), [
    { External_Id__c: 'SAMPLE-CON-2', 'Account.External_Id__c': 'SAMPLE-ACC-2' },
  ]);
  t.equal((await orgRows(h, 'SELECT Id FROM Contact', false)).length, 3, 'no Contact twice');
});
