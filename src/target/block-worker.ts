// A transform thread: receives the reader's plans (in order, before any block that needs them) and blocks of whole
// lines, and answers each block with its built items (block-transform.ts). It has no side effects of its own.
import { parentPort } from 'node:worker_threads';
import { SchemaValidators } from '../streams/schema-validators.js';
import { transformBlock, type BlockResult, type PlanUpdate, type StreamPlanVersion } from './block-transform.js';
import { lineBytesPlan } from './line-bytes-plan.js';
import { LineBytesRows } from './line-bytes-row.js';

export type ToWorker = { readonly plans: readonly PlanUpdate[] } | { readonly id: number; readonly block: Uint8Array };

const validators = new SchemaValidators();
const plans = new Map<string, StreamPlanVersion>();
const planFor = (stream: string): StreamPlanVersion | undefined => plans.get(stream);
const rows = new LineBytesRows();

parentPort!.on('message', (m: ToWorker) => {
  if ('plans' in m) {
    for (const u of m.plans) {
      if (u.plan) validators.set(u.stream, u.schema);
      plans.set(u.stream, { ...u, bytesPlan: u.plan ? lineBytesPlan(u.plan, u.schema, u.nullCell) : undefined });
    }
    return;
  }
  const r = transformBlock(Buffer.from(m.block.buffer, m.block.byteOffset, m.block.byteLength), planFor, validators, rows);
  // The block and its CSV move back rather than being copied (each has an ArrayBuffer of its own).
  const moved = new Set<ArrayBuffer>([r.block.buffer as ArrayBuffer, r.csv.buffer as ArrayBuffer]);
  parentPort!.postMessage({ id: m.id, result: r } satisfies { id: number; result: BlockResult }, [...moved]);
});
parentPort!.postMessage({ ready: true });
