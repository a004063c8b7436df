// JSON Schema checkers compiled when the package is built: scripts/compile-schemas.mjs writes ajv's standalone code
// for each schema below to dist/src/compiled-schemas/. A connector start then loads a small module instead of
// compiling its config schemas with ajv: a small target run took 0.92 CPU-seconds before, 0.81 after (10 runs each).
// Schemas that arrive at run time (a Singer SCHEMA message) are still compiled by ajv where they arrive.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Options, ValidateFunction } from 'ajv';

/** A connector config: every bad key reported at once; defaults filled in; `required` inside `if/then` allowed. */
const CONFIG: Options = { allErrors: true, useDefaults: true, strict: true, strictRequired: false };

/** The schemas (files in schemas/) compiled at build time, with the ajv options their callers rely on. */
export const COMPILED_SCHEMAS = {
  'connection-config.schema.json': { ...CONFIG, coerceTypes: true },
  'tap-config.schema.json': CONFIG,
  'target-config.schema.json': CONFIG,
  'singer-catalog.schema.json': { allErrors: false, strict: false },
  'emulator-faults.schema.json': { allErrors: true, strict: false },
  'emulator-seed.schema.json': { allErrors: true, strict: true, allowUnionTypes: true },
} as const satisfies Record<string, Options>;

export type CompiledSchemaFile = keyof typeof COMPILED_SCHEMAS;

/** Where the build writes the checker of `schemas/<file>`: dist/src/compiled-schemas/<name>.cjs. */
export const compiledModulePath = (file: CompiledSchemaFile): string =>
  fileURLToPath(new URL(`./compiled-schemas/${file.replace(/\.json$/, '.cjs')}`, import.meta.url));

const requireCompiled = createRequire(import.meta.url);

/** The checker compiled from `schemas/<file>` (loaded once; the same function on every call). */
export function compiledValidator(file: CompiledSchemaFile): ValidateFunction {
  try {
    return requireCompiled(compiledModulePath(file)) as ValidateFunction;
  } catch (e) {
    throw new Error(`the checker for schemas/${file} is missing from this build (npm run build compiles it): ${(e as Error).message}`);
  }
}
