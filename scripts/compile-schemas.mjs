// Build step after tsc: writes the checker of each schema src/compiled-schemas.ts lists, as ajv standalone code, to
// dist/src/compiled-schemas/ (test/compiled-schemas.test checks they are current).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { COMPILED_SCHEMAS, compiledModulePath } from '../dist/src/compiled-schemas.js';
import { standaloneSource } from '../dist/src/schema-standalone.js';

for (const file of Object.keys(COMPILED_SCHEMAS)) {
  const path = compiledModulePath(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, standaloneSource(file));
}
