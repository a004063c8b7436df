// `--about`: what the tap is and the settings it takes, as JSON (Meltano) or a Markdown table (a README).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionConfigSchemaPath } from '../bulk/index.js';
import { packageRoot } from '../paths.js';

export const CAPABILITIES = ['catalog', 'discover', 'state', 'about', 'test'] as const;

interface SettingSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
}

function settings(): Record<string, SettingSchema> {
  const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as { properties: Record<string, SettingSchema | boolean> };
  const own = read(join(packageRoot(), 'schemas', 'tap-config.schema.json')).properties;
  const conn = read(connectionConfigSchemaPath()).properties;
  const out: Record<string, SettingSchema> = {};
  for (const [k, v] of Object.entries(conn)) if (typeof v === 'object') out[k] = v;
  for (const [k, v] of Object.entries(own)) if (typeof v === 'object') out[k] = v;
  return out;
}

export function aboutJson(version: string): string {
  return JSON.stringify(
    {
      name: 'tap-salesforce-bulk',
      description: 'Singer tap for Salesforce: Bulk API 2.0 query jobs, parallel result pages, resumable to the row',
      version,
      capabilities: CAPABILITIES,
      settings: { type: 'object', properties: settings() },
    },
    null,
    2,
  );
}

export function aboutMarkdown(version: string): string {
  const rows = Object.entries(settings()).map(([k, s]) => {
    const type = Array.isArray(s.type) ? s.type.join('|') : (s.type ?? (s.enum ? 'enum' : ''));
    const def = s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``;
    return `| \`${k}\` | ${type} | ${def} | ${(s.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`;
  });
  return [
    `# tap-salesforce-bulk ${version}`,
    '',
    `Capabilities: ${CAPABILITIES.join(', ')}`,
    '',
    '| setting | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
