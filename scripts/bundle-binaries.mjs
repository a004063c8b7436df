// Build step after tsc: each binary package.json lists ("bin") becomes one file, in place, with esbuild. A start then
// reads one module instead of some 150 (undici, commander, csv-parse, ajv's runtime, the project's own): a small
// target run took 0.81 CPU-seconds before, 0.69 after; a small tap sync 0.79, then 0.61; the suite 224 s, then 207 s
// on 2 cores. better-sqlite3 (native) stays a package; the target's block-worker.js is loaded from beside the
// bundle as before; the source maps chain to src/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const entry of Object.values(bin)) {
  const file = join(root, entry);
  await build({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    sourcemap: true,
    // The bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
