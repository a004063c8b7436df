// The tap's config: its own keys with defaults, the connection keys alongside, and the example users copy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { connectionConfigSchemaPath } from '../../src/bulk/index.js';
import { packageRoot } from '../../src/paths.js';
import { parseTapConfig } from '../../src/tap/tap-config.js';

const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

t.test('examples/tap.emulator.json is accepted, with defaults filled in', async (t) => {
  const c = parseTapConfig(read(join(packageRoot(), 'examples', 'tap.emulator.json')));
  t.equal(c.connection.auth_flow, 'client_credentials');
  t.equal(c.settings.startMs, Date.UTC(2024, 0, 1));
  t.equal(c.settings.lookbackMs, 300_000);
  t.equal(c.settings.selectFieldsByDefault, true);
  t.equal(c.settings.endMs, undefined);
});

t.test('the tap schema lists every connection key, so only misspellings are unknown', async (t) => {
  const tap = read(join(packageRoot(), 'schemas', 'tap-config.schema.json')).properties;
  const conn = Object.keys(read(connectionConfigSchemaPath()).properties);
  t.same(conn.filter((k) => !(k in tap)), [], 'every connection key is allowed in a tap config');
});
