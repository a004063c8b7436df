// The org's jobs of one kind, page by page.
import type { Session } from '../auth/session.js';
import type { JobInfo, JobList } from './job-info.js';

/** Every job of a kind, following `nextRecordsUrl` (bounded). */
export async function* listJobs(session: Session, kind: 'ingest' | 'query', signal?: AbortSignal, maxPages = 1000): AsyncGenerator<JobInfo> {
  let path: string | null = session.dataPath(`jobs/${kind}/`);
  let query: Record<string, string> | undefined = { jobType: kind === 'ingest' ? 'V2Ingest' : 'V2Query' };
  for (let page = 0; path !== null && page < maxPages; page++) {
    const list: JobList<JobInfo> = await session.json<JobList<JobInfo>>({ method: 'GET', path, query, signal });
    for (const r of list.records ?? []) yield r;
    path = list.done || !list.nextRecordsUrl ? null : list.nextRecordsUrl;
    query = undefined;
  }
}
