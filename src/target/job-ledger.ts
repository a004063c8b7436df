// The target's memory across runs and crashes: one SQLite file (WAL) under state_dir holding every chunk, its job
// id and phase, every row's place and outcome, transient failures carried to the next run, and skip_unchanged
// hashes. Each step is written here before it is taken, so a run killed at any moment can be resumed from it. While
// a chunk spools, its row places live in its own places file (row-places.ts), which is the durable record until the
// ledger imports it (indexRows).
// SQLite because one transaction covers a chunk's whole reconciliation (a kill mid-way leaves nothing half-done),
// lookups by row hash stay on disk instead of in memory, and WAL gives durable commits without an fsync per row.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { failpoint } from './failpoint.js';
import { ConnectorError } from '../streams/connector-errors.js';
import { readRowPlaces, spoolMismatch } from './row-places.js';
import { ROW_HASH_SCHEME } from './row-hash.js';

/**
 * A chunk's phase. `open`: being written; `spooled`: on disk, not sent; `job_created`: a job holds (or is receiving)
 * its upload; `closed`: UploadComplete sent; `done`: every row has its outcome; `pending`: to be sent (retry rows,
 * or carried to the next run); `building`: a retry or sorted copy being written (dropped on recovery).
 */
export type ChunkPhase = 'open' | 'building' | 'spooled' | 'job_created' | 'closed' | 'done' | 'pending';

/** A row's outcome: loaded, failed for good, failed but worth another job, or moved into a retry chunk. */
export type RowOutcome = 'ok' | 'failed' | 'transient' | 'retried' | 'skipped';

/** What a chunk loads, where and how: fixed when the chunk is made. */
export interface ChunkTarget {
  readonly stream: string;
  readonly object: string;
  readonly operation: string;
  readonly externalId: string | null;
  readonly lineEnding: 'LF' | 'CRLF';
  readonly attempt: number;
}

export interface ChunkRecord extends ChunkTarget {
  readonly id: number;
  readonly runId: number;
  readonly csvPath: string;
  readonly sidePath: string;
  /** The chunk's row places (row-places.ts), imported into chunk_rows when first needed. */
  readonly placesPath: string;
  /** Whether chunk_rows holds the chunk's rows (imported from its places file, or written by an older version). */
  readonly rowsIndexed: boolean;
  readonly rows: number;
  readonly bytes: number;
  readonly phase: ChunkPhase;
  readonly jobId: string | null;
  readonly notBefore: number;
  /** Lock errors dominated this chunk's parent: run its job alone, rows grouped by parent. */
  readonly serial: boolean;
}

export interface RowPlace {
  readonly row: number;
  readonly hash: string;
  readonly parentKey: string | null;
  /** The record's key (external id or Id) for skip_unchanged, when it has one. */
  readonly key: string | null;
  readonly csvOffset: number;
  readonly csvLength: number;
  readonly sideOffset: number;
  readonly sideLength: number;
}

export interface RowState extends RowPlace {
  readonly outcome: RowOutcome | null;
  readonly error: string | null;
}

interface ChunkRowDb {
  id: number; run_id: number; stream: string; object: string; operation: string; external_id: string | null;
  line_ending: 'LF' | 'CRLF'; attempt: number; csv_path: string; side_path: string; places_path: string; rows_indexed: number;
  rows: number; bytes: number; phase: ChunkPhase; job_id: string | null; not_before: number; serial: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, stream TEXT NOT NULL, object TEXT NOT NULL, operation TEXT NOT NULL,
  external_id TEXT, line_ending TEXT NOT NULL, attempt INTEGER NOT NULL, csv_path TEXT NOT NULL, side_path TEXT NOT NULL,
  rows INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0, phase TEXT NOT NULL, job_id TEXT,
  not_before INTEGER NOT NULL DEFAULT 0, serial INTEGER NOT NULL DEFAULT 0, places_path TEXT NOT NULL DEFAULT '',
  rows_indexed INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS chunk_rows (
  chunk_id INTEGER NOT NULL, row_no INTEGER NOT NULL, hash TEXT NOT NULL, parent_key TEXT,
  csv_off INTEGER NOT NULL, csv_len INTEGER NOT NULL, side_off INTEGER NOT NULL, side_len INTEGER NOT NULL,
  row_key TEXT, outcome TEXT, error TEXT, consumed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (chunk_id, row_no)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS result_rows (chunk_id INTEGER NOT NULL, hash TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT);
CREATE TABLE IF NOT EXISTS loaded_hashes (object TEXT NOT NULL, key TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (object, key)) WITHOUT ROWID;
`;

function chunkOf(r: ChunkRowDb): ChunkRecord {
  return {
    id: r.id, runId: r.run_id, stream: r.stream, object: r.object, operation: r.operation, externalId: r.external_id,
    lineEnding: r.line_ending, attempt: r.attempt, csvPath: r.csv_path, sidePath: r.side_path, placesPath: r.places_path,
    rowsIndexed: r.rows_indexed === 1, rows: r.rows, bytes: r.bytes,
    phase: r.phase, jobId: r.job_id, notBefore: r.not_before, serial: r.serial === 1,
  };
}

const ROWS_PER_INSERT = 1000;

export interface NewChunk extends ChunkTarget {
  readonly phase: ChunkPhase;
  readonly notBefore?: number;
  readonly serial?: boolean;
  /** Where its files go (a retry chunk, a sorted copy); otherwise named after the chunk's id. */
  readonly paths?: { readonly csv: string; readonly side: string; readonly places: string };
  readonly rows?: number;
  readonly bytes?: number;
}

export class JobLedger {
  readonly db: Database.Database;
  readonly chunkDir: string;
  readonly runId: number;
  private readonly insertRowStmt: Database.Statement;
  private readonly insertManyStmt: Database.Statement;
  private readonly findReusableStmt: Database.Statement;
  private readonly consumeStmt: Database.Statement;
  private reusable = new Set<string>();

  private constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.chunkDir = join(dir, 'chunks');
    mkdirSync(this.chunkDir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(dir, 'ledger.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives the process being killed (it is in the WAL); only a power cut may
    // lose the last commits, and every step is re-derived from the server's job state on resume anyway.
    this.db.pragma('synchronous = NORMAL');
    // Native memory stays small and flat: better-sqlite3 builds with a 16 MB page cache per connection (4 MB here), which the
    // ledger's append-mostly access does not need (the OS caches the file anyway); the WAL file is cut back after
    // each checkpoint instead of keeping its high-water size on disk.
    this.db.pragma('cache_size = -4000');
    // Reconciliation's temp tables: on disk, with a cache as small as the main one.
    this.db.pragma('temp_store = FILE');
    this.db.pragma('temp.cache_size = -4000');
    this.db.pragma('journal_size_limit = 67108864');
    this.db.exec(SCHEMA);
    // A ledger written before chunks had places files: its chunks' rows are all in chunk_rows already.
    const columns = new Set((this.db.prepare(`PRAGMA table_info(chunks)`).all() as { name: string }[]).map((c) => c.name));
    if (!columns.has('places_path')) this.db.exec(`ALTER TABLE chunks ADD COLUMN places_path TEXT NOT NULL DEFAULT ''`);
    if (!columns.has('rows_indexed')) this.db.exec(`ALTER TABLE chunks ADD COLUMN rows_indexed INTEGER NOT NULL DEFAULT 1`);
    this.checkHashScheme();
    this.runId = Number(this.db.prepare(`INSERT INTO runs (started_at) VALUES (?)`).run(new Date().toISOString()).lastInsertRowid);
    this.insertRowStmt = this.db.prepare(
      `INSERT INTO chunk_rows (chunk_id, row_no, hash, parent_key, row_key, csv_off, csv_len, side_off, side_len, outcome, error) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insertManyStmt = this.db.prepare(
      `INSERT INTO chunk_rows (chunk_id, row_no, hash, parent_key, row_key, csv_off, csv_len, side_off, side_len, outcome) VALUES ${Array.from({ length: ROWS_PER_INSERT }, () => '(?,?,?,?,?,?,?,?,?,?)').join(',')}`,
    );
    this.findReusableStmt = this.db.prepare(
      `SELECT r.chunk_id AS c, r.row_no AS n FROM chunk_rows r JOIN chunks k ON k.id = r.chunk_id
       WHERE r.hash = ? AND r.consumed = 0 AND k.stream = ? AND k.run_id < ? AND k.attempt = 1 AND k.phase = 'done' LIMIT 1`,
    );
    this.consumeStmt = this.db.prepare(`UPDATE chunk_rows SET consumed = 1 WHERE chunk_id = ? AND row_no = ?`);
  }

  /**
   * Hashes written under another row-hash scheme would match nothing this version computes: re-sent rows would go
   * unrecognised (sent twice) and result rows would not reconcile. A ledger with chunks of another scheme is
   * refused; one with only skip_unchanged hashes loses them (those rows are sent once more, never skipped wrongly).
   */
  private checkHashScheme(): void {
    if (this.db.pragma('user_version', { simple: true }) === ROW_HASH_SCHEME) return;
    const chunks = this.db.prepare(`SELECT count(*) FROM chunks`).pluck().get() as number;
    if (chunks > 0) {
      this.db.close();
      throw new ConnectorError(
        'CONFIG_INVALID',
        `state_dir ${this.dir} holds ${chunks} chunks of a run by an older target-salesforce-bulk, whose row hashes this version cannot match: finish that run with the version that started it, or remove the directory (the rows it sent may then be sent again)`,
        { where: 'state_dir' },
      );
    }
    this.db.exec(`DELETE FROM loaded_hashes; PRAGMA user_version = ${ROW_HASH_SCHEME}`);
  }

  static open(dir: string): JobLedger {
    return new JobLedger(dir);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Chunks of earlier runs that did not finish, and chunks carried over as pending, oldest first. */
  unfinishedChunks(): ChunkRecord[] {
    return (this.db.prepare(`SELECT * FROM chunks WHERE run_id < ? AND phase != 'done' ORDER BY id`).all(this.runId) as ChunkRowDb[]).map(chunkOf);
  }

  chunk(id: number): ChunkRecord {
    return chunkOf(this.db.prepare(`SELECT * FROM chunks WHERE id = ?`).get(id) as ChunkRowDb);
  }

  /** Registers a chunk; its files are named after its id. Its rows come with its places file. */
  addChunk(c: NewChunk): ChunkRecord {
    const info = this.db
      .prepare(`INSERT INTO chunks (run_id, stream, object, operation, external_id, line_ending, attempt, csv_path, side_path, phase, not_before, serial) VALUES (?,?,?,?,?,?,?,'','',?,?,?)`)
      .run(this.runId, c.stream, c.object, c.operation, c.externalId, c.lineEnding, c.attempt, c.phase, c.notBefore ?? 0, c.serial ? 1 : 0);
    const id = Number(info.lastInsertRowid);
    const csvPath = c.paths?.csv ?? join(this.chunkDir, `${id}.csv`);
    const sidePath = c.paths?.side ?? join(this.chunkDir, `${id}.jsonl`);
    const placesPath = c.paths?.places ?? join(this.chunkDir, `${id}.places`);
    this.db
      .prepare(`UPDATE chunks SET csv_path = ?, side_path = ?, places_path = ?, rows_indexed = 0, rows = ?, bytes = ? WHERE id = ?`)
      .run(csvPath, sidePath, placesPath, c.rows ?? 0, c.bytes ?? 0, id);
    return this.chunk(id);
  }

  /**
   * Puts the chunk's rows into chunk_rows from its places file, once: one transaction imports them and marks the
   * chunk indexed, so a kill mid-way leaves nothing and the import simply runs again. Called before anything reads
   * a chunk's rows (the parent sort, reconciliation); a chunk is never `done` without it, so a re-run's reuse of
   * rows an earlier run sent (prepareReuse) always finds them here.
   */
  indexRows(chunkId: number): void {
    const c = this.chunk(chunkId);
    if (c.rowsIndexed) return;
    this.tx(() => {
      this.db.prepare(`DELETE FROM chunk_rows WHERE chunk_id = ?`).run(chunkId);
      let rows = 0;
      for (const page of readRowPlaces(c.placesPath, c)) {
        this.addRows(chunkId, page);
        rows += page.length;
      }
      // Sealed chunks know their row count: count twice.
      if (c.phase !== 'open' && c.phase !== 'building' && rows !== c.rows) {
        throw spoolMismatch(c.placesPath, `chunk ${chunkId}'s places file holds ${rows} rows, the ledger says ${c.rows}`);
      }
      failpoint('rows-imported');
      this.db.prepare(`UPDATE chunks SET rows_indexed = 1 WHERE id = ?`).run(chunkId);
    });
  }

  /** The chunk's files were rewritten (a sorted copy took their place): its rows come again from its places file. */
  forgetRows(chunkId: number): void {
    this.tx(() => {
      this.db.prepare(`DELETE FROM chunk_rows WHERE chunk_id = ?`).run(chunkId);
      this.db.prepare(`UPDATE chunks SET rows_indexed = 0 WHERE id = ?`).run(chunkId);
    });
  }

  /** Records where rows landed in a chunk (one transaction per call). */
  addRows(chunkId: number, places: readonly RowPlace[], outcome: RowOutcome | null = null): void {
    this.tx(() => {
      let i = 0;
      // Many rows per statement: the per-call cost between JavaScript and SQLite dominates single-row inserts.
      for (; i + ROWS_PER_INSERT <= places.length; i += ROWS_PER_INSERT) {
        const values: unknown[] = [];
        for (let k = i; k < i + ROWS_PER_INSERT; k++) {
          const p = places[k]!;
          values.push(chunkId, p.row, p.hash, p.parentKey, p.key, p.csvOffset, p.csvLength, p.sideOffset, p.sideLength, outcome);
        }
        this.insertManyStmt.run(values);
      }
      for (; i < places.length; i++) {
        const p = places[i]!;
        this.insertRowStmt.run(chunkId, p.row, p.hash, p.parentKey, p.key, p.csvOffset, p.csvLength, p.sideOffset, p.sideLength, outcome, null);
      }
    });
  }

  setSealed(chunkId: number, rows: number, bytes: number, phase: 'spooled' | 'pending' = 'spooled'): void {
    this.db.prepare(`UPDATE chunks SET rows = ?, bytes = ?, phase = ? WHERE id = ?`).run(rows, bytes, phase, chunkId);
  }

  setPhase(chunkId: number, phase: ChunkPhase): void {
    this.db.prepare(`UPDATE chunks SET phase = ? WHERE id = ?`).run(phase, chunkId);
  }

  setJob(chunkId: number, jobId: string | null, phase: ChunkPhase): void {
    this.db.prepare(`UPDATE chunks SET job_id = ?, phase = ? WHERE id = ?`).run(jobId, phase, chunkId);
  }

  dropChunk(chunkId: number): void {
    this.tx(() => {
      this.db.prepare(`DELETE FROM chunk_rows WHERE chunk_id = ?`).run(chunkId);
      this.db.prepare(`DELETE FROM chunks WHERE id = ?`).run(chunkId);
    });
  }

  /**
   * Rows of a chunk with the given outcome, in pages (the connection cannot write while a query is open), grouped
   * by parent when asked: the sort happens on disk, in SQLite.
   */
  *rowsWithOutcome(chunkId: number, outcome: RowOutcome | null, byParent = false, pageSize = 5000): Generator<RowState[]> {
    const cols = `row_no AS row, hash, parent_key AS parentKey, row_key AS key, csv_off AS csvOffset, csv_len AS csvLength, side_off AS sideOffset, side_len AS sideLength, outcome, error`;
    if (!byParent) {
      // In row order the primary key pages the rows: each page starts where the last one ended.
      const page = this.db.prepare(`SELECT ${cols} FROM chunk_rows WHERE chunk_id = ? AND outcome IS ? AND row_no > ? ORDER BY row_no LIMIT ?`);
      for (let after = -1; ; ) {
        const rows = page.all(chunkId, outcome, after, pageSize) as RowState[];
        if (!rows.length) return;
        after = rows[rows.length - 1]!.row;
        yield rows;
      }
    }
    // By parent, the chunk is sorted once into a numbered temp table (on disk: temp_store is FILE) and paged by
    // number; paging the sort itself would sort the whole chunk again for every page.
    const table = `temp.rows_by_parent_${++this.sortSeq}`;
    this.db.exec(`CREATE TABLE ${table} (seq INTEGER PRIMARY KEY, row INTEGER, hash TEXT, parentKey TEXT, key TEXT, csvOffset INTEGER, csvLength INTEGER, sideOffset INTEGER, sideLength INTEGER, outcome TEXT, error TEXT)`);
    try {
      this.db
        .prepare(`INSERT INTO ${table} SELECT row_number() OVER (ORDER BY coalesce(parent_key, ''), row_no), ${cols} FROM chunk_rows WHERE chunk_id = ? AND outcome IS ?`)
        .run(chunkId, outcome);
      const page = this.db.prepare(`SELECT row, hash, parentKey, key, csvOffset, csvLength, sideOffset, sideLength, outcome, error FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`);
      for (let after = 0; ; after += pageSize) {
        const rows = page.all(after, pageSize) as RowState[];
        if (!rows.length) return;
        yield rows;
      }
    } finally {
      this.db.exec(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  private sortSeq = 0;

  /** Counts of a chunk's rows by outcome. */
  outcomeCounts(chunkId: number): Partial<Record<RowOutcome | 'none', number>> {
    const out: Partial<Record<RowOutcome | 'none', number>> = {};
    for (const r of this.db.prepare(`SELECT coalesce(outcome, 'none') AS o, count(*) AS n FROM chunk_rows WHERE chunk_id = ? GROUP BY 1`).all(chunkId) as { o: RowOutcome | 'none'; n: number }[]) out[r.o] = r.n;
    return out;
  }

  /** Clears what an earlier, interrupted reading of this chunk's results left. */
  startResults(chunkId: number): void {
    this.tx(() => {
      this.db.prepare(`DELETE FROM result_rows WHERE chunk_id = ?`).run(chunkId);
      this.db.prepare(`UPDATE chunk_rows SET outcome = NULL, error = NULL WHERE chunk_id = ? AND (outcome IS NULL OR outcome != 'skipped')`).run(chunkId);
    });
  }

  /** Appends a page of result rows (no index is maintained while they arrive). */
  addResults(chunkId: number, batch: readonly { hash: string; outcome: RowOutcome; error: string | null }[]): void {
    const st = (this.insertResult ??= this.db.prepare(`INSERT INTO result_rows (chunk_id, hash, outcome, error) VALUES (?,?,?,?)`));
    this.tx(() => {
      for (const b of batch) st.run(chunkId, b.hash, b.outcome, b.error);
    });
  }

  private insertResult: Database.Statement | undefined;

  /**
   * Gives every result row's outcome to exactly one uploaded row with the same values: the n-th result row with a
   * given hash goes to the n-th uploaded row with that hash. Returns how many result rows matched no uploaded row,
   * and how many uploaded rows got no outcome.
   *
   * Set-based, through temp tables (not one join of subqueries): SQLite materializes a subquery of a join, and its
   * automatic index, in ephemeral tables that each cache up to 16 MB (the compiled-in default, which no pragma
   * changes), so one join of two 500k-row sets took ~65 MB of native memory. Temp tables cache `temp.cache_size`
   * and spill to a file; each is filled in its key order, so every insert appends.
   */
  finishResults(chunkId: number): { stray: number; unmatched: number } {
    return this.tx(() => {
      this.db.exec(`DROP TABLE IF EXISTS temp.match_up; DROP TABLE IF EXISTS temp.match_res; DROP TABLE IF EXISTS temp.match_out;
        CREATE TEMP TABLE match_up (hash TEXT NOT NULL, k INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (hash, k)) WITHOUT ROWID;
        CREATE TEMP TABLE match_res (hash TEXT NOT NULL, k INTEGER NOT NULL, outcome TEXT NOT NULL, error TEXT, PRIMARY KEY (hash, k)) WITHOUT ROWID;
        CREATE TEMP TABLE match_out (row_no INTEGER PRIMARY KEY, outcome TEXT NOT NULL, error TEXT);`);
      this.db.prepare(`INSERT INTO match_up SELECT hash, row_number() OVER (PARTITION BY hash ORDER BY row_no), row_no FROM chunk_rows WHERE chunk_id = ? AND outcome IS NULL`).run(chunkId);
      this.db.prepare(`INSERT INTO match_res SELECT hash, row_number() OVER (PARTITION BY hash ORDER BY rowid), outcome, error FROM result_rows WHERE chunk_id = ?`).run(chunkId);
      const matched = this.db.prepare(`INSERT INTO match_out SELECT u.row_no, r.outcome, r.error FROM match_up u JOIN match_res r USING (hash, k)`).run().changes;
      this.db.prepare(`UPDATE chunk_rows SET outcome = o.outcome, error = o.error FROM match_out o WHERE chunk_rows.chunk_id = ? AND chunk_rows.row_no = o.row_no`).run(chunkId);
      this.db.exec(`DROP TABLE temp.match_up; DROP TABLE temp.match_res; DROP TABLE temp.match_out;`);
      const results = this.db.prepare(`SELECT count(*) FROM result_rows WHERE chunk_id = ?`).pluck().get(chunkId) as number;
      this.db.prepare(`DELETE FROM result_rows WHERE chunk_id = ?`).run(chunkId);
      const unmatched = this.db.prepare(`SELECT count(*) FROM chunk_rows WHERE chunk_id = ? AND outcome IS NULL`).pluck().get(chunkId) as number;
      return { stray: results - matched, unmatched };
    });
  }

  /** The chunk's transient rows now live in a retry chunk. */
  retryTransientRows(chunkId: number): void {
    this.db.prepare(`UPDATE chunk_rows SET outcome = 'retried' WHERE chunk_id = ? AND outcome = 'transient'`).run(chunkId);
  }

  /**
   * Rows an earlier, unfinished run already sent (for a re-run with the same input): the streams that have some.
   * Each re-run may consume every such row once.
   */
  prepareReuse(): void {
    this.db.prepare(`UPDATE chunk_rows SET consumed = 0 WHERE chunk_id IN (SELECT id FROM chunks WHERE run_id < ?)`).run(this.runId);
    const streams = this.db.prepare(`SELECT DISTINCT stream FROM chunks WHERE run_id < ? AND attempt = 1 AND phase = 'done'`).pluck().all(this.runId) as string[];
    this.reusable = new Set(streams);
    // Built in one pass only when a re-run needs it: kept up to date row by row it would slow every spooled row.
    if (streams.length) this.db.exec(`CREATE INDEX IF NOT EXISTS chunk_rows_hash ON chunk_rows (hash)`);
  }

  /** Whether takeSentRow may find rows of this stream (else a row's hash is not needed to ask). */
  mayReuse(stream: string): boolean {
    return this.reusable.has(stream);
  }

  /** True when an earlier unfinished run already sent an identical row of this stream (and it is consumed now). */
  takeSentRow(stream: string, hash: string): boolean {
    if (!this.reusable.has(stream)) return false;
    const hit = this.findReusableStmt.get(hash, stream, this.runId) as { c: number; n: number } | undefined;
    if (!hit) return false;
    this.consumeStmt.run(hit.c, hit.n);
    return true;
  }

  /** The run ended with every row accounted for: forget its chunks (pending ones stay for the next run). */
  finishRun(): void {
    this.tx(() => {
      this.db.prepare(`DELETE FROM chunk_rows WHERE chunk_id IN (SELECT id FROM chunks WHERE phase != 'pending')`).run();
      this.db.prepare(`DELETE FROM chunks WHERE phase != 'pending'`).run();
      this.db.exec(`DROP INDEX IF EXISTS chunk_rows_hash`);
      this.db.prepare(`UPDATE runs SET finished_at = ? WHERE id <= ? AND finished_at IS NULL`).run(new Date().toISOString(), this.runId);
    });
  }

  pendingCount(): number {
    return this.db.prepare(`SELECT coalesce(sum(rows), 0) FROM chunks WHERE phase = 'pending'`).pluck().get() as number;
  }

  /** skip_unchanged: the hash of a row's mapped values at its last confirmed load. */
  loadedHash(object: string, key: string): string | undefined {
    return this.db.prepare(`SELECT hash FROM loaded_hashes WHERE object = ? AND key = ?`).pluck().get(object, key) as string | undefined;
  }

  /** Stores the hashes of a chunk's confirmed rows (only rows Salesforce reported loaded). */
  rememberLoaded(chunkId: number, object: string): void {
    this.db
      .prepare(`INSERT INTO loaded_hashes (object, key, hash) SELECT ?, row_key, hash FROM chunk_rows WHERE chunk_id = ? AND outcome = 'ok' AND row_key IS NOT NULL AND row_key != '' ON CONFLICT (object, key) DO UPDATE SET hash = excluded.hash`)
      .run(object, chunkId);
  }
  // Create intents: the time a job create is sent, written before the request, so a run killed before the reply
  // reached the ledger can find the job it left Open. A table of its own, created on first use (older ledgers
  // simply lack it).
  private intentsReady = false;
  private intentTable(): void {
    if (this.intentsReady) return;
    this.db.exec(`CREATE TABLE IF NOT EXISTS create_intents (chunk_id INTEGER PRIMARY KEY, object TEXT NOT NULL, operation TEXT NOT NULL, sent_at INTEGER NOT NULL)`);
    this.intentsReady = true;
  }

  /** A job create for the chunk is about to be sent, at `sentAtMs` on the server's clock. */
  recordCreateIntent(chunk: Pick<ChunkRecord, 'id' | 'object' | 'operation'>, sentAtMs: number): void {
    this.intentTable();
    this.db.prepare(`INSERT OR REPLACE INTO create_intents (chunk_id, object, operation, sent_at) VALUES (?, ?, ?, ?)`).run(chunk.id, chunk.object, chunk.operation, sentAtMs);
  }

  /** Creates sent without their answer reaching the ledger (by a run that was killed). */
  createIntents(): { chunkId: number; object: string; operation: string; sentAt: number }[] {
    this.intentTable();
    return this.db.prepare(`SELECT chunk_id AS chunkId, object, operation, sent_at AS sentAt FROM create_intents ORDER BY chunk_id`).all() as {
      chunkId: number; object: string; operation: string; sentAt: number;
    }[];
  }

  clearCreateIntent(chunkId: number): void {
    this.intentTable();
    this.db.prepare(`DELETE FROM create_intents WHERE chunk_id = ?`).run(chunkId);
  }

  /** The create was answered: its job replaces the intent, in one transaction. */
  setCreatedJob(chunkId: number, jobId: string): void {
    this.intentTable();
    this.tx(() => {
      this.setJob(chunkId, jobId, 'job_created');
      this.clearCreateIntent(chunkId);
    });
  }

  /** Whether any chunk in the ledger holds this job. */
  holdsJob(jobId: string): boolean {
    return this.db.prepare(`SELECT 1 FROM chunks WHERE job_id = ? LIMIT 1`).pluck().get(jobId) !== undefined;
  }
  // Failed-rows marks: the failed-rows files' lengths before a chunk's permanent failures were appended, cleared in
  // the transaction that marks the chunk done. A mark still present on a re-run means the rows may have been written
  // and not recorded: the files are cut back to it before the rows are written again.
  private marksReady = false;
  private markTable(): void {
    if (this.marksReady) return;
    this.db.exec(`CREATE TABLE IF NOT EXISTS failed_rows_marks (chunk_id INTEGER PRIMARY KEY, mark TEXT NOT NULL)`);
    this.marksReady = true;
  }

  setFailedRowsMark(chunkId: number, mark: unknown): void {
    this.markTable();
    this.db.prepare(`INSERT OR REPLACE INTO failed_rows_marks (chunk_id, mark) VALUES (?, ?)`).run(chunkId, JSON.stringify(mark));
  }

  failedRowsMark(chunkId: number): unknown {
    this.markTable();
    const text = this.db.prepare(`SELECT mark FROM failed_rows_marks WHERE chunk_id = ?`).pluck().get(chunkId) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  clearFailedRowsMark(chunkId: number): void {
    this.markTable();
    this.db.prepare(`DELETE FROM failed_rows_marks WHERE chunk_id = ?`).run(chunkId);
  }
}
