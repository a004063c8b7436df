// Public types of the ingest engine (the job store drives an IngestRun with these).
import type { OrgStore } from '../org/types.js';
import type { LockRegistry } from './locks.js';

export type Operation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
import type { ColumnDelimiter, LineEnding } from '../csv-dialect.js';
export type { ColumnDelimiter, LineEnding } from '../csv-dialect.js';

export interface IngestJobSpec {
  readonly id: string;
  readonly object: string;
  readonly operation: Operation;
  readonly externalIdFieldName?: string;
  readonly columnDelimiter: ColumnDelimiter;
  readonly lineEnding: LineEnding;
}

export interface IngestProgress {
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  retries: number;
  /** Milliseconds. */
  totalProcessingTime: number;
  /** Milliseconds. */
  apiActiveProcessingTime: number;
  /** Milliseconds (no Apex runs in the emulator: always 0). */
  apexProcessingTime: number;
}

export type IngestOutcome =
  | { readonly state: 'JobComplete' }
  | { readonly state: 'Failed'; readonly errorMessage: string }
  | { readonly state: 'Aborted' };

export interface IngestEnvironment {
  readonly store: OrgStore;
  /** Clock (epoch ms) for audit fields. */
  now(): number;
  /** Records per second per batch worker (modelled); 0 = as fast as possible. */
  readonly processingRate: number;
  /** Internal batches processed at the same moment (default 4). */
  readonly parallelism: number;
  /** 0..1: chance a child row whose parent is held by another batch processing at the same moment fails. */
  readonly lockFailureRate: number;
  /** Seeded. */
  readonly rng: () => number;
  /** Fault injection: true = this attempt of this batch times out (its work is discarded, then retried). */
  batchTimesOut(jobId: string, batchIndex: number, attempt: number): boolean;
  /** false = daily record allocation exhausted. */
  consumeIngestAllocation(records: number): boolean;
  /** false = daily batch allocation exhausted. */
  consumeBatchAllocation(): boolean;
  readonly hardDeleteAllowed: boolean;
  /** Shared across all jobs of the emulator. */
  readonly locks: LockRegistry;
  /** Called between waves of batches: the emulator may collect garbage there (jobs/heap-collection.ts). */
  betweenWaves?(): void;
}
