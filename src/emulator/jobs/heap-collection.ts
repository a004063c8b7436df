// A full garbage collection the emulator runs itself, in ingest processing, when V8's own is about to come.
//
// A 1M-row upsert into 2M Accounts grows the org by about 300 MB of live rows, more than V8 lets the heap grow
// after its last full mark (about 1.35 times the live heap), so V8 starts marking the whole org (1.2 GB, about a
// CPU-second) right after the job: in the client's first result download (bench/emulator-http.mjs). Collecting
// while the job still runs, once the heap has grown by a quarter since the last full collection (V8's or ours),
// does that work where Salesforce's own time goes and leaves the job's end well under V8's next limit.
// A collection that would come anyway soon after costs nothing extra; a heap that has not grown is never collected,
// so jobs that replace few rows, or a small org, never pay for it.
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** When a collection is due, and how the heap is read and collected (tests replace the last two). */
export interface HeapCollectionOptions {
  /** Growth since the last full collection, as a share of the heap then, that makes one due (default 0.25). */
  readonly growth?: number;
  /** Below this growth in bytes none is due: small heaps mark in milliseconds (default 128 MB). */
  readonly minGrowthBytes?: number;
  readonly heapUsed?: () => number;
  readonly collect?: () => void;
}

let gc: (() => void) | undefined;

function collectNow(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

export class HeapCollection {
  private readonly growth: number;
  private readonly minGrowthBytes: number;
  private readonly heapUsed: () => number;
  private readonly collect: () => void;
  /** Heap in use right after the last full collection seen (V8's own ones included). */
  private base: number;
  private readonly observer = new PerformanceObserver((list) => {
    const major = (e: PerformanceEntry) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
    if (list.getEntries().some(major)) this.base = this.heapUsed();
  });

  constructor(opts: HeapCollectionOptions = {}) {
    this.growth = opts.growth ?? 0.25;
    this.minGrowthBytes = opts.minGrowthBytes ?? 128 * 1024 * 1024;
    this.heapUsed = opts.heapUsed ?? (() => process.memoryUsage().heapUsed);
    this.collect = opts.collect ?? collectNow;
    this.base = this.heapUsed();
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Between waves of an ingest job: collects when the heap has grown enough since the last full collection. */
  maybeCollect(): boolean {
    const grown = this.heapUsed() - this.base;
    if (grown < this.minGrowthBytes || grown < this.base * this.growth) return false;
    this.collect();
    this.base = this.heapUsed();
    return true;
  }

  close(): void {
    this.observer.disconnect();
  }
}
