// The emulator's jobs by id, in creation order (their states move through job-state.ts).
import { makeId } from '../ids.js';
import type { IngestJob, Job, QueryJob } from './types.js';

/** Jobs in creation order, by id (15 or 18 characters). */
export class JobStore {
  private readonly byId = new Map<string, Job>();
  private readonly order: Job[] = [];
  private counter: number;

  constructor(seed = 0) {
    // Start the counter somewhere that looks like a busy org, deterministically.
    this.counter = 1_000_000 + (seed % 1_000_000);
  }

  nextId(): string {
    return makeId('750', this.counter++, '5g0');
  }

  add(job: Job): void {
    this.byId.set(job.id.slice(0, 15), job);
    this.order.push(job);
  }

  get(id: string): Job | undefined {
    if (id.length !== 15 && id.length !== 18) return undefined;
    const job = this.byId.get(id.slice(0, 15));
    return job && (id.length === 15 || job.id === id) ? job : undefined;
  }

  ingest(id: string): IngestJob | undefined {
    const j = this.get(id);
    return j?.kind === 'ingest' ? j : undefined;
  }

  query(id: string): QueryJob | undefined {
    const j = this.get(id);
    return j?.kind === 'query' ? j : undefined;
  }

  delete(id: string): void {
    const job = this.get(id);
    if (!job) return;
    this.byId.delete(job.id.slice(0, 15));
    const i = this.order.indexOf(job);
    if (i >= 0) this.order.splice(i, 1);
  }

  list(kind: Job['kind']): Job[] {
    return this.order.filter((j) => j.kind === kind);
  }

  all(): readonly Job[] {
    return this.order;
  }

  clear(): void {
    this.byId.clear();
    this.order.length = 0;
  }
}
