// `--about` of both executables: what the plugin is, its capabilities and every setting, read from the same JSON
// Schemas that validate the config (and that scripts/config-docs.mjs renders into the README and meltano.yml).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

export interface PluginDescriptor {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  /** Meltano capability names. */
  readonly capabilities: readonly string[];
  /** Config schemas whose properties are the settings; a later file's property wins. */
  readonly schemaFiles: readonly string[];
}

/** The version both executables report (package.json). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A config schema of this package by file name. */
export function schemaPath(file: string): string {
  return join(packageRoot(), 'schemas', file);
}

interface SettingSchema {
  type?: string | string[];
  writeOnly?: boolean;
  description?: string;
  default?: unknown;
  enum?: unknown[];
}

/** Settings by name; `true` / `{}` placeholders (keys another schema owns) are skipped. */
function settings(files: readonly string[]): Record<string, SettingSchema> {
  const out: Record<string, SettingSchema> = {};
  for (const f of files) {
    const props = (JSON.parse(readFileSync(f, 'utf8')) as { properties: Record<string, SettingSchema | boolean> }).properties;
    for (const [k, v] of Object.entries(props)) if (typeof v === 'object' && Object.keys(v).length > 0) out[k] = v;
  }
  return out;
}

/** The values of a raw config that its schemas mark secret (writeOnly): registered with the redactor before the
 * config is even validated, so no error about it can quote one. */
export function secretValues(raw: unknown, schemaFiles: readonly string[]): string[] {
  if (raw === null || typeof raw !== 'object') return [];
  const all = settings(schemaFiles);
  return Object.entries(raw as Record<string, unknown>).filter(([k, v]) => all[k]?.writeOnly === true && typeof v === 'string').map(([, v]) => v as string);
}

export function aboutJson(p: PluginDescriptor): string {
  const { name, description, version, capabilities } = p;
  return JSON.stringify({ name, description, version, capabilities, settings: { type: 'object', properties: settings(p.schemaFiles) } }, null, 2);
}

export function aboutMarkdown(p: PluginDescriptor): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = Object.entries(settings(p.schemaFiles)).map(([k, s]) => {
    const type = Array.isArray(s.type) ? s.type.join('|') : (s.type ?? (s.enum ? s.enum.map((v) => JSON.stringify(v)).join(', ') : ''));
    const def = s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``;
    return `| \`${k}\` | ${cell(type)} | ${def} | ${cell(s.description ?? '')} |`;
  });
  return [
    `# ${p.name} ${p.version}`,
    '',
    p.description,
    '',
    `Capabilities: ${p.capabilities.join(', ')}`,
    '',
    '| setting | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** `--about` output in the format asked for, newline-terminated. */
export function renderAbout(p: PluginDescriptor, format: 'json' | 'markdown'): string {
  return format === 'markdown' ? aboutMarkdown(p) : `${aboutJson(p)}\n`;
}
