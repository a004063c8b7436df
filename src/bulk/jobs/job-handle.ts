// What ingest and query jobs share. A handle: the job's paths (read with the API version it was created with),
// refresh, a state change that survives a lost reply (look, then maybe send again), abort and delete. A collection:
// handles on saved job ids, info by id, and the org's list.
import { InvalidStateError, NotFoundError, SalesforceError, withJob } from '../errors.js';
import { discard } from '../http/transport.js';
import type { CallOptions, JobContext } from './job-context.js';
import { parseJobInfo, versionOf, type IngestJobInfo, type QueryJobInfo } from './job-info.js';
import { listJobs } from './job-list.js';

/** The job info of each kind of job. */
export type KindInfo = { ingest: IngestJobInfo; query: QueryJobInfo };

export abstract class JobHandle<K extends keyof KindInfo> {
  readonly id: string;
  protected infoValue: KindInfo[K] | undefined;

  protected constructor(
    protected readonly ctx: JobContext,
    private readonly kind: K,
    info: KindInfo[K] | undefined,
    id?: string,
  ) {
    this.infoValue = info;
    this.id = info?.id ?? id!;
  }

  /** The last info seen (from create, a state change or a refresh). */
  get info(): KindInfo[K] | undefined {
    return this.infoValue;
  }

  async refresh(options: CallOptions = {}): Promise<KindInfo[K]> {
    try {
      const raw = await this.ctx.session.json<unknown>({ method: 'GET', path: this.path(''), signal: options.signal });
      this.infoValue = parseJobInfo(raw, this.kind as 'ingest') as KindInfo[K];
      return this.infoValue;
    } catch (e) {
      throw withJob(e, this.id);
    }
  }

  /** Aborts the job (from any non-terminal state). */
  async abort(options: CallOptions = {}): Promise<KindInfo[K]> {
    return this.setState('Aborted', options);
  }

  /** Deletes the job and its data (allowed once UploadComplete or terminal). */
  async delete(options: CallOptions = {}): Promise<void> {
    try {
      const res = await this.ctx.session.request({ method: 'DELETE', path: this.path(''), signal: options.signal });
      await discard(res);
    } catch (e) {
      // A resend answered 404: the first send, whose reply was lost, deleted the job.
      if (e instanceof NotFoundError && (e.attempts ?? 1) > 1) return;
      throw withJob(e, this.id);
    }
  }

  /**
   * PATCHes the state. A PATCH whose reply was lost (or cut off) is not blindly sent again: the job is read,
   * and if it already moved on, that is the answer; if it did not, the PATCH is sent again (at most twice more).
   */
  protected async setState(target: 'UploadComplete' | 'Aborted', options: CallOptions): Promise<KindInfo[K]> {
    const s = this.ctx.session;
    for (let round = 0; ; round++) {
      try {
        const raw = await s.json<unknown>({
          method: 'PATCH',
          path: this.path(''),
          headers: { 'content-type': 'application/json; charset=UTF-8' },
          body: JSON.stringify({ state: target }),
          idempotent: false,
          signal: options.signal,
        });
        const info = parseJobInfo(raw, this.kind as 'ingest') as KindInfo[K];
        this.infoValue = { ...this.infoValue, ...info };
        return this.infoValue;
      } catch (e) {
        const unknown = e instanceof SalesforceError && e.outcomeUnknown;
        const wrongState = e instanceof InvalidStateError;
        if (!unknown && !wrongState) throw withJob(e, this.id);
        let now: KindInfo[K];
        try {
          now = await this.refresh(options);
        } catch (look) {
          // The PATCH may have taken effect and we could not see whether it did: the job's outcome is unknown.
          throw withJob(look, this.id, { outcomeUnknown: unknown });
        }
        if (target === 'Aborted' ? now.state === 'Aborted' : now.state !== 'Open') {
          if (target === 'UploadComplete' && now.state === 'Aborted') {
            throw new InvalidStateError(`job ${this.id} was aborted; it cannot be closed`, { jobId: this.id, cause: e });
          }
          return now;
        }
        if (wrongState || round >= 2) throw withJob(e, this.id);
        s.logger.log('info', `job ${this.id}: the ${target} request lost its reply and the job is still ${now.state}; sending it again`);
      }
    }
  }

  /** `/services/data/vXX.X/jobs/<kind>/<id>/<rest>`, in the job's own API version once known. */
  protected path(rest: string): string {
    const version = this.infoValue ? versionOf(this.infoValue, this.ctx.session.apiVersion) : this.ctx.session.apiVersion;
    return this.ctx.session.dataPath(`jobs/${this.kind}/${this.id}/${rest}`, version);
  }
}

/** The jobs of one kind: new handles come from the subclass's create calls; these find existing ones. */
export abstract class JobCollection<K extends keyof KindInfo, H extends JobHandle<K>> {
  protected constructor(
    protected readonly ctx: JobContext,
    private readonly kind: K,
  ) {}

  /** A handle on a job, from its info (just created) or its id (saved earlier). */
  protected abstract handle(info: KindInfo[K] | undefined, id?: string): H;

  /** A handle on an existing job (for resuming one whose id was saved). */
  job(id: string): H {
    this.ctx.session.knownJobIds.add(id);
    return this.handle(undefined, id);
  }

  async info(id: string, options: CallOptions = {}): Promise<KindInfo[K]> {
    return this.job(id).refresh(options);
  }

  /** Every job of this kind in the org (Bulk 2.0), following the list's pages. */
  async *list(options: CallOptions = {}): AsyncGenerator<KindInfo[K]> {
    for await (const j of listJobs(this.ctx.session, this.kind, options.signal)) yield j as KindInfo[K];
  }
}
