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

for (const name of ['tap-salesforce-bulk', 'target-salesforce-bulk'] as const) {
  const bin = name === 'tap-salesforce-bulk' ? BIN.tap : BIN.target;

  t.test(`${name} --about --format json lists exactly the settings and capabilities of meltano.yml`, async (t) => {
    const r = await node(bin, ['--about', '--format', 'json']);
    t.equal(r.code, 0, r.stderr);
    const about = JSON.parse(r.stdout) as About;
    t.equal(about.name, name);
    const { plugin } = meltanoPlugin(meltanoProject(), name);
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
      // meltano.yml leaves out an empty-object default (Meltano would store it as a value).
      const emptyObject = typeof p.default === 'object' && p.default !== null && Object.keys(p.default).length === 0;
      t.same(s.value, emptyObject ? undefined : p.default, `${s.name}: the same default`);
    }
  });

  t.test(`${name} --about --format markdown lists every setting and the capabilities of meltano.yml`, async (t) => {
    const r = await node(bin, ['--about', '--format', 'markdown']);
    t.equal(r.code, 0, r.stderr);
    const { plugin } = meltanoPlugin(meltanoProject(), name);
    t.match(r.stdout, `# ${name} `);
    for (const s of plugin.settings) t.match(r.stdout, `| \`${s.name}\` |`, s.name);
    t.match(r.stdout, `Capabilities: ${plugin.capabilities!.join(', ')}`);
  });
}
