// The files in examples/ are what users copy: each must be accepted by the code that reads it, and do what it says.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseConnectionConfig } from '../src/bulk/index.js';
import { parseFaultConfig } from '../src/emulator/faults.js';
import { validateSeed } from '../src/emulator/org/seed.js';
import { BulkClient, silentLogger } from '../src/bulk/index.js';
import { clientRequests, startEmu } from './helpers/emulator.js';

const json = (p: string) => JSON.parse(readFileSync(new URL(`../../examples/${p}`, import.meta.url), 'utf8'));

t.test('examples/connection.emulator.json connects to an emulator (with its port) at the API version it names', async (t) => {
  const emu = await startEmu(t, { seed: 'empty' });
  const example = json('connection.emulator.json');
  const client = await BulkClient.connect(parseConnectionConfig({ ...example, login_url: emu.url }), { logger: silentLogger });
  t.teardown(() => client.close());
  t.equal(client.apiVersion, example.api_version, 'the version the example pins is the one used');
  const limits = (await client.limits()) as unknown as Record<string, { Max: number; Remaining: number }>;
  for (const name of ['DailyApiRequests', 'DailyBulkV2QueryJobs', 'DailyBulkApiBatches']) {
    t.type(limits[name]?.Max, 'number', `${name}.Max`);
    t.ok(limits[name]!.Remaining <= limits[name]!.Max, `${name}.Remaining is at most Max`);
  }
  const calls = clientRequests(await emu.requests()).filter((r) => r.path.startsWith('/services/data/'));
  t.same(calls.map((r) => `${r.method} ${r.path} ${r.status}`), [`GET /services/data/v${example.api_version}/limits ${200}`], 'one authenticated call, at that version, answered 200');
});

t.test('examples/emulator-faults.json and examples/seed-small.json are valid', async (t) => {
  t.doesNotThrow(() => parseFaultConfig(json('emulator-faults.json')));
  t.same(validateSeed(json('seed-small.json')), []);
});
