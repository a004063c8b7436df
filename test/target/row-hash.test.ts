// Row hashes: a spooled row is hashed from its CSV line, a result row from its cells, and both must agree for any
// cells; different rows never share a hash; a ledger of another hash scheme is never matched against.
import t from 'tap';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvLine } from '../../src/streams/csv-chunker.js';
import { ConnectorError } from '../../src/streams/connector-errors.js';
import { JobLedger } from '../../src/target/job-ledger.js';
import { ROW_HASH_SCHEME, rowHash, rowHashOfLine } from '../../src/target/row-hash.js';

const cells = fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 });

t.test('the hash of a spooled line equals the hash of its cells, with either line ending', async (t) => {
  fc.assert(
    fc.property(cells, (c) => {
      const h = rowHash(c);
      return /^[A-Za-z0-9+/]{22}$/.test(h) && rowHashOfLine(csvLine(c, 'LF'), 'LF') === h && rowHashOfLine(csvLine(c, 'CRLF'), 'CRLF') === h;
    }),
    { numRuns: 2000 },
  );
  // Pinned: the ledger stores these, so the scheme must not drift without ROW_HASH_SCHEME changing.
  t.equal(rowHash(['a', 'b,c']), 'JHZPr6ZbxH/LJtPHnwRx3D');
});

t.test('different rows of the same width get different hashes', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.array(fc.string(), { minLength: n, maxLength: n }), fc.array(fc.string(), { minLength: n, maxLength: n }))),
      ([a, b]) => (a.join('\u0001') === b.join('\u0001') && a.every((x, i) => x === b[i])) || rowHash(a) !== rowHash(b),
    ),
    { numRuns: 2000 },
  );
  // What joining with NUL (scheme 1) could not tell apart.
  t.not(rowHash(['a\u0000b', '']), rowHash(['a', 'b\u0000']));
  t.not(rowHash(['a,b', 'c']), rowHash(['a', 'b,c']));
});

t.test('a ledger of another row-hash scheme: refused with chunks, its skip_unchanged hashes dropped without', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hash-scheme-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const older = (sub: string, fill: (l: JobLedger) => void): string => {
    const d = join(dir, sub);
    const l = JobLedger.open(d);
    fill(l);
    l.close();
    const db = new Database(join(d, 'ledger.sqlite'));
    db.pragma('user_version = 1');
    db.close();
    return d;
  };

  const withChunks = older('chunks', (l) => l.addChunk({ stream: 's', object: 'Account', operation: 'insert', externalId: null, lineEnding: 'LF', attempt: 1, phase: 'spooled' }));
  let refused: unknown;
  try {
    JobLedger.open(withChunks).close();
  } catch (e) {
    refused = e;
  }
  t.ok(refused instanceof ConnectorError, 'refused with a ConnectorError');
  t.match(refused, { code: 'CONFIG_INVALID', where: 'state_dir', message: /holds 1 chunks of a run by an older target-salesforce-bulk/ });

  const withHashes = older('hashes', (l) => l.db.prepare(`INSERT INTO loaded_hashes (object, key, hash) VALUES ('Account', 'K1', 'old')`).run());
  const l = JobLedger.open(withHashes);
  t.equal(l.loadedHash('Account', 'K1'), undefined, 'an old-scheme hash is never compared');
  t.equal(l.db.pragma('user_version', { simple: true }), ROW_HASH_SCHEME);
  l.close();

  const fresh = JobLedger.open(join(dir, 'fresh'));
  t.equal(fresh.db.pragma('user_version', { simple: true }), ROW_HASH_SCHEME);
  fresh.close();
});
