// The binaries package.json lists are built as one file each (scripts/bundle-binaries.mjs): nothing but Node's own
// modules and better-sqlite3 is loaded from elsewhere, and the source map still leads to src/.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';

const ROOT = packageRoot();
const { bin } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

for (const [name, entry] of Object.entries(bin)) {
  t.test(`${name} (${entry})`, async (t) => {
    const code = readFileSync(join(ROOT, entry), 'utf8');
    t.ok(code.startsWith('#!/usr/bin/env node\n'), 'runs as a command');
    // esbuild writes the imports it leaves as statements at the start of a line
    const specifiers = [...code.matchAll(/^import\s(?:[^;'"]*?\sfrom\s*)?["']([^"']+)["'];?$/gm)].map((m) => m[1]!);
    t.ok(specifiers.length > 0, 'the scan finds the imports that are left');
    t.same(
      [...new Set(specifiers.filter((s) => !s.startsWith('node:')))].sort(),
      entry.includes('target') ? ['better-sqlite3'] : [],
      'only Node modules, and the native better-sqlite3 where the ledger needs it',
    );
    const map = JSON.parse(readFileSync(join(ROOT, `${entry}.map`), 'utf8')) as { sources: string[] };
    t.ok(map.sources.some((s) => s.endsWith(`src/${entry.split('/')[2]}/cli.ts`)), 'the source map leads to the TypeScript source');
  });
}
