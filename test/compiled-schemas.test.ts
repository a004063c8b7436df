// The checkers compiled at build time (src/compiled-schemas.ts) are current and keep the options their callers rely
// on: a schema edited without a build fails here, not in a user's run.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { COMPILED_SCHEMAS, compiledModulePath, compiledValidator, type CompiledSchemaFile } from '../src/compiled-schemas.js';
import { standaloneSource } from '../src/schema-standalone.js';

for (const file of Object.keys(COMPILED_SCHEMAS) as CompiledSchemaFile[]) {
  t.test(`${file}: the built checker is what the schema compiles to now`, async (t) => {
    const built = readFileSync(compiledModulePath(file), 'utf8');
    t.ok(built === standaloneSource(file), 'byte for byte');
    t.equal(compiledValidator(file), compiledValidator(file), 'loaded once, the same function after');
  });
}

t.test('the options hold: defaults filled, connection numbers coerced, every bad key reported at once', async (t) => {
  const connection = compiledValidator('connection-config.schema.json');
  const data: Record<string, unknown> = { auth_flow: 'client_credentials', client_id: 'id', client_secret: 'secret', request_timeout_seconds: '30' };
  t.ok(connection(data), JSON.stringify(connection.errors));
  t.equal(data.request_timeout_seconds, 30, 'a number given as a string is coerced (coerceTypes)');
  t.equal(data.login_url, 'https://login.salesforce.com', 'a default is filled in (useDefaults)');

  const target = compiledValidator('target-config.schema.json');
  t.notOk(target({ streams: { s: { object: 'Account', operation: 'merge' } }, no_such_key: 1 }));
  t.same(
    (target.errors ?? []).map((e) => e.keyword).sort(),
    ['additionalProperties', 'enum'],
    'both errors, not only the first (allErrors)',
  );
});
