// Shared set-up of the ingest engine tests: an org, an environment and a run helper.
import { IngestRun, LockRegistry, type IngestEnvironment, type IngestJobSpec, type IngestOutcome } from '../../src/emulator/ingest/index.js';
import { createOrgStore, type MemoryOrgStore, type OrgStoreOptions } from '../../src/emulator/org/store.js';
import { seededRng } from '../../src/emulator/rng.js';
import { csvRows } from '../helpers/emulator.js';

export const NOW = Date.UTC(2026, 10, 22, 14, 43, 8);

export function makeStore(opts: OrgStoreOptions = {}): MemoryOrgStore {
  return createOrgStore({ now: NOW, ...opts });
}

export interface EnvOptions extends Partial<Omit<IngestEnvironment, 'store'>> {
  timeouts?: (jobId: string, batch: number, attempt: number) => boolean;
  recordAllocation?: number;
  batchAllocation?: number;
}

export function makeEnv(store: MemoryOrgStore, o: EnvOptions = {}): IngestEnvironment & { used: { records: number; batches: number } } {
  const used = { records: 0, batches: 0 };
  return {
    store,
    now: () => NOW,
    processingRate: o.processingRate ?? 0,
    parallelism: o.parallelism ?? 4,
    lockFailureRate: o.lockFailureRate ?? 0,
    rng: o.rng ?? seededRng(42),
    batchTimesOut: o.timeouts ?? (() => false),
    consumeIngestAllocation: (n) => {
      if (used.records + n > (o.recordAllocation ?? Infinity)) return false;
      used.records += n;
      return true;
    },
    consumeBatchAllocation: () => {
      if (used.batches + 1 > (o.batchAllocation ?? Infinity)) return false;
      used.batches++;
      return true;
    },
    hardDeleteAllowed: o.hardDeleteAllowed ?? true,
    locks: o.locks ?? new LockRegistry(),
    used,
  };
}

let jobCounter = 0;

export function spec(object: string, operation: IngestJobSpec['operation'], extra: Partial<IngestJobSpec> = {}): IngestJobSpec {
  jobCounter++;
  return {
    id: `7505g00000JOB${String(jobCounter).padStart(5, '0')}`,
    object,
    operation,
    columnDelimiter: 'COMMA',
    lineEnding: 'LF',
    ...extra,
  };
}

export async function runJob(
  env: IngestEnvironment,
  s: IngestJobSpec,
  csv: string | Buffer,
): Promise<{ run: IngestRun; outcome: IngestOutcome }> {
  const run = new IngestRun(env, s, Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'));
  const outcome = await run.start();
  return { run, outcome };
}

/** RFC 4180 reader for result files. */
export const readCsv = csvRows;

/** Rows (without header) of a result file. */
export function dataRows(text: string, delim = ','): string[][] {
  return readCsv(text, delim).slice(1);
}

/** sf__Error of the single failed row of a run. */
export function onlyError(run: IngestRun): string {
  const rows = dataRows(run.failedResults());
  if (rows.length !== 1) throw new Error(`expected one failed row, got ${rows.length}: ${run.failedResults()}`);
  return rows[0][1];
}

/** Builds `n` Account rows "Name\nAcc 1\n...". */
export function accountsCsv(n: number, header = 'Name', row = (i: number) => `Acc ${i}`): string {
  const lines = [header];
  for (let i = 0; i < n; i++) lines.push(row(i));
  return lines.join('\n') + '\n';
}
