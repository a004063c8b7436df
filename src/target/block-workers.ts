// The transform threads: a few workers (block-worker.ts), each sent every plan update and blocks to build. Blocks go
// to the least busy worker; answers come back as promises the reader awaits in input order. A worker that dies
// fails its blocks (the run stops with that error); close() terminates them all, so nothing is left waiting.
import { Worker } from 'node:worker_threads';
import { ConnectorError } from '../streams/connector-errors.js';
import type { BlockResult, PlanUpdate } from './block-transform.js';
import type { ToWorker } from './block-worker.js';

interface Pending {
  readonly resolve: (r: BlockResult) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class BlockWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private booting: number;

  constructor(count: number, plans: readonly PlanUpdate[]) {
    this.booting = count;
    for (let i = 0; i < count; i++) {
      // Every block is short-lived garbage: a small young generation keeps RSS flat. A worker's heap limits are set
      // here, when its isolate is made; the main thread's are fixed at process start (see README, Memory).
      const worker = new Worker(new URL('./block-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      const slot: Slot = { worker, pending: new Map() };
      worker.on('message', (m: { id: number; result: BlockResult } | { ready: true }) => {
        if ('ready' in m) {
          this.booting--;
          return;
        }
        const p = slot.pending.get(m.id);
        slot.pending.delete(m.id);
        // Moved buffers arrive as plain Uint8Arrays: Buffers again for the reader.
        const r = m.result;
        p?.resolve({ ...r, block: asBuffer(r.block), csv: asBuffer(r.csv), rest: r.rest && asBuffer(r.rest) });
      });
      const fail = (e: Error): void => {
        for (const p of slot.pending.values()) p.reject(e);
        slot.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new ConnectorError('RUN_FAILED', `a transform thread exited (code ${code}); set transform_threads to 0 to build rows on the reader thread`)));
      if (plans.length) worker.postMessage({ plans } satisfies ToWorker);
      this.slots.push(slot);
    }
  }

  /** Every worker has loaded its code: until then the reader builds blocks itself instead of waiting. */
  get ready(): boolean {
    return this.booting === 0;
  }

  /** Sent before any block that may need it: each worker handles its messages in order. */
  plan(update: PlanUpdate): void {
    for (const s of this.slots) s.worker.postMessage({ plans: [update] } satisfies ToWorker);
  }

  run(block: Uint8Array): Promise<BlockResult> {
    if (this.closed) return Promise.reject(new ConnectorError('RUN_FAILED', 'the transform threads are closed'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    const result = new Promise<BlockResult>((resolve, reject) => slot.pending.set(id, { resolve, reject }));
    // A block of its own, moved rather than copied into the worker.
    const own = block.byteOffset === 0 && block.byteLength === block.buffer.byteLength ? block : new Uint8Array(block);
    slot.worker.postMessage({ id, block: own } satisfies ToWorker, [own.buffer as ArrayBuffer]);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
