// The build side of compiled-schemas.ts: ajv standalone code for one listed schema. Used by
// scripts/compile-schemas.mjs (after tsc) and by the test that checks the built modules are current.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { COMPILED_SCHEMAS, type CompiledSchemaFile } from './compiled-schemas.js';
import { packageRoot } from './paths.js';

/** The CommonJS source of the checker for `schemas/<file>`: the same text for the same schema and options. */
export function standaloneSource(file: CompiledSchemaFile): string {
  const ajv = new Ajv({ ...COMPILED_SCHEMAS[file], code: { source: true } });
  const validate = ajv.compile(JSON.parse(readFileSync(join(packageRoot(), 'schemas', file), 'utf8')) as object);
  return standalone.default(ajv, validate);
}
