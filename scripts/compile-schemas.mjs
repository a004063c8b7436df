// Build step after tsc: writes the checker of each schema src/compiled-schemas.ts lists, as ajv standalone code, to
// dist/src/compiled-schemas/ (test/compiled-schemas.test checks they are current).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILED_SCHEMAS, compiledModuleName } from '../dist/src/compiled-schemas.js';
import { standaloneSource } from '../dist/src/schema-standalone.js';

const out = join(import.meta.dirname, '..', 'dist', 'src', 'compiled-schemas');
mkdirSync(out, { recursive: true });
for (const file of Object.keys(COMPILED_SCHEMAS)) writeFileSync(join(out, compiledModuleName(file)), standaloneSource(file));
