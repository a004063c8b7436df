// The job state table: exactly the moves of shared/reference/bulk-api-2.md §3, enforced on every change.
import t from 'tap';
import { canMove, isTerminal, JobStateError, moveJob, tryMoveJob } from '../../src/emulator/jobs/job-state.js';
import type { JobState, QueryJob } from '../../src/emulator/jobs/types.js';

const STATES: JobState[] = ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted'];
// Open -> UploadComplete -> InProgress -> JobComplete | Failed; Aborted from any non-terminal state by request;
// a queued job the org cannot process fails before it starts.
const ALLOWED = new Set([
  'Open>UploadComplete', 'Open>Aborted',
  'UploadComplete>InProgress', 'UploadComplete>Failed', 'UploadComplete>Aborted',
  'InProgress>JobComplete', 'InProgress>Failed', 'InProgress>Aborted',
]);

function job(state: JobState): QueryJob {
  return {
    kind: 'query', id: '7505g0000004C93AAE', operation: 'query', object: 'Account', query: 'SELECT Id FROM Account',
    createdById: '0055g0000000001AAA', createdDate: 0, systemModstamp: 0, state, apiVersion: 62, lineEnding: 'LF',
    columnDelimiter: 'COMMA', retries: 0, totalProcessingTime: 0, numberRecordsProcessed: 0,
  };
}

t.test('every pair of states: allowed exactly when the reference allows it', async (t) => {
  for (const from of STATES) {
    for (const to of STATES) t.equal(canMove(from, to), ALLOWED.has(`${from}>${to}`), `${from} -> ${to}`);
  }
  t.same(STATES.filter(isTerminal), ['JobComplete', 'Failed', 'Aborted']);
});

t.test('a move the table refuses leaves the job as it was', async (t) => {
  const done = job('JobComplete');
  t.throws(() => moveJob(done, 'Failed', 5), new JobStateError(done.id, 'JobComplete', 'Failed'));
  t.equal(tryMoveJob(done, 'Aborted', 5), false, 'a finished job is not aborted afterwards');
  t.same([done.state, done.systemModstamp], ['JobComplete', 0]);
  const aborted = job('Aborted');
  t.equal(tryMoveJob(aborted, 'InProgress', 5), false, 'a job aborted while queued is not picked up');
  t.equal(aborted.state, 'Aborted');
});

t.test('an allowed move changes the state and stamps systemModstamp', async (t) => {
  const j = job('UploadComplete');
  moveJob(j, 'InProgress', 1000);
  t.same([j.state, j.systemModstamp], ['InProgress', 1000]);
  t.equal(tryMoveJob(j, 'JobComplete', 2000), true);
  t.same([j.state, j.systemModstamp], ['JobComplete', 2000]);
});
