#!/usr/bin/env node
// Renders every config key of tap and target from their JSON Schemas into the places that document them, between
// markers: the README's settings tables (<!-- settings:NAME:begin --> ... <!-- settings:NAME:end -->) and the
// settings lists of examples/meltano.yml (# settings:NAME:begin ... # settings:NAME:end).
//   node scripts/config-docs.mjs           rewrite the blocks
//   node scripts/config-docs.mjs --check   exit 1 (and name each block) when a block differs from the schemas
//                                          (either way: exit 1 naming each key whose schema has no description)
//   --root DIR                             a project folder other than this one
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// --root DIR renders another copy of the project (a test checks that drift is caught).
const rootArg = process.argv.indexOf('--root');
const ROOT = rootArg > 0 && process.argv[1] === fileURLToPath(import.meta.url) ? process.argv[rootArg + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = (name) => JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8'));

/** A schema's own keys, skipping the placeholders (`true` / `{}`) that only let the connection keys through. */
function ownKeys(s) {
  return Object.entries(s.properties).filter(([, v]) => typeof v === 'object' && Object.keys(v).length > 0);
}

/** The settings of one plugin, in the order users meet them: its own keys, then the connection keys. */
export function settingsOf(plugin) {
  const connection = ownKeys(schema('connection-config.schema.json'));
  const own = ownKeys(schema(plugin === 'tap' ? 'tap-config.schema.json' : 'target-config.schema.json'));
  return [...own, ...connection].map(([name, s]) => ({ name, ...s }));
}

const SECTIONS = {
  connection: () => ownKeys(schema('connection-config.schema.json')).map(([name, s]) => ({ name, ...s })),
  tap: () => ownKeys(schema('tap-config.schema.json')).map(([name, s]) => ({ name, ...s })),
  target: () => ownKeys(schema('target-config.schema.json')).flatMap(([name, s]) => expand(name, s)),
};

/** `streams` is a map of per-stream objects: its keys are documented as streams.<stream>.<key>. */
function expand(name, s) {
  const inner = s.additionalProperties?.properties;
  if (!inner) return [{ name, ...s }];
  const required = s.additionalProperties.required ?? [];
  return [
    { name, ...s, type: 'object' },
    ...Object.entries(inner).map(([k, v]) => ({ name: `${name}.<stream>.${k}`, ...v, required: required.includes(k) })),
  ];
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(s) {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v).replace(/^"|"$/g, '')}\``).join(', ');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  const items = s.type === 'array' && s.items?.type ? ` of ${s.items.type}` : '';
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` (${s.minimum ?? ''}..${s.maximum ?? ''})` : '';
  return `${t}${items}${range}`;
}

function defaultOf(s, name) {
  if (s.default !== undefined) return `\`${JSON.stringify(s.default)}\``;
  if (s.required === true) return 'required';
  if (name === 'auth_flow') return 'required';
  return '';
}

function meaningOf(s) {
  const secret = s.writeOnly ? ' **Secret**: never logged; give it through the environment.' : '';
  return cell(`${s.description ?? '(the schema gives no description)'}${secret}`);
}

export function markdownTable(section) {
  const rows = SECTIONS[section]().map((s) => `| \`${s.name}\` | ${cell(typeOf(s))} | ${defaultOf(s, s.name)} | ${meaningOf(s)} |`);
  return ['| key | type | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Meltano setting kind for a schema property. */
export function meltanoKind(name, s) {
  if (s.writeOnly) return 'password';
  if (s.enum) return 'options';
  if (/_date$/.test(name)) return 'date_iso8601';
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  return { integer: 'integer', number: 'decimal', boolean: 'boolean', array: 'array', object: 'object' }[t] ?? 'string';
}

const yamlString = (v) => JSON.stringify(String(v));

export function meltanoSettings(plugin, indent) {
  const pad = ' '.repeat(indent);
  const out = [];
  for (const s of settingsOf(plugin)) {
    const kind = meltanoKind(s.name, s);
    out.push(`${pad}- name: ${s.name}`);
    out.push(`${pad}  kind: ${kind}`);
    if (kind === 'password') out.push(`${pad}  sensitive: true`);
    if (s.description) out.push(`${pad}  description: ${yamlString(s.description)}`);
    if (s.default !== undefined && !(typeof s.default === 'object' && Object.keys(s.default).length === 0)) out.push(`${pad}  value: ${JSON.stringify(s.default)}`);
    if (kind === 'options') {
      out.push(`${pad}  options:`);
      for (const v of s.enum) out.push(`${pad}  - {label: ${yamlString(v)}, value: ${JSON.stringify(v)}}`);
    }
  }
  return out.join('\n');
}

/** Replaces the text between `begin` and `end` lines; returns undefined when the markers are missing. */
function replaceBlock(text, begin, end, body) {
  const i = text.indexOf(begin);
  const j = text.indexOf(end, i + begin.length);
  if (i < 0 || j < 0) return undefined;
  const startOfBody = text.indexOf('\n', i) + 1;
  const endOfBody = text.lastIndexOf('\n', j) + 1;
  return text.slice(0, startOfBody) + body + '\n' + text.slice(endOfBody);
}

function render(file, blocks) {
  let text = readFileSync(file, 'utf8');
  const missing = [];
  for (const { begin, end, body } of blocks) {
    const next = replaceBlock(text, begin, end, body);
    if (next === undefined) missing.push(begin);
    else text = next;
  }
  return { text, missing };
}

export function targets() {
  const readme = join(ROOT, 'README.md');
  const meltano = join(ROOT, 'examples', 'meltano.yml');
  const md = (name) => ({ begin: `<!-- settings:${name}:begin -->`, end: `<!-- settings:${name}:end -->`, body: markdownTable(name) });
  // The marker lines in meltano.yml are indented like the settings list they surround.
  const yml = (name) => ({ begin: `# settings:${name}:begin`, end: `# settings:${name}:end`, body: meltanoSettings(name, 4) });
  return [
    { file: readme, blocks: ['tap', 'target', 'connection'].map(md) },
    { file: meltano, blocks: ['tap', 'target'].map(yml) },
  ];
}

function main(argv) {
  const check = argv.includes('--check');
  let stale = 0;
  // A key without a description would be documented as nothing: name it rather than render a gap.
  for (const [section, list] of Object.entries(SECTIONS)) {
    for (const s of list()) {
      if (s.description) continue;
      process.stderr.write(`config-docs: ${section} key "${s.name}" has no description in its schema\n`);
      stale++;
    }
  }
  for (const { file, blocks } of targets()) {
    const { text, missing } = render(file, blocks);
    for (const m of missing) {
      process.stderr.write(`config-docs: ${file}: no block "${m}"\n`);
      stale++;
    }
    const now = readFileSync(file, 'utf8');
    if (text === now) continue;
    if (check) {
      process.stderr.write(`config-docs: ${file} differs from the schemas: run node scripts/config-docs.mjs\n`);
      stale++;
    } else {
      writeFileSync(file, text);
      process.stderr.write(`config-docs: rewrote the settings blocks of ${file}\n`);
    }
  }
  return stale ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
