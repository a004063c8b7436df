// `--about --format json|markdown` of each executable against the settings examples/meltano.yml declares: the same
// names, secrets marked sensitive, kinds that fit the types, and the capabilities meltano.yml claims.
import t from 'tap';
import { BIN, meltanoPlugin, meltanoProject, node } from './newcomer-harness.js';

interface About {
  name: string;
  capabilities: string[];
  settings: { properties: Record<string, { type?: string | string[]; enum?: unknown[]; writeOnly?: boolean; default?: unknown }> };
}

const KIND_TYPES: Record<string, string[]> = {
  integer: ['integer'],
  decimal: ['number'],
  boolean: ['boolean'],
  array: ['array'],
  object: ['object'],
  string: ['string'],
  date_iso8601: ['string'],
  password: ['string'],
};

t.test('tap-salesforce-bulk --about --format json lists exactly the settings and capabilities of meltano.yml', async (t) => {
  const r = await node(BIN.tap, ['--about', '--format', 'json']);
  t.equal(r.code, 0, r.stderr);
  const about = JSON.parse(r.stdout) as About;
  t.equal(about.name, 'tap-salesforce-bulk');
  const { plugin } = meltanoPlugin(meltanoProject(), 'tap-salesforce-bulk');
  t.same([...about.capabilities].sort(), [...plugin.capabilities!].sort(), 'capabilities');
  t.same(Object.keys(about.settings.properties).sort(), plugin.settings.map((s) => s.name).sort(), 'the same setting names');
  for (const s of plugin.settings) {
    const p = about.settings.properties[s.name]!;
    if (s.kind === 'options') t.same(s.options!.map((o) => o.value), p.enum, `${s.name}: the same options`);
    else {
      const type = (Array.isArray(p.type) ? p.type : [p.type]).filter((x) => x !== 'null');
      t.ok(type.every((x) => KIND_TYPES[s.kind!]?.includes(x!)), `${s.name}: kind ${s.kind} fits type ${type.join('|')}`);
    }
    t.equal(s.kind === 'password' && s.sensitive === true, p.writeOnly === true, `${s.name}: sensitive exactly when secret`);
    t.same(s.value, p.default, `${s.name}: the same default`);
  }
});

t.test('tap-salesforce-bulk --about --format markdown lists every setting of meltano.yml', async (t) => {
  const r = await node(BIN.tap, ['--about', '--format', 'markdown']);
  t.equal(r.code, 0, r.stderr);
  const { plugin } = meltanoPlugin(meltanoProject(), 'tap-salesforce-bulk');
  for (const s of plugin.settings) t.match(r.stdout, `| \`${s.name}\` |`, s.name);
  t.match(r.stdout, /Capabilities: catalog, discover, state, about, test/);
});

t.test('target-salesforce-bulk --about --format json', async (t) => {
  const r = await node(BIN.target, ['--about', '--format', 'json']);
  if (r.code !== 0) {
    // The target has no --about yet (reported to its owner); meltano.yml claims no capability for it.
    t.equal(meltanoPlugin(meltanoProject(), 'target-salesforce-bulk').plugin.capabilities, undefined, 'meltano.yml claims no capability the target lacks');
    t.pass('target-salesforce-bulk --about', { todo: 'not implemented by the target yet' });
    return;
  }
  const about = JSON.parse(r.stdout) as About;
  const { plugin } = meltanoPlugin(meltanoProject(), 'target-salesforce-bulk');
  t.same(Object.keys(about.settings.properties).sort(), plugin.settings.map((s) => s.name).sort(), 'the same setting names');
});
