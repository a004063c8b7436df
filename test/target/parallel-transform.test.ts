// The reader with transform threads (input cut into blocks, rows built in worker threads, consumed in input order)
// gives exactly what the reader alone gives: the same chunk files byte for byte, failed rows, STATE lines, counts
// and error, whatever the mix of streams, SCHEMA changes, bad records and values, and wherever the input's reads
// and the blocks are cut (inside lines, inside multi-byte characters).
import t from 'tap';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LineLogger } from '../../src/streams/log-lines.js';
import { parseTargetConfig } from '../../src/target/target-config.js';
import { RunReport } from '../../src/target/run-report.js';
import { TargetRun } from '../../src/target/target-run.js';
import type { DescribeSource } from '../../src/target/stream-plan.js';
import type { SObjectDescribe } from '../../src/bulk/index.js';

const describeOf = (name: string): SObjectDescribe => JSON.parse(readFileSync(new URL(`../../../data/describe/${name}.json`, import.meta.url), 'utf8')) as SObjectDescribe;
const objects: Record<string, SObjectDescribe> = { Account: describeOf('Account'), Contact: describeOf('Contact') };
const describe: DescribeSource = {
  sobjects: async () => ({ sobjects: [] }) as never,
  describe: async (name) => objects[name]!,
};

type Stream = 'acc' | 'con' | 'skipped';
const SCHEMAS: Record<Stream, Record<string, unknown>[]> = {
  acc: [
    { Name: { type: 'string' }, Description: { type: ['string', 'null'] }, AnnualRevenue: { type: ['number', 'null'] } },
    { Name: { type: 'string' }, Description: { type: ['string', 'null'] }, NumberOfEmployees: { type: ['integer', 'null'] } },
  ],
  con: [
    { LastName: { type: 'string' }, Description: { type: ['string', 'null'] } },
    { LastName: { type: 'string' }, FirstName: { type: ['string', 'null'] } },
  ],
  skipped: [{ Name: { type: 'string' } }],
};

// Values that need quoting, hold line breaks of both kinds, multi-byte characters (2, 3 and 4 bytes in UTF-8).
const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r\n', '\n', '=', 'é', '日', '😀', '#N/A', '1e21'), maxLength: 12 });
const value = fc.oneof(text, fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.boolean());

type Event =
  | { kind: 'schema'; stream: Stream; variant: number }
  | { kind: 'record'; stream: Stream; a: unknown; b: unknown; c: unknown; d: unknown }
  | { kind: 'state'; n: number }
  | { kind: 'blank' | 'other' | 'activate' };

const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('schema' as const), stream: fc.constantFrom<Stream>('acc', 'con', 'skipped'), variant: fc.nat(1) }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('record' as const), stream: fc.constantFrom<Stream>('acc', 'con', 'skipped'), a: value, b: value, c: value, d: value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('state' as const), n: fc.nat() }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'blank' as const }, { kind: 'other' as const }, { kind: 'activate' as const }) },
);

/** The input lines; every stream starts with a SCHEMA unless `early` lets a RECORD come first. */
function lines(events: Event[], early: boolean, bad: number | undefined): string[] {
  const out: string[] = [];
  const variant = new Map<Stream, number>();
  if (!early) for (const s of ['acc', 'con', 'skipped'] as const) events.unshift({ kind: 'schema', stream: s, variant: 0 });
  for (const e of events) {
    if (e.kind === 'schema') {
      const v = Math.min(e.variant, SCHEMAS[e.stream].length - 1);
      variant.set(e.stream, v);
      out.push(JSON.stringify({ type: 'SCHEMA', stream: e.stream, schema: { type: 'object', properties: SCHEMAS[e.stream][v] }, key_properties: [] }));
    } else if (e.kind === 'record') {
      const props = Object.keys(SCHEMAS[e.stream][variant.get(e.stream) ?? 0]!);
      const rec: Record<string, unknown> = {};
      [e.a, e.b, e.c, e.d].forEach((v, i) => {
        if (v !== undefined && i < props.length) rec[props[i]!] = v;
      });
      out.push(JSON.stringify({ type: out.length % 3 ? 'RECORD' : 'record', stream: e.stream, record: rec }));
    } else if (e.kind === 'state') out.push(JSON.stringify({ type: 'STATE', value: { at: e.n } }));
    else if (e.kind === 'blank') out.push(out.length % 2 ? '' : '  ');
    else if (e.kind === 'other') out.push(JSON.stringify({ type: 'BATCH', stream: 'acc' }));
    else out.push(JSON.stringify({ type: 'ACTIVATE_VERSION', stream: 'acc', version: 1 }));
  }
  if (bad !== undefined) out.splice(Math.min(bad, out.length), 0, '{"type": "RECORD", oops');
  return out;
}

/** Every file under `dir`, by relative path. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('ledger')) continue;
    const p = join(e.parentPath, e.name);
    out[p.slice(dir.length)] = readFileSync(p, 'latin1');
  }
  return out;
}

interface Outcome {
  states: string[];
  files: Record<string, string>;
  summary: unknown;
}

async function run(input: Buffer, pieces: number[], opts: { workers: number; blockBytes?: number; inlineBytes?: number }, limits: { bytes: number; rows: number }): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'parallel-transform-'));
  try {
    const config = parseTargetConfig({
      streams: { acc: { object: 'Account', operation: 'insert' }, con: { object: 'Contact', operation: 'insert' } },
      unmapped_streams: 'skip',
      state_dir: join(dir, 'state'),
      failed_records_dir: join(dir, 'failed'),
      max_bytes_per_upload: limits.bytes,
      max_records_per_job: limits.rows,
    });
    // Reads cut wherever `pieces` says, also inside a line and inside a multi-byte character.
    const reads: Buffer[] = [];
    let at = 0;
    for (const p of pieces) {
      if (at >= input.length) break;
      reads.push(input.subarray(at, at + p));
      at += p;
    }
    if (at < input.length) reads.push(input.subarray(at));
    const states: string[] = [];
    const quiet = new LineLogger({ name: 'test', level: 'error', format: 'text', redactor: { redact: (x) => x }, write: () => undefined });
    const summary = await new TargetRun({
      config,
      input: Readable.from(reads),
      stdout: (l) => states.push(l),
      logger: quiet,
      report: new RunReport(quiet, { tty: false, everyMs: 3_600_000 }),
      spoolOnly: { describe },
      ...opts,
    }).run();
    // Everything but times and this run's folder.
    const { seconds: _s, recordsPerSecond: _r, failedRowFiles: _f, streams, ...rest } = summary;
    const counts = Object.fromEntries(Object.entries(streams).map(([k, { seconds: _t, ...c }]) => [k, c]));
    return { states, files: { ...files(join(dir, 'state')), ...files(join(dir, 'failed')) }, summary: { ...rest, counts } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('transform threads give the reader-alone output byte for byte (chunks, failed rows, STATE, counts, errors)', async (t) => {
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(event, { minLength: 1, maxLength: 150 }),
      fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat(150) }),
      fc.array(fc.integer({ min: 1, max: 97 }), { maxLength: 300 }),
      fc.integer({ min: 1, max: 3000 }),
      fc.constantFrom(0, 0, 300, 100_000),
      fc.record({ bytes: fc.integer({ min: 1024, max: 3000 }), rows: fc.integer({ min: 1, max: 20 }) }),
      fc.constantFrom('\n', '\r\n'),
      async (events, early, bad, pieces, blockBytes, inlineBytes, limits, eol) => {
        // Lines end in LF or CRLF; the last one sometimes has no line ending at all.
        const input = Buffer.from(lines(events, early, bad).join(eol) + (events.length % 2 ? eol : ''));
        const alone = await run(input, pieces, { workers: 0 }, limits);
        const threads = await run(input, pieces, { workers: 2, blockBytes, inlineBytes }, limits);
        compared++;
        // Thrown, so fast-check shrinks a difference to the smallest input that shows it.
        assert.deepStrictEqual(threads.summary, alone.summary, 'same counts, outcome and error');
        assert.deepStrictEqual(threads.states, alone.states, 'same STATE lines');
        assert.deepStrictEqual(threads.files, alone.files, 'same chunk files, sidecars and failed-rows files, byte for byte');
      },
    ),
    { numRuns: Number(process.env.PARALLEL_RUNS ?? 15) },
  );
  t.ok(compared > 0, `${compared} inputs compared`);
});

t.test('a SCHEMA that changes the columns mid-stream: the next chunk is headed by the new columns', async (t) => {
  const P1 = { Name: { type: 'string' }, NumberOfEmployees: { type: ['integer', 'null'] } };
  const input = [
    JSON.stringify({ type: 'SCHEMA', stream: 'acc', schema: { type: 'object', properties: SCHEMAS.acc[0] }, key_properties: [] }),
    JSON.stringify({ type: 'RECORD', stream: 'acc', record: { Name: 'a', AnnualRevenue: 5 } }),
    JSON.stringify({ type: 'SCHEMA', stream: 'acc', schema: { type: 'object', properties: P1 }, key_properties: [] }),
    JSON.stringify({ type: 'RECORD', stream: 'acc', record: { Name: 'b', NumberOfEmployees: 7 } }),
  ].join('\n');
  for (const workers of [0, 2]) {
    const out = await run(Buffer.from(input), [], { workers, inlineBytes: 0 }, { bytes: 100_000, rows: 100 });
    t.equal(out.files['/chunks/1.csv'], 'Name,Description,AnnualRevenue\na,,5\n', `${workers} threads: first chunk`);
    t.equal(out.files['/chunks/2.csv'], 'Name,NumberOfEmployees\nb,7\n', `${workers} threads: the new SCHEMA's columns, not the old ones`);
  }
});
