// GET /jobs/ingest and /jobs/query: 1,000 jobs a page, followed through nextRecordsUrl.
import { listedJobJson } from './job-json.js';
import type { Job } from '../jobs/types.js';
import type { RequestContext } from './context.js';
import { ApiError, sendJson } from './respond.js';

const PAGE = 1000;
const LOCATOR_PREFIX = '01gR0000000opRTIAY-';

export function listJobs(ctx: RequestContext, v: number, kind: Job['kind']): void {
  let jobs = ctx.emu.jobs.list(kind);
  const jobType = ctx.query.get('jobType');
  if (jobType) jobs = jobs.filter((j) => (j.kind === 'ingest' ? 'V2Ingest' : 'V2Query') === jobType);
  const mode = ctx.query.get('concurrencyMode');
  if (mode && mode !== 'Parallel') jobs = [];
  let offset = 0;
  const locator = ctx.query.get('queryLocator');
  if (locator) {
    const m = new RegExp(`^${LOCATOR_PREFIX}(\\d+)$`).exec(locator);
    if (!m) throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    offset = Number(m[1]);
  }
  const page = jobs.slice(offset, offset + PAGE);
  const next = offset + PAGE < jobs.length ? offset + PAGE : null;
  sendJson(ctx.req, ctx.res, 200, {
    done: next === null,
    records: page.map(listedJobJson),
    nextRecordsUrl: next === null ? null : `/services/data/v${v}.0/jobs/${kind}?queryLocator=${LOCATOR_PREFIX}${next}`,
  });
}
