// Creating a job without ever creating two. A job create is a POST: when its reply is lost (timeout,
// reset, 500), the job may exist. Before sending the create again we look for it in the job list: a job
// of ours (created by our user, same object and operation, created in the window of our request, in a
// state a fresh job can be in, and not one we already know) is adopted; if none appears after two looks,
// the create did not happen and is sent again; if several match, we stop rather than guess.
// Creates with the same key are serialized within a client, so our own creates never look alike.
import { abortReason, sleep } from '../abortable-sleep.js';
import { AbortedError, OutcomeUnknownError, SalesforceError, withJob } from '../errors.js';
import type { RequestBody } from '../http/transport.js';
import { parseSalesforceDate, type JobInfo, type JobState } from './job-info.js';
import { listJobs } from './job-list.js';
import type { Session } from '../auth/session.js';

export interface CreateJobRequest {
  readonly kind: 'ingest' | 'query';
  /** The sObject, when known before the reply (query jobs name it in their SOQL). */
  readonly object: string | undefined;
  readonly operation: string;
  readonly body: RequestBody;
  readonly contentType: string;
  /** States a job that this very request created can be in when we look for it. */
  readonly freshStates: readonly JobState[];
  readonly clientName: string;
  readonly signal?: AbortSignal;
}

export interface JobCreateTuning {
  /** How many times the create may be sent in all (each resend only after a look found nothing). */
  readonly maxCreates: number;
  /** Waits before the first and the second look (ms). */
  readonly lookDelaysMs: readonly number[];
  /** Tolerance on both sides of the request's time window (ms). */
  readonly clockSlackMs: number;
  /** The job list is read up to this many pages. */
  readonly maxListPages: number;
}

export const DEFAULT_JOB_CREATE: JobCreateTuning = Object.freeze({
  maxCreates: 3,
  lookDelaysMs: Object.freeze([1000, 5000]),
  clockSlackMs: 5000,
  maxListPages: 50,
});

const locks = new WeakMap<Session, Map<string, Promise<void>>>();

/**
 * Runs `fn` after every earlier call with the same key on this session has settled. A caller whose signal
 * fires while it waits leaves the queue at once (AbortedError) without running `fn`; the callers behind it
 * still wait for the ones ahead of it.
 */
async function serialized<T>(session: Session, key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  let map = locks.get(session);
  if (!map) locks.set(session, (map = new Map()));
  const before = map.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = before.then(() => mine);
  map.set(key, tail);
  try {
    await turn(before, signal);
    return await fn();
  } finally {
    release();
    if (map.get(key) === tail) map.delete(key);
  }
}

/** Resolves when `before` does, or rejects with AbortedError as soon as `signal` fires. */
function turn(before: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return before;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void before.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Creates the job and returns Salesforce's JobInfo JSON (unparsed). */
export function createJobOnce(session: Session, req: CreateJobRequest, tuning: JobCreateTuning = DEFAULT_JOB_CREATE): Promise<unknown> {
  const key = `${req.kind}:${req.object ?? '?'}:${req.operation}`;
  return serialized(session, key, () => createLoop(session, req, tuning), req.signal);
}

async function createLoop(session: Session, req: CreateJobRequest, tuning: JobCreateTuning): Promise<unknown> {
  const path = session.dataPath(`jobs/${req.kind}/`);
  let lastError: SalesforceError | undefined;
  for (let round = 0; round < tuning.maxCreates; round++) {
    const sentAt = session.serverNow();
    try {
      const info = await session.json<unknown>({
        method: 'POST',
        path,
        body: req.body,
        headers: { 'content-type': req.contentType, 'sforce-call-options': `client=${req.clientName}` },
        idempotent: false,
        signal: req.signal,
      });
      const id = (info as { id?: unknown })?.id;
      if (typeof id === 'string') session.knownJobIds.add(id);
      return info;
    } catch (e) {
      if (!(e instanceof SalesforceError) || !e.outcomeUnknown) throw e;
      lastError = e;
      session.logger.log('warn', `creating a ${req.kind} job for ${req.object ?? 'a query'} (${req.operation}): the outcome is unknown (${e.message}); looking for the job before creating another`);
      for (const delay of tuning.lookDelaysMs) {
        let found: JobInfo[];
        try {
          await sleep(delay, req.signal);
          found = await findCandidates(session, req, sentAt - tuning.clockSlackMs, session.serverNow() + tuning.clockSlackMs, tuning);
        } catch (look) {
          // The look itself failed (or was aborted): the job may still exist, so the create's outcome stays
          // unknown. Never let this read as an ordinary retryable failure: a caller that simply retried would
          // create a second job.
          const what = `a ${req.kind} job create for ${req.object ?? 'a query'} (${req.operation}) lost its reply`;
          if (look instanceof AbortedError) {
            throw new AbortedError(`${what}, and the caller aborted before the job could be looked for; a job may have been created: list the jobs (${path}) and abort any stray one`, {
              request: e.request,
              outcomeUnknown: true,
              cause: look,
            });
          }
          const why = session.transport.redactor.redact(look instanceof Error ? look.message : String(look));
          throw new OutcomeUnknownError(
            `${what}, and looking for the job failed (${why}); a job may have been created. List the jobs (${path}), abort any stray one, and run again`,
            [],
            { request: e.request, cause: look },
          );
        }
        if (found.length === 1) {
          const job = found[0]!;
          session.knownJobIds.add(job.id);
          session.logger.log('info', `found job ${job.id} created by the request whose reply was lost; using it`);
          try {
            return await session.json<unknown>({ method: 'GET', path: session.dataPath(`jobs/${req.kind}/${job.id}/`), signal: req.signal });
          } catch (read) {
            // The job exists and is ours: whatever failed, the caller must resume it by id, not create another.
            throw withJob(read, job.id, { outcomeUnknown: true });
          }
        }
        if (found.length > 1) {
          throw new OutcomeUnknownError(
            `a ${req.kind} job create for ${req.object ?? 'a query'} (${req.operation}) lost its reply, and ${found.length} jobs match it (${found.map((j) => j.id).join(', ')}); not creating another. Inspect these jobs, abort the stray ones, and run again`,
            found.map((j) => j.id),
            { request: e.request, cause: e },
          );
        }
      }
      session.logger.log('info', `no job was created by the lost request; creating it again`);
    }
  }
  throw new OutcomeUnknownError(
    `could not create a ${req.kind} job for ${req.object ?? 'a query'} (${req.operation}) after ${tuning.maxCreates} attempts whose replies were lost, and no such job exists: ${lastError?.message ?? ''}`,
    [],
    { request: lastError?.request, cause: lastError, retryable: true },
  );
}

/**
 * Jobs in a fresh state that a create of ours sent at `sentAtMs` (server clock) or later may have left, unknown to
 * this client: what a caller that died before reading a create's reply finds on its next run. The same matching as
 * the look after a lost reply, under the same per-key lock as the creates, so none of this client's own creates
 * can be mistaken for one.
 */
export function findUnclaimedJobs(
  session: Session,
  req: Pick<CreateJobRequest, 'kind' | 'object' | 'operation' | 'freshStates' | 'signal'>,
  sentAtMs: number,
  tuning: JobCreateTuning = DEFAULT_JOB_CREATE,
): Promise<JobInfo[]> {
  const key = `${req.kind}:${req.object ?? '?'}:${req.operation}`;
  return serialized(session, key, () => findCandidates(session, req, sentAtMs - tuning.clockSlackMs, session.serverNow() + tuning.clockSlackMs, tuning), req.signal);
}

async function findCandidates(session: Session, req: Pick<CreateJobRequest, 'kind' | 'object' | 'operation' | 'freshStates' | 'signal'>, fromMs: number, toMs: number, tuning: JobCreateTuning): Promise<JobInfo[]> {
  const userId = await currentUserId(session, req.signal);
  const out: JobInfo[] = [];
  for await (const job of listJobs(session, req.kind, req.signal, tuning.maxListPages)) {
    if (session.knownJobIds.has(job.id)) continue;
    if (job.operation !== req.operation) continue;
    if (req.object !== undefined && job.object !== undefined && job.object.toLowerCase() !== req.object.toLowerCase()) continue;
    if (userId !== undefined && job.createdById !== undefined && !sameId(job.createdById, userId)) continue;
    if (!req.freshStates.includes(job.state)) continue;
    const created = parseSalesforceDate(job.createdDate);
    if (Number.isNaN(created) || created < fromMs || created > toMs) continue;
    out.push(job);
  }
  return out;
}

async function currentUserId(session: Session, signal?: AbortSignal): Promise<string | undefined> {
  const grant = await session.grant(signal);
  if (grant.userId) return grant.userId;
  try {
    const info = await session.json<{ user_id?: unknown }>({ method: 'GET', path: '/services/oauth2/userinfo', signal });
    return typeof info.user_id === 'string' ? info.user_id : undefined;
  } catch {
    return undefined;
  }
}

/** 15- and 18-character forms of one id compare equal. */
function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
