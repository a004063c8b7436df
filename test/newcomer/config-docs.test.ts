// The README's settings tables and examples/meltano.yml's settings lists are rendered from the JSON Schemas by
// scripts/config-docs.mjs: they must be what the schemas say today, and a schema change must be caught.
import t from 'tap';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { node, ROOT, tempDir } from './newcomer-harness.js';

const SCRIPT = join(ROOT, 'scripts', 'config-docs.mjs');

/** Every key of a schema's own properties (placeholders for the connection keys left out). */
function keysOf(file: string): string[] {
  const s = JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as { properties: Record<string, unknown> };
  return Object.entries(s.properties).filter(([, v]) => typeof v === 'object' && v !== null && Object.keys(v).length > 0).map(([k]) => k);
}

function block(text: string, name: string): string {
  const m = new RegExp(`<!-- settings:${name}:begin -->\\n([\\s\\S]*?)<!-- settings:${name}:end -->`).exec(text);
  return m ? m[1]! : '';
}

t.test('README and meltano.yml match the schemas (node scripts/config-docs.mjs --check)', async (t) => {
  const r = await node(SCRIPT, ['--check']);
  t.equal(r.code, 0, r.stderr);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const [name, file] of [['tap', 'tap-config.schema.json'], ['target', 'target-config.schema.json'], ['connection', 'connection-config.schema.json']] as const) {
    const table = block(readme, name);
    for (const key of keysOf(file)) t.match(table, `| \`${key}\` |`, `README documents ${name} key ${key}`);
  }
  t.match(block(readme, 'tap'), '| `window_size_days` | integer (1..3650) | `30` | Length of one query window');
  t.match(block(readme, 'connection'), /\| `client_secret` \| string \|  \| .*\*\*Secret\*\*/);
});

t.test('a schema change without re-rendering is caught, and rendering fixes it', async (t) => {
  const dir = tempDir(t);
  for (const p of ['README.md', 'schemas', join('examples', 'meltano.yml')]) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  const tapSchema = join(dir, 'schemas', 'tap-config.schema.json');
  const s = JSON.parse(readFileSync(tapSchema, 'utf8'));
  s.properties.window_size_days.default = 7;
  s.properties.new_knob = { type: 'boolean', default: false, description: 'A setting added without docs.' };
  writeFileSync(tapSchema, JSON.stringify(s));
  const check = await node(SCRIPT, ['--check', '--root', dir]);
  t.equal(check.code, 1, 'drift fails the check');
  t.match(check.stderr, /README\.md differs from the schemas/);
  t.match(check.stderr, /meltano\.yml differs from the schemas/);
  const render = await node(SCRIPT, ['--root', dir]);
  t.equal(render.code, 0, render.stderr);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  t.match(block(readme, 'tap'), '| `new_knob` | boolean | `false` | A setting added without docs. |');
  t.match(block(readme, 'tap'), '| `window_size_days` | integer (1..3650) | `7` |');
  t.match(readFileSync(join(dir, 'examples', 'meltano.yml'), 'utf8'), /- name: new_knob\n\s+kind: boolean/);
  t.equal((await node(SCRIPT, ['--check', '--root', dir])).code, 0, 'clean after rendering');
  mkdirSync(join(dir, 'x'));
  writeFileSync(join(dir, 'README.md'), readme.replace('<!-- settings:target:end -->', ''));
  const broken = await node(SCRIPT, ['--check', '--root', dir]);
  t.equal(broken.code, 1);
  t.match(broken.stderr, /no block "<!-- settings:target:begin -->"/, 'a lost marker is named');
});
