// What `meltano config <plugin> test` does, reproduced with the configs Meltano builds from examples/meltano.yml
// (environment `emulator`, secrets from Meltano's environment variables): the tap runs with a catalog made by its
// own discovery and Meltano's select rules and is stopped at its first RECORD; the target is fed a
// `meltano_test_stream` SCHEMA, RECORD and STATE. No output line may contain "error" or "exception".
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEmulator } from '../helpers/emulator.js';
import { BIN, meltanoConfig, meltanoEnvVar, meltanoPlugin, meltanoProject, node, tempDir } from './newcomer-harness.js';

const clean = (t: { notMatch(a: string, b: RegExp, m: string): void }, text: string) => {
  for (const line of text.split('\n')) t.notMatch(line, /error|exception/i, `no "error"/"exception" in: ${line.slice(0, 160)}`);
};

/** Meltano's select rules (`Stream.field`, `*` globs) applied to a discovered catalog. */
function applySelect(catalog: { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] }, rules: string[]) {
  const glob = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const parsed = rules.map((r) => r.split('.', 2).map(glob) as [RegExp, RegExp]);
  for (const s of catalog.streams) {
    const mine = parsed.filter(([st]) => st.test(s.tap_stream_id));
    for (const m of s.metadata) {
      if (m.breadcrumb.length === 0) m.metadata.selected = mine.length > 0;
      else if (m.metadata.inclusion !== 'automatic' && m.metadata.inclusion !== 'unsupported') m.metadata.selected = mine.some(([, f]) => f.test(m.breadcrumb[1]!));
    }
  }
  return catalog;
}

t.test('meltano config tap-salesforce-bulk test: a RECORD arrives, then the tap is stopped; nothing says error', async (t) => {
  const h = await withEmulator(t, { seed: 'demo' });
  const dir = tempDir(t);
  const project = meltanoProject();
  const name = 'tap-salesforce-bulk';
  // The emulator's URL and secret come from the environment, the way Meltano users keep secrets out of meltano.yml.
  const env = { [meltanoEnvVar(name, 'login_url')]: h.url, [meltanoEnvVar(name, 'client_secret')]: 'emulator-secret' };
  const config = meltanoConfig(project, name, 'emulator', env);
  t.equal(config.login_url, h.url, 'login_url from TAP_SALESFORCE_BULK_LOGIN_URL');
  const cfg = join(dir, 'tap.config.json');
  writeFileSync(cfg, JSON.stringify(config));

  const disc = await node(BIN.tap, ['--config', cfg, '--discover']);
  t.equal(disc.code, 0, disc.stderr);
  clean(t, disc.stderr);
  const catalog = join(dir, 'catalog.json');
  writeFileSync(catalog, JSON.stringify(applySelect(JSON.parse(disc.stdout), meltanoPlugin(project, name).plugin.select!)));

  let stopped = false;
  const r = await node(BIN.tap, ['--config', cfg, '--catalog', catalog], {
    onStdout: (all, kill) => {
      if (!stopped && all.split('\n').some((l) => l.startsWith('{"type":"RECORD"'))) {
        stopped = true;
        kill('SIGTERM');
      }
    },
  });
  t.ok(stopped, 'a RECORD arrived (what Meltano waits for)');
  const first = r.stdout.split('\n').find((l) => l.startsWith('{"type":"RECORD"'))!;
  t.match(JSON.parse(first), { stream: 'Account', record: { Id: /^001/ } });
  t.ok([0, 130].includes(r.code!), `the tap ends by itself after SIGTERM (exit ${r.code})`);
  clean(t, r.stdout);
  clean(t, r.stderr);
});

t.test('meltano config target-salesforce-bulk test: meltano_test_stream in, exit 0, nothing says error', async (t) => {
  const h = await withEmulator(t, { seed: 'empty' });
  const dir = tempDir(t);
  const name = 'target-salesforce-bulk';
  const env = {
    [meltanoEnvVar(name, 'login_url')]: h.url,
    [meltanoEnvVar(name, 'client_secret')]: 'emulator-secret',
    [meltanoEnvVar(name, 'state_dir')]: join(dir, 'state'),
    [meltanoEnvVar(name, 'failed_records_dir')]: join(dir, 'failed'),
  };
  const config = meltanoConfig(meltanoProject(), name, 'emulator', env);
  t.match(config, { unmapped_streams: 'skip', streams: { Account: { object: 'Account' } } }, "meltano.yml's own config");
  const cfg = join(dir, 'target.config.json');
  writeFileSync(cfg, JSON.stringify(config));
  const input = [
    { type: 'SCHEMA', stream: 'meltano_test_stream', schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } }, key_properties: ['id'] },
    { type: 'RECORD', stream: 'meltano_test_stream', record: { id: 1, name: 'test' } },
    { type: 'STATE', value: { bookmarks: { meltano_test_stream: { id: 1 } } } },
  ].map((m) => JSON.stringify(m)).join('\n') + '\n';
  const r = await node(BIN.target, ['--config', cfg], { input });
  clean(t, r.stdout);
  clean(t, r.stderr);
  t.equal(r.code, 0, `exit 0\n${r.stderr}`);
  t.same((await h.admin<unknown[]>('/jobs')).length, 0, 'no job in the org: the test stream is not loaded');
});
