// The REST query resource (`GET /query`, `/queryAll`) for lookups too small to deserve a Bulk job, such as the
// earliest timestamp of an object (`... ORDER BY SystemModstamp ASC LIMIT 1`). Only the first answer is read:
// callers bound the result with LIMIT (at most 2,000 records come back in one answer).
import type { Session } from '../auth/session.js';
import { ProtocolError } from '../errors.js';
import type { CallOptions } from '../jobs/job-context.js';

/** A record of a REST query answer: field values as JSON, without the `attributes` envelope. */
export type RestRecord = Record<string, string | number | boolean | null>;

export interface RestQueryAnswer {
  /** Records the whole query matches (may exceed `records.length` when `done` is false). */
  readonly totalSize: number;
  /** False when more records exist than this answer holds. */
  readonly done: boolean;
  readonly records: readonly RestRecord[];
}

export interface RestQueryOptions extends CallOptions {
  /** `queryAll`: deleted and archived records too. */
  readonly all?: boolean;
}

/** Runs `soql` through the REST query resource and returns its first answer (a GET: retried by the HTTP layer). */
export async function restQuery(session: Session, soql: string, options: RestQueryOptions = {}): Promise<RestQueryAnswer> {
  const body = await session.json<unknown>({
    method: 'GET',
    path: session.dataPath(options.all ? 'queryAll' : 'query'),
    query: { q: soql },
    signal: options.signal,
  });
  const b = body as { totalSize?: unknown; done?: unknown; records?: unknown };
  if (typeof b !== 'object' || b === null || typeof b.totalSize !== 'number' || typeof b.done !== 'boolean' || !Array.isArray(b.records)) {
    throw new ProtocolError('the query resource answered without totalSize, done and records');
  }
  const records = b.records.map((r) => {
    const { attributes: _attributes, ...fields } = r as Record<string, unknown>;
    return fields as RestRecord;
  });
  return { totalSize: b.totalSize, done: b.done, records };
}
