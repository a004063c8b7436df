// `meltano config target-salesforce-bulk test` pipes a meltano_test_stream SCHEMA/RECORD/STATE and fails on any
// output line containing "error" or "exception": with the default unmapped_streams ("skip") it passes, and it
// needs no org.
import t from 'tap';
import { record, runTarget, schema, state, workDir, writeConfig } from './target-harness.js';

t.test('the meltano test stream passes with the default config: exit 0, no line with "error" or "exception"', async (t) => {
  const dir = workDir(t);
  const cfg = writeConfig(dir, undefined, { auth_flow: 'client_credentials', login_url: 'http://127.0.0.1:9', client_id: 'x', client_secret: 'y' });
  const r = await runTarget(cfg, [
    schema('meltano_test_stream', { id: { type: 'integer' }, name: { type: 'string' } }, ['id']),
    record('meltano_test_stream', { id: 1, name: 'test' }),
    state({ bookmarks: { meltano_test_stream: { id: 1 } } }),
  ]);
  t.equal(r.code, 0, r.stderr);
  for (const line of (r.stdout + r.stderr).split('\n')) t.notMatch(line.toLowerCase(), /error|exception/, line);
  t.same(r.states, [{ bookmarks: { meltano_test_stream: { id: 1 } } }]);
  t.match(r.stderr, /meltano_test_stream.*not loaded/);
});
