// The files in examples/ are what users copy: each must be accepted by the code that reads it.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseConnectionConfig } from '../src/bulk/index.js';
import { parseFaultConfig } from '../src/emulator/faults.js';
import { validateSeed } from '../src/emulator/org/seed.js';
import { startEmulator } from '../src/emulator/start-emulator.js';
import { BulkClient, silentLogger } from '../src/bulk/index.js';

const json = (p: string) => JSON.parse(readFileSync(new URL(`../../examples/${p}`, import.meta.url), 'utf8'));

t.test('examples/connection.emulator.json connects to an emulator (with its port)', async (t) => {
  const emu = await startEmulator({ seed: 'empty' });
  t.teardown(() => emu.close());
  const raw = { ...json('connection.emulator.json'), login_url: emu.url };
  const client = await BulkClient.connect(parseConnectionConfig(raw), { logger: silentLogger });
  t.teardown(() => client.close());
  const limits = await client.limits();
  t.ok(limits, 'an authenticated call works');
});

t.test('examples/emulator-faults.json and examples/seed-small.json are valid', async (t) => {
  t.doesNotThrow(() => parseFaultConfig(json('emulator-faults.json')));
  t.same(validateSeed(json('seed-small.json')), []);
});
