// Spooling: a stream that may need to be sent more than once is first written to a temporary file,
// so every attempt re-reads the same bytes from disk (a stream read once is spent).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface SpooledFile {
  readonly path: string;
  readonly bytes: number;
  /** Removes the file (and its folder). Safe to call twice. */
  remove(): Promise<void>;
}

export async function spoolToFile(source: Readable, options: { readonly dir?: string; readonly signal?: AbortSignal; readonly name?: string } = {}): Promise<SpooledFile> {
  const folder = await mkdtemp(join(options.dir ?? tmpdir(), 'sf-bulk-'));
  const path = join(folder, options.name ?? 'spool');
  const remove = async (): Promise<void> => {
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await pipeline(source, createWriteStream(path), { signal: options.signal });
    const { size } = await stat(path);
    return { path, bytes: size, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}
