// A transform thread: receives the reader's plans (in order, before any block that needs them) and blocks of whole
// lines, and answers each block with its built items (block-transform.ts). It has no side effects of its own.
import { parentPort } from 'node:worker_threads';
import { SchemaValidators } from '../streams/schema-validators.js';
import { transformBlock, type PlanUpdate, type StreamPlanVersion } from './block-transform.js';

export type ToWorker = { readonly plans: readonly PlanUpdate[] } | { readonly id: number; readonly block: Uint8Array | string };

const validators = new SchemaValidators();
const plans = new Map<string, StreamPlanVersion>();
const planFor = (stream: string): StreamPlanVersion | undefined => plans.get(stream);

parentPort!.on('message', (m: ToWorker) => {
  if ('plans' in m) {
    for (const u of m.plans) {
      if (u.plan) validators.set(u.stream, u.schema);
      plans.set(u.stream, u);
    }
    return;
  }
  const text = typeof m.block === 'string' ? m.block : Buffer.from(m.block.buffer, m.block.byteOffset, m.block.byteLength).toString('utf8');
  const r = transformBlock(text, planFor, validators);
  parentPort!.postMessage({ id: m.id, result: r }); // copied: cheaper than moving nine small buffers
});
parentPort!.postMessage({ ready: true });
