// The one table of job state transitions (shared/reference/bulk-api-2.md §3: Open -> UploadComplete ->
// InProgress -> JobComplete | Failed, and Aborted from any non-terminal state by request), and the only
// code that changes a job's state: every change goes through it, so no path can move a job any other way.
import type { Job, JobState } from './types.js';

/** The states each state may move to. Terminal states move nowhere. */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = Object.freeze({
  // client: close (PATCH UploadComplete, or a multipart create) or abort
  Open: ['UploadComplete', 'Aborted'],
  // org: picked up for processing, or refused before it starts; client: abort
  UploadComplete: ['InProgress', 'Failed', 'Aborted'],
  // org: the outcome of processing; client: abort
  InProgress: ['JobComplete', 'Failed', 'Aborted'],
  JobComplete: [],
  Failed: [],
  Aborted: [],
});

/** A move the table does not allow: an emulator bug, never an answer to a client. */
export class JobStateError extends Error {
  constructor(
    readonly jobId: string,
    readonly from: JobState,
    readonly to: JobState,
  ) {
    super(`job ${jobId}: no transition from ${from} to ${to}`);
    this.name = 'JobStateError';
  }
}

export function canMove(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function isTerminal(state: JobState): boolean {
  return JOB_TRANSITIONS[state].length === 0;
}

/** Moves a job and stamps it; throws JobStateError when the table does not allow the move. */
export function moveJob(job: Job, to: JobState, now: number): void {
  if (!tryMoveJob(job, to, now)) throw new JobStateError(job.id, job.state, to);
}

/**
 * Moves a job when the table allows it; false otherwise. For the processor, whose job may have been aborted
 * by a request while it worked: an Aborted job stays Aborted.
 */
export function tryMoveJob(job: Job, to: JobState, now: number): boolean {
  if (!canMove(job.state, to)) return false;
  (job as { state: JobState }).state = to;
  job.systemModstamp = now;
  return true;
}
