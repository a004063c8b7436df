// One run of the target: recover what an earlier run left in the ledger, then read Singer messages, validate and
// map each record, keep rows that would certainly fail out of the upload, cut the rest into spooled chunks, run
// each chunk's job, reconcile, dead-letter or retry, and let STATE out only when it is durable.
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { BulkClient, isSalesforceError, redactingLogger, Redactor, sleep, type Logger } from '../bulk/index.js';
import { ConnectorError, EXIT_CODES, type ConnectorErrorCode } from '../streams/connector-errors.js';
import { CsvChunker, CsvChunkWriter, csvLine, type CsvLineEnding } from '../streams/csv-chunker.js';
import { lineBlocks } from '../streams/line-blocks.js';
import { parseSingerLine } from '../streams/singer-reader.js';
import type { JsonSchema, JsonValue, RecordMessage, SchemaMessage } from '../streams/singer-messages.js';
import { SchemaValidators } from '../streams/schema-validators.js';
import { ITEM_BAD_LINE, ITEM_MESSAGE, ITEM_ROW, mayHoldSchema, rowEnding, stringAt, transformBlock, type BlockResult, type PlanUpdate } from './block-transform.js';
import { BlockWorkers } from './block-workers.js';
import { abortLeftoverJobs, runChunkJob, type ReconcileCounts } from './chunk-job.js';
import { deadLetterFailed, finishChunk, removeChunkFiles, sortChunkByParent } from './chunk-outcomes.js';
import { errorCode, FailedRows } from './failed-rows.js';
import { JobLedger, type ChunkRecord } from './job-ledger.js';
import { JobScheduler } from './job-scheduler.js';
import { lineBytesPlan, type LineBytesPlan } from './line-bytes-plan.js';
import { LineBytesRows } from './line-bytes-row.js';
import { QuotaGuard } from './quota-guard.js';
import { buildRow, isRefused, nullCellFor, type BuiltRow, type RefusedRow } from './record-row.js';
import { rowHashOfLfBytes } from './row-hash.js';
import { RowPlaceLog } from './row-places.js';
import { RunReport, type RunSummary, type StreamCounts } from './run-report.js';
import { StateGate } from './state-gate.js';
import { planStream, type DescribeSource, type StreamPlan } from './stream-plan.js';
import type { TargetConfig, TargetSettings } from './target-config.js';

export interface RunOptions {
  readonly config: TargetConfig;
  readonly input: Readable;
  readonly stdout: (line: string) => void;
  readonly logger: Logger;
  readonly dryRun?: boolean;
  readonly summaryFile?: string;
  /** Fires on SIGINT/SIGTERM. */
  readonly interrupt?: AbortSignal;
  readonly report?: RunReport;
  /** false: every line through JSON.parse (tests compare the byte-level row builder with it). */
  readonly byteRows?: boolean;
  /** Threads that parse and build rows (0: all on the reader's thread), for tests and the bench; else config key transform_threads. */
  readonly workers?: number;
  /** Input block handed to a transform thread; input up to `inlineBytes` is built on the reader's thread (small inputs start no thread). */
  readonly blockBytes?: number;
  readonly inlineBytes?: number;
  /**
   * For the transform bench and tests: describe comes from here instead of the org, nothing is recovered and no
   * job starts; sealed chunks stay in state_dir and count as accounted for (so STATE still moves).
   */
  readonly spoolOnly?: { readonly describe: DescribeSource };
}

/** Blocks in flight per transform thread: a few queued behind the one being built. */
const BLOCKS_PER_WORKER = 4;

/**
 * Input per block for the transform threads: blocks and their CSV are bytes that move between threads (outside
 * the JavaScript heap), so fewer, larger blocks cost fewer messages. Measured in bench/target-transform.mjs.
 */
const BLOCK_BYTES = 1 << 18;

interface OpenChunk {
  readonly writer: CsvChunkWriter;
  readonly record: ChunkRecord;
  readonly hold: number;
  readonly openedAt: number;
  /** The chunk's places file: each row's place goes straight into its buffer (no ledger row while spooling). */
  readonly places: RowPlaceLog;
}

interface Sink {
  readonly stream: string;
  readonly properties: string[];
  plan: StreamPlan | undefined; // undefined: records are not loaded (unmapped, skip)
  /** The cell a null value becomes under this plan. */
  nullCell: string;
  /** The plan for rows built from a line's bytes, when the stream's schema and rules allow it. */
  bytesPlan?: LineBytesPlan;
  /**
   * Whether placeRow asks the ledger about a row's hash (a re-run's sent rows, skip_unchanged): else rows built
   * from bytes leave it to the places import, which derives it from the CSV line.
   */
  hashRows: boolean;
  /** The stream's counts in the report. */
  counts: StreamCounts;
  /** Changes with every SCHEMA that changes the plan: rows built under another version are built again. */
  version: number;
  schema: JsonSchema;
  schemaText: string;
  /** Bytes of the CSV header line (CRLF, the longer form). */
  headerBytes: number;
  readonly chunkers: Map<CsvLineEnding, CsvChunker<OpenChunk>>;
}

/** A block waiting its turn: built by a transform thread (`result`), or to be built here when its turn comes. */
interface QueuedBlock {
  readonly block: Buffer | undefined;
  /** May hold a SCHEMA: no later block is sent before it is consumed. */
  readonly barrier: boolean;
  readonly result: Promise<BlockResult> | undefined;
  settled?: boolean;
}

/**
 * A row ready to spool: built from a parsed record (its CSV as text) or from the line's bytes. A null hash is left
 * for the places import to derive (Sink.hashRows: nothing asks for it while spooling).
 */
type SpoolRow = Omit<BuiltRow, 'csv' | 'hash'> & { readonly csv: string | Uint8Array; readonly hash: string | null };

/** Chunk tasks that may run ahead of the reader, per job slot: the next chunk spools while jobs process. */
const QUEUE_PER_SLOT = 2;

export class TargetRun {
  private readonly s: TargetSettings;
  private readonly ledger: JobLedger;
  private readonly failed: FailedRows;
  private readonly gate: StateGate;
  private readonly scheduler: JobScheduler;
  private readonly report: RunReport;
  private readonly validators = new SchemaValidators();
  private readonly sinks = new Map<string, Sink>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly outstanding = new Map<string, number>();
  private readonly firstSeqOfHold = new Map<number, number>();
  private readonly abortJobs = new AbortController();
  private readonly quota: QuotaGuard;
  private client: BulkClient | undefined;
  private connecting: Promise<BulkClient> | undefined;
  private stopping: ConnectorError | undefined;
  private currentSeq = 0;
  private planVersions = 0;
  private workers: BlockWorkers | undefined;
  /** The byte-level builder for blocks the reader builds itself while the transform threads boot. */
  private inlineRows: LineBytesRows | undefined;
  private readonly log: Logger;

  constructor(private readonly o: RunOptions) {
    this.s = o.config.settings;
    this.log = o.logger;
    this.ledger = JobLedger.open(this.s.state_dir);
    this.failed = new FailedRows(this.s.failed_records_dir, `run-${this.ledger.runId}`, Boolean(o.dryRun));
    // A dry run loads nothing, so no STATE may leave it.
    this.gate = new StateGate(o.dryRun ? () => undefined : o.stdout, () => this.failed.sync());
    this.scheduler = new JobScheduler(this.s.max_parallel_jobs);
    this.report = o.report ?? new RunReport();
    this.quota = new QuotaGuard(this.s.min_remaining_api_percent);
  }

  /** Runs to the end and returns the summary (its exitCode is the process's). */
  async run(): Promise<RunSummary> {
    const onInterrupt = (): void => {
      this.stop(new ConnectorError('INTERRUPTED', `interrupted: stopped reading; ${this.s.on_interrupt === 'abort' ? 'jobs not yet UploadComplete were aborted, jobs processing are left for the next run to reattach' : 'jobs in flight were finished'}; STATE written up to the last durable point`));
      if (this.s.on_interrupt === 'abort') this.abortJobs.abort();
    };
    this.o.interrupt?.addEventListener('abort', onInterrupt, { once: true });
    if (this.o.interrupt?.aborted) onInterrupt();
    this.report.startProgress();
    const ageTimer = setInterval(() => this.flushOld(), Math.max(50, Math.min(1000, this.s.max_record_age_seconds * 250)));
    ageTimer.unref();
    try {
      if (!this.o.dryRun && !this.o.spoolOnly) await this.recover();
      this.ledger.prepareReuse();
      try {
        await this.readInput();
      } catch (e) {
        if (!this.stopping) throw e; // reading ends with an error once the input is destroyed by stop()
      }
      if (!this.stopping) for (const sink of this.sinks.values()) this.flushSink(sink);
    } catch (e) {
      this.stop(asConnectorError(e));
    } finally {
      clearInterval(ageTimer);
    }
    await this.drain();
    this.report.stopProgress();
    this.gate.flush();
    const summary = this.finish();
    await this.client?.close();
    this.failed.close();
    this.ledger.close();
    this.report.printSummary(summary, this.o.summaryFile);
    return summary;
  }

  private finish(): RunSummary {
    let code: ConnectorErrorCode | 'OK' = 'OK';
    let message: string | undefined;
    if (this.stopping) {
      code = this.stopping.code;
      message = this.stopping.message;
    } else {
      if (!this.o.dryRun) this.ledger.finishRun();
      let pending = 0;
      for (const c of this.report.streams.values()) pending += c.pendingNextRun;
      if ((this.failed.total() > 0 || pending > 0) && !this.s.allow_failed_rows) {
        code = 'ROWS_FAILED';
        message = `${this.failed.total()} rows failed permanently (see the failed-rows files)${pending ? `; ${pending} rows failed transiently and wait in the ledger for the next run` : ''}`;
      }
    }
    return this.report.summary(code === 'OK' ? 'ok' : code, EXIT_CODES[code], Boolean(this.o.dryRun), this.failed.paths(), message);
  }

  private stop(reason: ConnectorError): void {
    if (this.stopping) return;
    this.stopping = reason;
    this.scheduler.stop(reason);
    this.o.input.destroy(); // stop reading now, even while the reader waits for a line that may never come
  }

  /** Waits for every chunk task (tasks may start retry tasks). Bounded: each task ends or fails. */
  private async drain(): Promise<void> {
    while (this.tasks.size) await Promise.allSettled([...this.tasks]);
  }

  private async connect(): Promise<BulkClient> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const redactor = new Redactor();
      this.client = await BulkClient.connect(this.o.config.connection(), {
        logger: redactingLogger(this.log, redactor),
        redactor,
        tempDir: this.ledger.chunkDir,
        poll: { initialMs: 250 },
        signal: this.o.interrupt,
      });
      return this.client;
    })();
    return this.connecting;
  }

  // ---- recovery -------------------------------------------------------------------------------------------

  /** Chunks an earlier run left: reattach to their jobs, resend retry rows, drop unsent input rows (they come again). */
  private async recover(): Promise<void> {
    const chunks = this.ledger.unfinishedChunks();
    if (!chunks.length) return;
    this.log.log('info', `the ledger holds ${chunks.length} unfinished chunks from earlier runs: resuming them`);
    const client = await this.connect();
    await abortLeftoverJobs(client, this.ledger, this.jobHooks());
    const reattach: Promise<void>[] = [];
    for (const c of chunks) {
      const counts = this.report.stream(c.stream, c.object, c.operation);
      if (c.phase === 'building') {
        removeChunkFiles(c); // a copy cut short: its source is still whole in the ledger
        this.ledger.dropChunk(c.id);
        continue;
      }
      if (c.phase === 'open' || c.phase === 'spooled') {
        if (c.attempt === 1) {
          removeChunkFiles(c);
          this.ledger.dropChunk(c.id); // never sent: its rows come again with the input
          continue;
        }
        this.ledger.setPhase(c.id, 'pending');
      }
      if (c.phase === 'job_created' || c.phase === 'closed') {
        reattach.push((async () => {
          const r = await runChunkJob(client, this.ledger, c.id, this.jobHooks());
          if (r.kind === 'unsent') {
            if (c.attempt === 1) {
              removeChunkFiles(c);
              this.ledger.dropChunk(c.id);
            } else this.ledger.setJob(c.id, null, 'pending');
            return;
          }
          counts.jobs++;
          counts.uploaded += c.rows;
          this.afterReconcile(this.ledger.chunk(c.id), r.counts, 0, this.gate.hold(0));
        })());
      } else {
        this.startChunk(c.id, this.gate.hold(0), 0);
      }
    }
    const settled = await Promise.allSettled(reattach);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
  }

  // ---- input ----------------------------------------------------------------------------------------------

  private async readInput(): Promise<void> {
    const threads = this.o.workers ?? this.s.transform_threads;
    if (threads > 0) return this.readBlocks(threads);
    // Blocks of whole lines, each line built by the byte-level builder when its stream allows and it can prove the
    // row, else decoded and parsed: one line at a time, in input order, exactly as the JSON.parse path alone would.
    const rows = this.o.byteRows === false ? undefined : new LineBytesRows();
    for await (const block of lineBlocks(this.o.input, 1 << 16)) if (!(await this.readLines(block, rows))) return;
  }

  /** Input lines read so far (the reader thread alone), for line numbers in messages. */
  private linesRead = 0;

  /** The lines of `block` (whole lines; the last may lack its line break at the end of input). false: stopping. */
  private async readLines(block: Buffer, rows: LineBytesRows | undefined): Promise<boolean> {
    const limit = this.s.max_parallel_jobs * QUEUE_PER_SLOT;
    // Valid UTF-8 (nearly always): line bytes are what decoding and encoding them again would give.
    const byBytes = rows !== undefined && isUtf8(block);
    let start = 0;
    while (start < block.length) {
      if (this.stopping) return false;
      const nl = block.indexOf(10, start);
      const stop = nl === -1 ? block.length : nl;
      const end = stop > start && block[stop - 1] === 13 ? stop - 1 : stop;
      const line = ++this.linesRead;
      const n = byBytes ? rows.build(block, start, end, this.bytesPlanOf) : -1;
      if (n >= 0) this.onRecordBytes(rows!, n, block, start, end, line);
      else await this.onLine(block.toString('utf8', start, end), line);
      start = stop + 1;
      if (this.tasks.size >= limit) await this.keepUp();
    }
    this.moveClock();
    return true;
  }

  /** The report's clock for the stream of the rows onRecordBytes last counted (moved once a block, not per row). */
  private moveClock(): void {
    if (this.bytesSink) this.report.stream(this.bytesSink.stream);
  }

  private lastPlanStream: Buffer | undefined;
  private lastPlan: LineBytesPlan | undefined;

  /** The byte-level plan of the stream a RECORD line names, if it has one (the last stream's, without decoding). */
  private readonly bytesPlanOf = (src: Buffer, start: number, end: number): LineBytesPlan | undefined => {
    const last = this.lastPlanStream;
    if (last !== undefined && last.length === end - start) {
      let j = 0;
      while (j < last.length && last[j] === src[start + j]) j++;
      if (j === last.length) return this.lastPlan;
    }
    const sink = this.sinks.get(src.toString('utf8', start, end));
    this.lastPlanStream = Buffer.from(src.subarray(start, end));
    this.lastPlan = sink?.bytesPlan;
    return this.lastPlan;
  };

  /** One input line through the JSON.parse path. */
  private async onLine(text: string, line: number): Promise<void> {
    const message = parseSingerLine(text, line);
    if (message === undefined) return;
    if ('line' in message) {
      this.log.log('debug', `input line ${line}: ignoring a message of type "${message.type}"`);
      return;
    }
    switch (message.type) {
      case 'SCHEMA':
        await this.onSchema(message, line);
        break;
      case 'RECORD':
        this.onRecord(message, line, text);
        break;
      case 'STATE':
        this.gate.offer(message.value);
        break;
      case 'ACTIVATE_VERSION':
        this.log.log('debug', `input line ${line}: ACTIVATE_VERSION for stream "${message.stream}" ignored (no mode uses it)`);
        break;
    }
  }

  /** A RECORD line the byte-level builder built: its row is rows.out[0, n) with an LF ending. */
  private onRecordBytes(rows: LineBytesRows, n: number, block: Buffer, start: number, end: number, line: number): void {
    const plan = rows.plan!;
    // The sink of the last row's plan, without a lookup by name per row.
    let sink = this.bytesSink;
    if (sink?.bytesPlan !== plan) {
      this.moveClock();
      sink = this.bytesSink = this.sinks.get(plan.plan.stream)!;
    }
    const seq = this.gate.record();
    // The report's counts object (its clock is moved once a block, readLines).
    const counts = sink.counts;
    counts.read++;
    const out = rows.out;
    // Left out of the places when nothing asks for it while spooling: derived from the CSV line when imported.
    const hash = sink.hashRows ? rowHashOfLfBytes(out.subarray(0, n)) : null;
    if (rows.crlf) {
      out[n - 1] = 13;
      out[n++] = 10;
    }
    const row = this.bytesRow;
    row.csv = out.subarray(0, n);
    row.csvBytes = n;
    row.eol = rows.crlf ? 'CRLF' : 'LF';
    row.hash = hash;
    row.key = rows.key;
    row.parentKey = rows.parentKey;
    this.placeRow(sink, counts, seq, row, block.subarray(start, end), line);
  }

  private bytesSink: Sink | undefined;
  /** The row placeRow is handed for each line the byte-level builder built (it keeps none of it). */
  private readonly bytesRow: { -readonly [K in keyof SpoolRow]: SpoolRow[K] } = { csv: '', csvBytes: 0, eol: 'LF', hash: null, key: null, parentKey: null };

  /** The reader waits while as many chunk tasks as the job slots can use are already queued. */
  private async keepUp(): Promise<void> {
    await this.scheduler.until(() => this.tasks.size < this.s.max_parallel_jobs * QUEUE_PER_SLOT || this.stopping !== undefined).catch(() => undefined);
  }

  /**
   * Reading with transform threads: stdin is cut into blocks of whole lines, built in parallel, and consumed here
   * strictly in input order by the same code as readInput's, so the output is the same byte for byte. Reading
   * stays at most BLOCKS_PER_WORKER blocks per thread ahead of consumption. A block that may hold a SCHEMA is a
   * barrier (nothing is sent after it until it is consumed), so rows after a SCHEMA are built with its plan.
   */
  private async readBlocks(threads: number): Promise<void> {
    const blockBytes = this.o.blockBytes ?? BLOCK_BYTES;
    const inlineBytes = this.o.inlineBytes ?? 1 << 20;
    const reader = lineBlocks(this.o.input, blockBytes);
    const queue: QueuedBlock[] = [];
    let readBytes = 0;
    let base = 0; // input lines before the head of the queue
    let reading: Promise<IteratorResult<Buffer>> | undefined;
    let ended = false;
    const submit = (block: Buffer, barrier: boolean): QueuedBlock => {
      if (!this.workers && readBytes > inlineBytes) this.workers = new BlockWorkers(threads, [...this.sinks.values()].map(planUpdate));
      // While the threads boot the reader builds blocks itself, when its turn comes (inlineBytes 0: always the threads).
      if (!this.workers || (!this.workers.ready && inlineBytes > 0)) return { block, barrier, result: undefined };
      const result = this.workers.run(block);
      const q: QueuedBlock = { block: undefined, barrier, result, settled: false };
      result.then(() => (q.settled = true), () => (q.settled = true));
      return q;
    };
    try {
      for (;;) {
        if (this.stopping) break;
        if (!reading && !ended && queue.length < threads * BLOCKS_PER_WORKER && !queue.some((q) => q.barrier)) {
          reading = reader.next();
          reading.catch(() => undefined); // awaited below, unless the run stops first
        }
        const head = queue[0];
        if (!head && !reading) break;
        // Consume the head as soon as it is built; read meanwhile.
        if (reading && (!head || (head.result && !head.settled))) {
          const next = head?.result ? await Promise.race([reading, head.result.then(() => undefined, () => undefined)]) : await reading;
          if (next !== undefined) {
            reading = undefined;
            if (next.done) ended = true;
            else {
              readBytes += next.value.length;
              queue.push(submit(next.value, mayHoldSchema(next.value)));
            }
            continue;
          }
        }
        queue.shift();
        const r = head!.result ? await head!.result : transformBlock(head!.block!, (stream) => this.sinks.get(stream), this.validators, (this.inlineRows ??= new LineBytesRows()));
        await this.consumeBlock(r, base);
        base += r.lines;
        if (r.rest !== undefined) queue.unshift(submit(r.rest as Buffer, true));
      }
    } finally {
      await this.workers?.close();
      this.workers = undefined;
    }
  }

  /** A built block's items, in order, as readInput would have handled its lines. */
  private async consumeBlock(r: BlockResult, base: number): Promise<void> {
    const limit = this.s.max_parallel_jobs * QUEUE_PER_SLOT;
    const block = r.block as Buffer;
    const csv = r.csv as Buffer;
    let row = 0;
    let message = 0;
    for (let i = 0; i < r.kind.length; i++) {
      if (this.stopping) return;
      const line = base + r.line[i]! + 1;
      const source = block.subarray(r.from[i]!, r.to[i]!);
      const text = (): string => source.toString('utf8');
      const kind = r.kind[i]!;
      if (kind === ITEM_ROW) {
        const at = row++;
        const sink = this.sinks.get(r.streams[r.streamOf[i]!]!);
        if (sink?.plan && sink.version === r.version[i]) {
          const seq = this.gate.record();
          const counts = this.report.stream(sink.stream);
          counts.read++;
          const rowCsv = csv.subarray(at ? r.csvEnd[at - 1]! : 0, r.csvEnd[at]!);
          const built: SpoolRow = { csv: rowCsv, csvBytes: rowCsv.length, eol: rowEnding(r, at), hash: stringAt(r.hashes, at), key: stringAt(r.keys, at), parentKey: stringAt(r.parentKeys, at) };
          this.placeRow(sink, counts, seq, built, source, line);
        } else this.onRecord(parseSingerLine(text(), line) as RecordMessage, line, source); // built under an older plan
      } else if (kind === ITEM_MESSAGE) {
        const m = r.messages[message++]!;
        if ('line' in m) this.log.log('debug', `input line ${line}: ignoring a message of type "${m.type}"`);
        else if (m.type === 'SCHEMA') await this.onSchema(m, line);
        else if (m.type === 'STATE') this.gate.offer(m.value);
        else if (m.type === 'ACTIVATE_VERSION') this.log.log('debug', `input line ${line}: ACTIVATE_VERSION for stream "${m.stream}" ignored (no mode uses it)`);
      } else if (kind === ITEM_BAD_LINE) {
        parseSingerLine(text(), line); // throws the reader's error for this line
        throw new ConnectorError('INPUT_INVALID', `input line ${line}: not a Singer message`, { where: `line ${line}` });
      } else {
        this.onRecord(parseSingerLine(text(), line) as RecordMessage, line, source); // refused, or no plan where it was built
      }
      if (this.tasks.size >= limit) await this.keepUp();
    }
  }

  private async onSchema(m: SchemaMessage, line: number): Promise<void> {
    try {
      this.validators.set(m.stream, m.schema);
    } catch (e) {
      throw new ConnectorError('INPUT_INVALID', `input line ${line}: the SCHEMA of stream "${m.stream}" is not a usable JSON Schema: ${(e as Error).message}`, { where: `line ${line}` });
    }
    const old = this.sinks.get(m.stream);
    if (old) this.flushSink(old); // a new SCHEMA may change the columns: later rows go to new chunks
    const schemaText = JSON.stringify(m.schema);
    const version = old?.schemaText === schemaText ? old.version : ++this.planVersions;
    const properties = Object.keys((m.schema.properties as Record<string, unknown> | undefined) ?? {});
    let mapping = this.s.streams[m.stream];
    if (!mapping) {
      if (this.s.unmapped_streams === 'fail') {
        throw new ConnectorError('CONFIG_INVALID', `input line ${line}: stream "${m.stream}" has no entry in config key "streams" and unmapped_streams is "fail": map it, or set unmapped_streams to "skip" or "by_name"`, { where: `streams.${m.stream}` });
      }
      if (this.s.unmapped_streams === 'skip') {
        if (!old) this.log.log('warn', `stream "${m.stream}" has no entry in config key "streams" and unmapped_streams is "skip": its records are counted and not loaded`);
        this.setSink({ stream: m.stream, properties, plan: undefined, nullCell: '', hashRows: false, counts: this.report.stream(m.stream), version, schema: m.schema, schemaText, headerBytes: 0, chunkers: new Map() });
        return;
      }
      mapping = { object: m.stream, operation: this.s.default_operation };
    }
    const describe = this.o.spoolOnly?.describe ?? (await this.connect()).describe;
    const plan = await planStream(m.stream, mapping, m.schema, describe);
    const headerBytes = Buffer.byteLength(csvLine(plan.columns.map((c) => c.header), 'CRLF'));
    const nullCell = nullCellFor(plan, this.s.null_handling);
    const bytesPlan = lineBytesPlan(plan, m.schema, nullCell);
    const hashRows = this.ledger.mayReuse(m.stream) || this.skipsUnchanged(plan.operation);
    this.setSink({ stream: m.stream, properties, plan, nullCell, bytesPlan, hashRows, counts: this.report.stream(m.stream, plan.object, plan.operation), version, schema: m.schema, schemaText, headerBytes, chunkers: old?.chunkers ?? new Map() });
    if (!old) this.log.log('info', `stream "${m.stream}" -> ${plan.object} (${plan.operation}${plan.externalId ? ` on ${plan.externalId}` : ''}): ${plan.columns.map((c) => c.header).join(', ')}`);
  }

  /** skip_unchanged applies to updates and upserts only: an insert has no earlier load to compare with. */
  private skipsUnchanged(operation: string): boolean {
    return this.s.skip_unchanged && (operation === 'upsert' || operation === 'update');
  }

  private setSink(sink: Sink): void {
    this.lastPlanStream = undefined;
    this.moveClock();
    this.bytesSink = undefined;
    const old = this.sinks.get(sink.stream);
    this.sinks.set(sink.stream, sink);
    if (old?.version !== sink.version) this.workers?.plan(planUpdate(sink));
  }

  private onRecord(m: RecordMessage, line: number, text: string | Uint8Array): void {
    const sink = this.sinkFor(m.stream, line);
    const seq = this.gate.record();
    const counts = this.report.stream(m.stream);
    counts.read++;
    const plan = sink.plan;
    if (!plan) {
      counts.notLoaded++;
      return;
    }
    this.placeRow(sink, counts, seq, buildRow(plan, sink.nullCell, this.validators, m.record, line), text, line, m.record);
  }

  private sinkFor(stream: string, line: number): Sink {
    const sink = this.sinks.get(stream);
    if (!sink) throw new ConnectorError('INPUT_INVALID', `input line ${line}: RECORD of stream "${stream}" before its SCHEMA`, { where: `line ${line}` });
    return sink;
  }

  /**
   * What only the reader thread may do with a built row, in input order: ledger lookups, the size check, the chunk.
   * `text` is the row's source line (input line `line`); `parsed` its record when the caller has it (else parsed
   * again from `text` should the row be refused).
   */
  private placeRow(sink: Sink, counts: StreamCounts, seq: number, row: SpoolRow | RefusedRow, text: string | Uint8Array, line: number, parsed?: { [k: string]: JsonValue }): void {
    const record = (): { [k: string]: JsonValue } => parsed ?? (parseSingerLine(typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8'), line) as RecordMessage).record;
    if (isRefused(row)) return this.refuse(sink, record(), row.error);
    const plan = sink.plan!;
    if (row.hash !== null && this.ledger.takeSentRow(sink.stream, row.hash)) {
      counts.alreadySent++;
      return;
    }
    const key = row.key;
    if (key && row.hash !== null && this.skipsUnchanged(plan.operation) && this.ledger.loadedHash(plan.object, key) === row.hash) {
      counts.skippedUnchanged++;
      return;
    }
    const csvBytes = row.csvBytes;
    if (csvBytes + sink.headerBytes > this.s.max_bytes_per_upload) {
      return this.refuse(sink, record(), `ROW_TOO_LARGE:the row is ${csvBytes} bytes, more than max_bytes_per_upload allows --`);
    }
    counts.queued++;
    if (this.o.dryRun) return;
    this.currentSeq = seq;
    const chunker = this.chunkerFor(sink, row.eol);
    const chunk = chunker.add(row.csv, text, csvBytes);
    chunk.places.put(chunk.writer.lastCsvLength, chunk.writer.lastSideLength, row.hash, key, row.parentKey);
    chunker.sealIfFull();
  }

  private refuse(sink: Sink, record: { [k: string]: JsonValue }, error: string): void {
    this.failed.write(sink.stream, error, record, sink.properties);
    this.report.countFailure(sink.stream, errorCode(error), true);
  }

  private chunkerFor(sink: Sink, eol: CsvLineEnding): CsvChunker<OpenChunk> {
    let c = sink.chunkers.get(eol);
    if (!c) {
      c = new CsvChunker<OpenChunk>(
        { maxBytes: this.s.max_bytes_per_upload, maxRows: this.s.max_records_per_job },
        () => {
          // The stream's plan now: a SCHEMA since this chunker was made may have changed the columns.
          const p = this.sinks.get(sink.stream)!.plan!;
          const record = this.ledger.addChunk({ stream: sink.stream, object: p.object, operation: p.operation, externalId: p.externalId, lineEnding: eol, attempt: 1, phase: 'open' });
          const writer = new CsvChunkWriter({ csvPath: record.csvPath, sidePath: record.sidePath }, p.columns.map((col) => col.header), eol);
          this.outstanding.set(sink.stream, (this.outstanding.get(sink.stream) ?? 0) + 1);
          return { writer, record, hold: this.holdFrom(this.currentSeq), openedAt: Date.now(), places: new RowPlaceLog(record.placesPath, writer.headerBytes) };
        },
        (open) => this.sealed(open),
      );
      sink.chunkers.set(eol, c);
    }
    return c;
  }

  private holdFrom(seq: number): number {
    const h = this.gate.hold(seq);
    this.firstSeqOfHold.set(h, seq);
    return h;
  }

  private release(hold: number): void {
    this.firstSeqOfHold.delete(hold);
    this.gate.release(hold);
  }

  private flushSink(sink: Sink): void {
    for (const c of sink.chunkers.values()) c.flush();
  }

  /** Seals chunks whose first record has waited max_record_age_seconds. */
  private flushOld(): void {
    if (this.stopping) return;
    const limit = Date.now() - this.s.max_record_age_seconds * 1000;
    for (const sink of this.sinks.values()) for (const c of sink.chunkers.values()) if (c.pending && c.pending.openedAt <= limit) c.flush();
  }

  /**
   * A full chunk: its three files reach the disk on the thread pool while reading goes on (an fsync of 100 MB held
   * the reader for a while). The ledger calls it sealed only once they are durable: until then it stays `open` (a
   * kill drops it; its rows come again) and counts as outstanding. Its job task starts now, as it did when sealing
   * was synchronous, and waits for that before it creates the job.
   */
  private sealed(open: OpenChunk): void {
    if (!this.o.spoolOnly && (this.sinks.get(open.record.stream)?.plan?.parentIndex ?? -1) >= 0) {
      // Sorted by parent next, on this thread anyway (the chunk is read back and copied): sealed here and now.
      open.writer.seal();
      open.places.seal();
      this.durable(open);
      this.startChunk(open.record.id, open.hold, 0);
      return;
    }
    const durable = Promise.all([open.writer.sealAsync(), open.places.sealAsync()]).then(() => this.durable(open));
    const task = durable
      .catch((e) => {
        this.log.log('error', `chunk ${open.record.id} of stream "${open.record.stream}": ${(e as Error).message}`);
        this.stop(asConnectorError(e));
      })
      .finally(() => {
        this.tasks.delete(task);
        this.scheduler.changed();
      });
    this.tasks.add(task);
    if (!this.o.spoolOnly) this.startChunk(open.record.id, open.hold, 0, durable.then(() => true, () => false));
  }

  /** The chunk's files are durable: it is sealed in the ledger (and may be sent). */
  private durable(open: OpenChunk): void {
    if (this.o.spoolOnly) {
      this.ledger.setSealed(open.record.id, open.writer.rows, open.writer.bytes);
      this.outstanding.set(open.record.stream, (this.outstanding.get(open.record.stream) ?? 1) - 1);
      this.release(open.hold);
      return;
    }
    // One parent's children together, so they share internal batches instead of fighting over the parent's lock.
    if ((this.sinks.get(open.record.stream)?.plan?.parentIndex ?? -1) >= 0) sortChunkByParent(this.ledger, this.ledger.chunk(open.record.id));
    this.ledger.setSealed(open.record.id, open.writer.rows, open.writer.bytes);
    this.log.log('debug', `chunk ${open.record.id} (${open.record.stream}, ${open.writer.rows} rows, ${open.writer.bytes} bytes): spooled`);
    this.outstanding.set(open.record.stream, (this.outstanding.get(open.record.stream) ?? 1) - 1);
  }

  // ---- jobs -----------------------------------------------------------------------------------------------

  /** `started`: the chunk's task took its slot before the run began stopping, so its job is created all the same. */
  private jobHooks(started = false) {
    return {
      beforeCreate: async () => {
        if (this.stopping && !started) throw this.stopping;
        await this.quota.check(this.client!);
      },
      log: (level: 'debug' | 'info' | 'warn', message: string) => this.log.log(level, message),
      onPhase: (c: ChunkRecord, phase: string, jobId?: string) => {
        this.log.log('debug', `chunk ${c.id} (${c.stream}, attempt ${c.attempt}, ${c.rows} rows) job ${jobId}: ${phase}`);
        const by = this.report.jobsByState;
        const move = (from: string | undefined, to: string): void => {
          if (from && (by[from] ?? 0) > 0) by[from]!--;
          by[to] = (by[to] ?? 0) + 1;
        };
        if (phase === 'created') move(undefined, 'Open');
        else if (phase === 'closed') move('Open', 'processing');
        else if (phase === 'reconciled') move('processing', 'done');
      },
      signal: this.abortJobs.signal,
    };
  }

  /** `durable`: the chunk is still reaching the disk (sealed); resolves false when it could not (the run stops). */
  private startChunk(chunkId: number, hold: number, tries: number, durable?: Promise<boolean>): void {
    const stream = this.ledger.chunk(chunkId).stream;
    this.outstanding.set(stream, (this.outstanding.get(stream) ?? 0) + 1);
    const task = this.chunkTask(chunkId, hold, tries, durable)
      .catch((e) => {
        if (e === this.stopping) return; // a chunk not started because the run is stopping: it stays in the ledger
        this.log.log('error', `chunk ${chunkId} of stream "${stream}": ${(e as Error).message}`);
        this.stop(asConnectorError(e));
      })
      .finally(() => {
        this.outstanding.set(stream, (this.outstanding.get(stream) ?? 1) - 1);
        this.tasks.delete(task);
        this.scheduler.changed();
      });
    this.tasks.add(task);
  }

  private async chunkTask(chunkId: number, hold: number, tries: number, durable?: Promise<boolean>): Promise<void> {
    let chunk = this.ledger.chunk(chunkId);
    const wait = chunk.notBefore - Date.now();
    if (wait > 0) await sleep(Math.min(wait, 3_600_000), this.abortJobs.signal);
    const plan = this.sinks.get(chunk.stream)?.plan;
    const parents = plan?.dependsOn ?? [];
    for (const p of parents) {
      const sink = this.sinks.get(p);
      if (sink) this.flushSink(sink);
    }
    const release = await this.scheduler.acquire({
      stream: chunk.stream,
      serial: chunk.serial,
      ready: () => parents.every((p) => (this.outstanding.get(p) ?? 0) === 0),
    });
    // Handed over before the run began stopping: its job goes ahead as it did when sealing was synchronous.
    const started = durable !== undefined && !this.stopping;
    const counts = this.report.stream(chunk.stream, chunk.object, chunk.operation);
    let result;
    try {
      if (durable) {
        if (!(await durable)) return; // the seal failed: the run stops with that error
        chunk = this.ledger.chunk(chunkId);
      }
      result = await runChunkJob(await this.connect(), this.ledger, chunkId, this.jobHooks(started));
    } finally {
      release();
    }
    counts.jobs++;
    counts.uploaded += chunk.rows;
    if (result.kind === 'unsent') return;
    this.afterReconcile(this.ledger.chunk(chunkId), result.counts, tries, hold);
  }

  /** Dead-letters permanent failures, queues transient ones in a retry chunk, and lets the chunk's hold go. */
  private afterReconcile(chunk: ChunkRecord, r: ReconcileCounts, tries: number, hold: number): void {
    const counts = this.report.stream(chunk.stream, chunk.object, chunk.operation);
    const columns = (stream: string) => this.sinks.get(stream)?.properties ?? [];
    deadLetterFailed(this.ledger, chunk, this.failed, columns);
    for (const [code, n] of Object.entries(failedCodes(this.ledger, chunk.id))) {
      counts.failed += n;
      counts.failedByCode[code] = (counts.failedByCode[code] ?? 0) + n;
    }
    counts.loaded += r.ok;
    if (this.skipsUnchanged(chunk.operation)) this.ledger.rememberLoaded(chunk.id, chunk.object);
    const lockDominated = r.lockErrors > 0 && r.lockErrors * 2 >= r.transient + r.failed;
    const carry = tries >= this.s.max_retries || this.stopping !== undefined;
    const next = finishChunk(this.ledger, chunk, {
      notBefore: Date.now() + this.s.retry_backoff_seconds * 1000 * 2 ** tries,
      serial: lockDominated || chunk.serial,
      carry,
    });
    removeChunkFiles(chunk);
    if (next) {
      if (carry) {
        counts.pendingNextRun += next.rows;
        this.log.log('warn', `stream "${chunk.stream}": ${next.rows} rows of job ${r.jobId} failed transiently ${tries + 1} times; they stay in the ledger and are sent first on the next run`);
      } else {
        counts.retried += next.rows;
        if (lockDominated) counts.oneJobAtATime = true;
        this.log.log('info', `stream "${chunk.stream}": retrying ${next.rows} rows of job ${r.jobId} in a new job${lockDominated ? ' (lock contention: one job at a time, rows grouped by parent)' : ''}`);
        this.startChunk(next.id, this.holdFrom(this.firstSeqOfHold.get(hold) ?? 0), tries + 1);
      }
    }
    this.release(hold);
  }
}

function planUpdate(s: Sink): PlanUpdate {
  return { stream: s.stream, version: s.version, schema: s.schema, schemaText: s.schemaText, plan: s.plan, nullCell: s.nullCell, hashRows: s.hashRows };
}

function failedCodes(ledger: JobLedger, chunkId: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const page of ledger.rowsWithOutcome(chunkId, 'failed')) for (const r of page) out[errorCode(r.error ?? '')] = (out[errorCode(r.error ?? '')] ?? 0) + 1;
  return out;
}

export function asConnectorError(e: unknown): ConnectorError {
  if (e instanceof ConnectorError) return e;
  if (isSalesforceError(e)) {
    const unknown = e.outcomeUnknown ? ' The job\'s outcome is unknown: it stays in the ledger and the next run reattaches to it.' : '';
    const code: ConnectorErrorCode = e.code === 'SF_CONFIG' || e.code === 'SF_AUTH' ? 'CONFIG_INVALID' : 'RUN_FAILED';
    return new ConnectorError(code, `${e.message}${e.jobId && !e.message.includes(e.jobId) ? ` (job ${e.jobId})` : ''}.${unknown}`, { cause: e });
  }
  return new ConnectorError('RUN_FAILED', (e as Error)?.message ?? String(e), { cause: e });
}
